"""Where the history is: `history.url`, the deprecated `history.path`, $PRODSMOKE_HISTORY_URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from prodsmoke import redact
from prodsmoke.config.monitoring import load_monitoring
from prodsmoke.errors import ConfigError
from prodsmoke.history import History
from prodsmoke.history.database import locate


def monitoring(tmp_path, text, environ=None):
    (tmp_path / "monitoring-integration.yaml").write_text(text)
    return load_monitoring(tmp_path, environ=environ or {})


def test_the_default_is_a_sqlite_file_inside_the_results_folder(tmp_path):
    settings = load_monitoring(tmp_path).history
    assert (
        locate(settings, tmp_path / "out", environ={}).sqlite_path
        == tmp_path / "out/history.sqlite"
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("history: {url: 'sqlite:///runs/h.db'}\n", "out/runs/h.db"),
        ("history: {path: legacy.sqlite}\n", "out/legacy.sqlite"),  # deprecated, still works
    ],
)
def test_relative_sqlite_paths_are_inside_the_results_folder(tmp_path, text, where):
    settings = monitoring(tmp_path, text).history
    assert locate(settings, tmp_path / "out", environ={}).sqlite_path == tmp_path / where


def test_an_absolute_sqlite_url_and_the_environment_override(tmp_path):
    settings = monitoring(
        tmp_path, f"history: {{url: 'sqlite:///{tmp_path}/abs.sqlite'}}\n"
    ).history
    assert locate(settings, Path("elsewhere"), environ={}).sqlite_path == tmp_path / "abs.sqlite"
    env = {"PRODSMOKE_HISTORY_URL": "postgresql://smoke:env-pw-778899@db:5432/smoke"}
    found = locate(settings, Path("out"), environ=env)
    assert found.url == "postgresql+psycopg://smoke:env-pw-778899@db:5432/smoke"
    assert found.display == "postgresql://smoke:***@db:5432/smoke"
    assert redact.redact("env-pw-778899") == "[REDACTED]"


def test_a_postgres_password_from_a_variable_is_kept_out_of_every_output(tmp_path):
    text = "history: {url: 'postgresql://smoke:${PW}@db.internal:5432/smoke'}\n"
    settings = monitoring(tmp_path, text, environ={"PW": "from-var-554433"}).history
    assert "from-var-554433" in settings.location
    assert redact.redact("x from-var-554433 y") == "x [REDACTED] y"
    assert (
        History.configured(settings, tmp_path).display
        == "postgresql://smoke:***@db.internal:5432/smoke"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "history: {url: 'mysql://db/smoke'}\n",
            "history.url: got 'mysql://db/smoke', expected a URL like sqlite:///history.sqlite or "
            "postgresql://user:pw@host:5432/db",
        ),
        (
            "history: {url: 'sqlite:///a.db', path: b.db}\n",
            "history: got a mapping, expected url or path (deprecated), not both",
        ),
        ("history: {connect_timeout_s: 0}\n", "history.connect_timeout_s: got 0, expected seconds"),
    ],
)
def test_history_mistakes_are_one_line_naming_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError) as error:
        monitoring(tmp_path, text)
    assert str(error.value).startswith(f"{tmp_path}/monitoring-integration.yaml: {message}")
    assert "\n" not in str(error.value)


def test_a_bad_environment_url_is_a_config_error_naming_the_variable(tmp_path):
    settings = load_monitoring(tmp_path).history
    with pytest.raises(ConfigError) as error:
        locate(settings, tmp_path, environ={"PRODSMOKE_HISTORY_URL": "postgres//oops"})
    assert str(error.value) == (
        "$PRODSMOKE_HISTORY_URL: got 'postgres//oops', expected sqlite:///PATH or "
        "postgresql://USER:PASSWORD@HOST:5432/DB"
    )
