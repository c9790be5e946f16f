"""`smoke check-config` validates every file of the config root, as the runs will read them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.smoke_cli import combined_config, demo_config, smoke

ENV = {"SMOKE_TEST_PASSWORD": "correct-horse-battery"}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return combined_config(tmp_path)


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text, old
    file.write_text(text.replace(old, new, 1))


def one_line_error(config: Path, *args: str) -> str:
    proc = smoke("check-config", "--config", str(config), *args, env=ENV)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    return lines[0].replace(str(config), "CONFIG")


def test_every_file_is_loaded_and_listed(config: Path) -> None:
    proc = smoke("check-config", "--config", str(config), env=ENV)
    assert proc.returncode == 0, proc.stderr
    assert "ok  monitoring-integration.yaml: reporters history, github_summary" in proc.stdout
    assert "ok  alert-rules.yaml: alert rules: production 8, staging 2" in proc.stdout
    assert "ok  cron-schedule.yaml: every 30 min" in proc.stdout


def test_the_notifiers_are_listed_by_name_and_their_secrets_never_shown(tmp_path: Path) -> None:
    config = demo_config(tmp_path)
    hook = "https://hooks.slack.com/services/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"
    (config / "monitoring-integration.yaml").write_text(
        "reporters: [history]\nnotifiers:\n"
        '  - {kind: slack, webhook_url: "${SLACK_WEBHOOK_URL}"}\n'
        '  - {kind: slack, name: slack-oncall, webhook_url: "${SLACK_ONCALL_URL}"}\n'
    )
    proc = smoke(
        "check-config", "--config", str(config),
        env={**ENV, "SLACK_WEBHOOK_URL": hook, "SLACK_ONCALL_URL": hook + "x"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    line = "ok  monitoring-integration.yaml: reporters history; notifiers slack, slack-oncall"
    assert line in proc.stdout
    assert "k3Yp9QvW2sLmN8xR4tZ6aB1c" not in proc.stdout + proc.stderr


def test_only_an_environment_file_is_needed(tmp_path: Path) -> None:
    config = demo_config(tmp_path)
    proc = smoke("check-config", "--config", str(config), env=ENV)
    assert proc.returncode == 0, proc.stderr
    assert "ok  monitoring-integration.yaml: not present (defaults)" in proc.stdout
    assert "ok  alert-rules.yaml: not present (defaults)" in proc.stdout
    assert "cron-schedule.yaml" not in proc.stdout


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "monitoring-integration.yaml",
            "metric_prefix: smoke_test",
            "metric_prefx: smoke_test",
            "smoke: CONFIG/monitoring-integration.yaml: metric_prefx: unknown key "
            "'metric_prefx'; did you mean 'metric_prefix'?",
        ),
        (
            "monitoring-integration.yaml",
            "reporters: [history,",
            "reporters: [histroy,",
            "smoke: CONFIG/monitoring-integration.yaml: reporters[0]: got 'histroy'",
        ),
        (
            "alert-rules.yaml",
            "\n    rules:",
            "\n    rulez:",
            "smoke: CONFIG/alert-rules.yaml: environments.production.rulez: unknown key 'rulez'",
        ),
        (
            "cron-schedule.yaml",
            "every_minutes: 30",
            "every_minutes: 7",
            "smoke: CONFIG/cron-schedule.yaml: every_minutes: got 7, expected a divisor of the "
            "hour",
        ),
    ],
)
def test_a_typo_in_any_file_fails_check_config(
    config: Path, name: str, old: str, new: str, expected: str
) -> None:
    edit(config / name, old, new)
    assert one_line_error(config).startswith(expected)


def test_a_check_url_the_guard_would_refuse_is_flagged(config: Path) -> None:
    edit(
        config / "environments/demo.yaml",
        "url: /api/v1/health",
        "url: https://status.example.org/api/v1/health",
    )
    assert one_line_error(config, "--env", "demo") == (
        "smoke: CONFIG/environments/demo.yaml: health_checks[1].url: got "
        "'https://status.example.org/api/v1/health': its host status.example.org is neither "
        "the target's nor in safety.allowed_hosts (127.0.0.1), so the guard would refuse it; "
        "add status.example.org to safety.allowed_hosts, or give a path on the target"
    )


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("- goto: /examples", "- goto: https://evil.example.org/x", "example_search.steps[1].goto"),
        (
            "homepage_load: {url: /,",
            "homepage_load: {url: https://evil.example.org/x,",
            "homepage_load.url",
        ),
    ],
)
def test_a_journey_url_the_guard_would_refuse_is_flagged(
    config: Path, old: str, new: str, key: str
) -> None:
    edit(config / "environments/demo.yaml", old, new)
    assert one_line_error(config, "--env", "demo").startswith(
        f"smoke: CONFIG/environments/demo.yaml: journeys.{key}: got 'https://evil.example.org/x': "
        "its host evil.example.org is neither the target's nor in safety.allowed_hosts"
    )


def test_credentials_are_never_printed(config: Path) -> None:
    demo = config / "environments/demo.yaml"
    demo.write_text(demo.read_text() + 'http_credentials: {username: qa, password: "${GATE}"}\n')
    proc = smoke(
        "check-config", "--config", str(config), "--env", "demo", env={**ENV, "GATE": "g4te-pw!"}
    )
    assert proc.returncode == 0, proc.stderr
    assert "g4te-pw!" not in proc.stdout + proc.stderr
    assert "basic auth as qa (password hidden), to the target's origin only" in proc.stdout
    edit(
        demo, "base_url: ${SMOKE_DEMO_URL:-http://127.0.0.1:8321}", "base_url: http://qa:g4te-pw!@h"
    )
    message = one_line_error(config, "--env", "demo")
    assert "g4te-pw!" not in message
    assert "set http_credentials" in message


def test_a_journeys_vitals_limits_are_listed_beside_it(config: Path) -> None:
    edit(
        config / "environments/demo.yaml",
        "pricing_plans: {max_ms: 5000,",
        "pricing_plans: {vitals: {lcp_ms: 1200, cls: 0.05, inp_ms: null}, max_ms: 5000,",
    )
    proc = smoke("check-config", "--config", str(config), "--env", "demo", env=ENV)
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if " pricing_plans " in x)
    assert line.endswith(" · vitals LCP < 1200 ms, CLS < 0.05"), line  # defaults only warn
    homepage = next(x for x in proc.stdout.splitlines() if " homepage_load " in x)
    assert "vitals" not in homepage
