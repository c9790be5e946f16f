"""Configuration errors: one line naming file, key path, bad value and expected form."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prodsmoke import redact
from prodsmoke.config import load_settings
from prodsmoke.errors import ConfigError
from tests.smoke_cli import DEMO_CONFIG

REPO = Path(__file__).resolve().parents[2]
DEMO = (DEMO_CONFIG / "environments" / "demo.yaml").read_text()
ENV = {"SMOKE_TEST_PASSWORD": "correct-horse-battery", "SMOKE_DEMO_URL": "http://127.0.0.1:8321"}


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    (tmp_path / "environments").mkdir()
    return tmp_path


def write(config_dir: Path, text: str, env: str = "demo") -> Path:
    path = config_dir / "environments" / f"{env}.yaml"
    path.write_text(text)
    return path


def error_for(config_dir: Path, text: str, environ: dict[str, str] | None = None) -> str:
    path = write(config_dir, text)
    with pytest.raises(ConfigError) as info:
        load_settings(config_dir, "demo", environ=ENV if environ is None else environ)
    message = str(info.value)
    assert "\n" not in message
    return message.replace(str(path), "FILE")


@pytest.mark.parametrize(
    ("root", "env"),
    [(DEMO_CONFIG, "demo"), (REPO / "config", "staging"), (REPO / "config", "production")],
)
def test_every_shipped_environment_loads(root: Path, env: str) -> None:
    settings = load_settings(root, env, environ=ENV)
    assert settings.name == env
    assert {c.id for c in settings.http_checks} >= {"health", "api_health"}


def test_demo_config_resolves_variables_and_defaults() -> None:
    settings = load_settings(DEMO_CONFIG, "demo", environ={"SMOKE_TEST_PASSWORD": "pw-1234"})
    assert settings.base_url == "http://127.0.0.1:8321"  # ${SMOKE_DEMO_URL:-…} default
    assert settings.accounts["basic"].password.get_secret_value() == "pw-1234"  # type: ignore[union-attr]
    assert "pw-1234" in redact.secrets()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("attempts: 3,", "atempts: 3,"),
            "FILE: retry.atempts: unknown key 'atempts'; did you mean 'attempts'?",
        ),
        (
            ("share_of_limit: 0.20", "share_of_limit: lots"),
            "FILE: safety.rate_budget.share_of_limit: got 'lots', expected a number",
        ),
        (
            ("share_of_limit: 0.20", "share_of_limit: 1.5"),
            "FILE: safety.rate_budget.share_of_limit: got 1.5, expected a share of the advertised "
            "limit, 0-1",
        ),
        (
            ("deadline_s: 30", "deadline_s: soon"),
            "FILE: deadline_s: got 'soon', expected a number",
        ),
        (
            ("- {method: POST, path: /api/v1/enhance,", "- {method: GET, path: /api/v1/enhance,"),
            "FILE: safety.allowed_writes[2].method: got 'GET': input should be 'POST', 'PUT', "
            "'PATCH' or 'DELETE'",
        ),
        (
            (
                '"[STATUS] == 200", "[RESPONSE_TIME] < 400"',
                '"[STATUS] = 200", "[RESPONSE_TIME] < 400"',
            ),
            "FILE: api_checks[0].conditions[0]: got '[STATUS] = 200': unknown operator '='; "
            "expected one of == != < <= > >=, e.g. '[STATUS] == 200'",
        ),
        (
            ("homepage_load: {url: /,", "homepage: {url: /,"),
            "FILE: journeys.homepage: did you mean 'homepage_load'? 'url' is not a setting of a "
            "Python journey (enabled, timeout_s, expected_requests, vitals, max_ms, account), "
            "which is what an entry with no kind: or steps: is; otherwise add kind: (one of "
            "text_submit, login, page_load) or steps: [...]",
        ),
        (
            ("login_flow: {account: basic,", "login_flow: {account: gold,"),
            "FILE: journeys.login_flow.account: got 'gold', expected a key under accounts: "
            "(basic, premium)",
        ),
        (
            ("base_url: ${SMOKE_DEMO_URL:-http://127.0.0.1:8321}", "base_url: ftp://example.com"),
            "FILE: base_url: got 'ftp://example.com', expected an http(s) URL, e.g. "
            "https://app.example.com",
        ),
        (
            ("  - id: api_v1_health", "  - id: health"),
            "FILE: health_checks[1].id: duplicate check id 'health'; already used at "
            "health_checks[0].id",
        ),
        (
            ("name: demo", "name: prod"),
            "FILE: name: got 'prod', expected 'demo' (the file's name) or no name key",
        ),
    ],
)
def test_config_errors_are_one_pinned_line(
    config_dir: Path, edit: tuple[str, str], expected: str
) -> None:
    old, new = edit
    assert old in DEMO
    assert error_for(config_dir, DEMO.replace(old, new, 1)) == expected


@pytest.mark.parametrize(("value", "loaded"), [(None, "auto"), ("auto", "auto"), ("5", 5)])
def test_journeys_at_once_is_auto_unless_a_number_is_given(
    config_dir: Path, value: str | None, loaded: object
) -> None:
    write(config_dir, DEMO + (f"journeys_at_once: {value}\n" if value else ""))
    assert load_settings(config_dir, "demo", environ=ENV).journeys_at_once == loaded


@pytest.mark.parametrize("value", ["0", "17", "fast"])
def test_journeys_at_once_outside_its_forms_is_one_line_naming_them(
    config_dir: Path, value: str
) -> None:
    shown = repr(value) if value == "fast" else value
    assert error_for(config_dir, DEMO + f"journeys_at_once: {value}\n") == (
        f"FILE: journeys_at_once: got {shown}, expected browser journeys in flight at once "
        "(each its own context): 1-16, or auto (3, up to 7 while the CPUs wait for the site)"
    )


def test_malformed_yaml_names_line_and_column(config_dir: Path) -> None:
    message = error_for(config_dir, "name: demo\nbase_url: [oops\n")
    assert message == "FILE:3:1: malformed YAML: expected ',' or ']', but got '<stream end>'"


def test_missing_variable(config_dir: Path) -> None:
    message = error_for(config_dir, DEMO, environ={})
    assert message == (
        "FILE: accounts.basic.password: environment variable SMOKE_TEST_PASSWORD is not set; "
        "expected it exported (referenced as ${SMOKE_TEST_PASSWORD})"
    )


def test_a_misspelt_key_is_reported_before_a_missing_variable(config_dir: Path) -> None:
    message = error_for(config_dir, DEMO.replace("attempts: 3,", "atempts: 3,"), environ={})
    assert "unknown key 'atempts'" in message


def test_missing_required_key_names_the_expected_form(config_dir: Path) -> None:
    assert error_for(config_dir, "name: demo\n") == (
        "FILE: base_url: required key is missing; expected an http(s) URL, e.g. https://app.example.com"
    )


def test_a_bad_secret_value_is_never_echoed(config_dir: Path) -> None:
    text = DEMO.replace('password: "${SMOKE_TEST_PASSWORD}"}', "password: [hunter2secret]}", 1)
    message = error_for(config_dir, text)
    assert "hunter2secret" not in message
    assert message == (
        "FILE: accounts.basic.password: got a value (hidden: secret field), expected "
        "'${VAR}', {aws_secret: NAME, key: K} or {ssm_parameter: NAME}"
    )


def test_unknown_environment_lists_the_known_ones(config_dir: Path) -> None:
    write(config_dir, DEMO)
    with pytest.raises(ConfigError, match=r"no such environment file; environments here: demo$"):
        load_settings(config_dir, "prod", environ=ENV)


def test_literal_dollar_brace_is_kept(config_dir: Path) -> None:
    text = DEMO.replace('prompt: "Summarise: the sky is blue."', 'prompt: "Price: $${5}"')
    write(config_dir, text)
    settings = load_settings(config_dir, "demo", environ=ENV)
    assert getattr(settings.journeys["anonymous_enhancement"], "prompt", None) == "Price: ${5}"


@pytest.mark.parametrize(
    ("argv", "code", "stderr"),
    [
        (
            ["check-config", "--env", "production"],
            2,
            "environment variable SMOKE_TEST_PASSWORD is not set",
        ),
        (
            ["run", "--env", "nope"],
            2,
            "no such environment file; environments here: production, staging",
        ),
        (["frob"], 2, "invalid choice: 'frob'"),
        (["run"], 2, "the following arguments are required: --env"),
    ],
)
def test_cli_config_and_usage_errors_are_one_line_exit_2(
    argv: list[str], code: int, stderr: str
) -> None:
    smoke = shutil.which("smoke", path=str(Path(sys.executable).parent))
    assert smoke
    proc = subprocess.run(
        [smoke, *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert proc.returncode == code
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert stderr in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout


def test_a_password_in_base_url_is_refused_without_being_echoed(config_dir: Path) -> None:
    text = DEMO.replace("base_url: ${SMOKE_DEMO_URL:-http://127.0.0.1:8321}", "base_url: ${TARGET}")
    message = error_for(config_dir, text, environ={**ENV, "TARGET": "http://qa:S3cret-pw@host"})
    assert "S3cret-pw" not in message
    assert message == (
        "FILE: base_url: got 'http://qa:***@host': a user name or password in base_url would be "
        "shown and stored with every result; set http_credentials: {username: NAME, password: "
        '"${VAR}"} instead'
    )


def test_http_credentials_are_secrets_in_every_form(config_dir: Path) -> None:
    text = DEMO + 'http_credentials: {username: qa, password: "${BASIC_PW}"}\n'
    write(config_dir, text)
    settings = load_settings(config_dir, "demo", environ={**ENV, "BASIC_PW": "gate-k33per!"})
    assert settings.http_credentials is not None
    assert settings.http_credentials.password.get_secret_value() == "gate-k33per!"
    header = "Authorization: Basic cWE6Z2F0ZS1rMzNwZXIh"  # base64("qa:gate-k33per!")
    assert redact.redact(f"gate-k33per! {header} cWE6Z2F0ZS1rMzNwZXIh").count("gate") == 0
    assert "cWE6Z2F0ZS1rMzNwZXIh" not in redact.redact('{"value": "Basic cWE6Z2F0ZS1rMzNwZXIh"}')
