"""`smoke gate`: recent history held to the alert rules and SLOs; exit 1 when blocked."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from prodsmoke.cli import main
from prodsmoke.config.alert_file import load_alert_rules
from prodsmoke.config.monitoring import load_monitoring
from prodsmoke.history import History
from prodsmoke.history.gate import evaluate
from prodsmoke.results import PageVitals, Status, Trigger
from tests.history.history_seed import NOW, simple

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


def gate(capsys, output, *extra):
    code = main(
        [
            "gate",
            "--env",
            "production",
            "--config",
            str(REPO_CONFIG),
            "--output",
            str(output),
            *extra,
        ]
    )
    return code, json.loads(capsys.readouterr().out)


def every(minutes, count, end, status=Status.PASS, region="us-east-1"):
    return [
        simple(
            end - timedelta(minutes=minutes * i),
            status,
            region=region,
            run_id=f"{region}-{end - timedelta(minutes=minutes * i):%H%M%S}",
        )
        for i in reversed(range(count))
    ]


def test_the_gate_blocks_after_a_failing_streak_and_passes_after_recovery(capsys, tmp_path):
    output = tmp_path / "out"
    history = History(output / "history.sqlite")
    clock = datetime.now(UTC).replace(microsecond=0)  # `smoke gate` judges the real "now"
    now = clock - timedelta(hours=3)
    history.extend(every(30, 4, now - timedelta(minutes=90)), output)  # healthy before
    history.extend(every(10, 4, now, Status.FAIL), output)  # then login_flow fails 4 times

    code, verdict = gate(
        capsys, output, "--history", str(output / "history.sqlite"), "--window", "30m"
    )
    # the streak is 3 h old by the wall clock: nothing in the window, which also blocks
    assert code == 1
    assert verdict["violations"][0]["reason"] == "no runs in the window"

    # evaluated at the end of the streak, with the repository's rules and SLOs
    monitoring = load_monitoring(REPO_CONFIG)
    rules = load_alert_rules(REPO_CONFIG, monitoring).for_env("production")
    result = evaluate(history, rules, monitoring, env="production", window_s=1800, now=now)
    assert not result.passed
    reasons = {(v.reason.split(":")[0], v.check) for v in result.violations}
    assert reasons == {
        ("rule smoke_success_critical (critical)", None),
        ("rule repeated_failures (critical)", None),
        ("SLO success rate", "login_flow"),
        ("SLO consecutive failures", "login_flow"),
        # the shipped rollback conditions (config/alert-rules.yaml, production)
        ("rollback", None),
        ("rollback", "login_flow"),
    }
    rollback = {v.evidence["rollback"] for v in result.violations if "rollback" in v.evidence}
    assert rollback == {"failure_rate_above", "critical_journey_failing"}
    streak = next(v for v in result.violations if v.reason.startswith("SLO consecutive"))
    assert streak.evidence["consecutive_failures"] == 4
    assert streak.evidence["limit"] == 3
    assert streak.evidence["latest_error"] == "login_flow: GET /health answered HTTP 503"
    success = next(v for v in result.violations if "smoke_success" in v.reason)
    assert success.evidence["value"] == 0
    assert success.evidence["threshold"] == 0.9
    assert success.evidence["window"] == "30m"  # the rule's 5m, widened to the gate window

    # recovery: passing runs every 30 minutes until the 2 h failure window has moved on
    history.extend(every(30, 6, clock - timedelta(minutes=1)), output)

    code, verdict = gate(capsys, output, "--window", "30m")
    assert (code, verdict["pass"], verdict["violations"]) == (0, True, [])
    assert verdict["env"] == "production"
    # 4 runs inside the widest rule window (2 h) were read; 1 inside the gate's 30 minutes
    assert (verdict["runs"], verdict["window_runs"], verdict["excluded"]) == (4, 1, {})


def rules_dir(tmp_path, text):
    root = tmp_path / "config"
    root.mkdir(parents=True, exist_ok=True)
    (root / "alert-rules.yaml").write_text(text)
    monitoring = load_monitoring(root)
    return monitoring, load_alert_rules(root, monitoring).for_env("production")


def test_a_one_off_failure_is_tolerated_but_failing_from_two_regions_is_not(history, tmp_path):
    monitoring, rules = rules_dir(
        tmp_path,
        """
rules:
  - {id: repeated, severity: critical, failures: 2, window: 1h, notify: [a@example.com]}
  - {id: regions, severity: critical, failing_regions: 2, window: 1h, notify: [a@example.com]}
slos: {success_rate: 0.5, max_consecutive_failures: 3}
""",
    )
    history.extend(
        every(10, 6, NOW, region="us-east-1") + every(10, 6, NOW, region="eu-west-1"), tmp_path
    )
    history.append(
        simple(NOW - timedelta(minutes=25), Status.FAIL, region="us-east-1", run_id="blip"),
        tmp_path,
    )

    assert evaluate(history, rules, monitoring, env="production", now=NOW).passed

    history.append(
        simple(NOW - timedelta(minutes=15), Status.FAIL, region="eu-west-1", run_id="eu"), tmp_path
    )
    result = evaluate(history, rules, monitoring, env="production", now=NOW)

    assert [v.reason for v in result.violations] == [
        "rule repeated (critical): failures 2 >= 2 over 1h",
        "rule regions (critical): failing from 2 regions",
    ]
    assert result.violations[1].evidence["failing_regions"] == ["eu-west-1", "us-east-1"]


def test_latency_rules_group_by_check_and_slo_p95(history, tmp_path):
    monitoring, rules = rules_dir(
        tmp_path,
        """
rules:
  - {id: slow, severity: warning, metric: smoke_test.check.duration, above: 400, window: 10m,
     group_by: [check], notify: [a@example.com]}
slos: {latency_p95_ms: {smoke_test.check.duration: 450}}
""",
    )
    history.extend(every(5, 4, NOW), tmp_path)

    result = evaluate(history, rules, monitoring, env="production", window_s=1800, now=NOW)

    assert [(v.reason, v.check) for v in result.violations] == [
        ("rule slow (warning): avg smoke_test.check.duration 504 > 400 over 30m", "login_flow"),
        ("SLO latency: smoke_test.check.duration p95 504 ms > 450 ms over 30m", "login_flow"),
    ]


def test_latency_objectives_hold_any_metric_the_history_keeps_narrowed_by_check_and_page(
    history, tmp_path
):
    environments = tmp_path / "config" / "environments"  # what the rules are checked against
    environments.mkdir(parents=True)
    (environments / "production.yaml").write_text(
        (REPO_CONFIG / "environments/production.yaml").read_text()
    )
    monitoring, rules = rules_dir(
        tmp_path,
        """
slos:
  latency:
    - {metric: smoke_test.journey.login_ms, check: [login_flow], p95_ms: 400}
    - {metric: smoke_test.web_vitals.lcp_ms, page: /dashboard, p95_ms: 1000}
    - {metric: smoke_test.web_vitals.lcp_ms, page: /login, p95_ms: 2500}
    - {metric: smoke_test.check.duration, check: [health], p95_ms: 10}
""",
    )
    pages = (
        PageVitals("/login", {"lcp_ms": 3000}),
        PageVitals("/dashboard", {"lcp_ms": 900}),
    )
    for run in every(5, 4, NOW):
        health, login = run.checks
        history.append(replace(run, checks=(health, replace(login, pages=pages))), tmp_path)

    result = evaluate(history, rules, monitoring, env="production", window_s=1800, now=NOW)

    assert [(v.reason, v.check) for v in result.violations] == [
        ("SLO latency: smoke_test.journey.login_ms p95 420 ms > 400 ms over 30m", "login_flow"),
        ("SLO latency: smoke_test.web_vitals.lcp_ms p95 3000 ms > 2500 ms over 30m", "login_flow"),
        ("SLO latency: smoke_test.check.duration p95 36 ms > 10 ms over 30m", "health"),
    ]


def test_no_runs_in_the_window_blocks_unless_the_rules_allow_it(history, tmp_path):
    monitoring, rules = rules_dir(tmp_path, "gate: {require_data: false}\n")
    strict_monitoring, strict = rules_dir(tmp_path / "strict", "gate: {window: 1h}\n")
    history.append(simple(NOW - timedelta(hours=3)), tmp_path)

    assert evaluate(history, rules, monitoring, env="production", now=NOW).passed
    (violation,) = evaluate(
        history, strict, strict_monitoring, env="production", now=NOW
    ).violations
    assert violation.to_dict() == {
        "reason": "no runs in the window",
        "check": None,
        "evidence": {"window": "1h", "latest_run": (NOW - timedelta(hours=3)).isoformat()},
    }


def test_a_bad_window_is_a_usage_error(capsys, tmp_path):
    assert main(["gate", "--env", "production", "--window", "soon", "--output", str(tmp_path)]) == 2
    assert (
        "--window: got 'soon', expected a duration like 90s, 5m, 1h or 7d"
        in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "{id: x, severity: critical, window: 5m, notify: [a@example.com]}",
            "rules[0]: got a mapping, expected exactly one of metric, failures or failing_regions",
        ),
        (
            "{id: x, severity: warning, metric: smoke_test.success, window: 5m, notify: [a@b.c]}",
            "rules[0]: got a mapping, expected exactly one of below, above or slower_than_previous "
            "with a metric",
        ),
        (
            "{id: x, severity: warning, metric: smoke_test.sucess, below: 1, window: 5m, "
            "notify: [a@b.c]}",
            "rules[0].metric: got 'smoke_test.sucess', expected one of: ",
        ),
        (
            "{id: x, severity: critical, failures: 2, window: soon, notify: [a@example.com]}",
            "rules[0].window: got 'soon', expected a duration like 90s, 5m, 1h or 7d",
        ),
        (
            "{id: x, severity: critical, failures: 2, window: 5m, notify: [oncall]}",
            "rules[0].notify[0]: got 'oncall', expected an e-mail address, or slack:#channel",
        ),
        (
            "{id: x, severity: page, failures: 2, window: 5m, notify: [a@example.com]}",
            "rules[0].severity: got 'page': input should be 'critical', 'high', 'medium', "
            "'warning' or 'low'",
        ),
    ],
)
def test_alert_rule_mistakes_are_one_line_naming_the_rule(tmp_path, rule, message):
    from prodsmoke.errors import ConfigError

    with pytest.raises(ConfigError) as error:
        rules_dir(tmp_path, f"rules:\n  - {rule}\n")

    assert str(error.value).startswith(f"{tmp_path}/config/alert-rules.yaml: {message}")


def test_adhoc_and_maintenance_runs_are_kept_but_never_block(history, tmp_path):
    monitoring, rules = rules_dir(
        tmp_path,
        """
rules:
  - {id: repeated, severity: critical, failures: 2, window: 1h, notify: [a@example.com]}
slos: {success_rate: 0.9, max_consecutive_failures: 2}
""",
    )
    history.extend(every(10, 3, NOW - timedelta(minutes=30)), tmp_path)
    by_hand = [
        replace(run, trigger=Trigger.ADHOC)
        for run in every(5, 3, NOW - timedelta(minutes=2), Status.FAIL, region="laptop")
    ]
    in_window = [
        replace(run, maintenance="database upgrade")
        for run in every(5, 3, NOW - timedelta(minutes=1), Status.FAIL, region="eu-west-1")
    ]
    history.extend(by_hand + in_window, tmp_path)

    verdict = evaluate(history, rules, monitoring, env="production", now=NOW)

    assert verdict.passed, verdict.violations
    assert verdict.to_dict()["excluded"] == {"adhoc": 3, "maintenance": 3}
    assert verdict.runs == 3
    assert len(history.runs(env="production")) == 9  # every result is kept


def test_the_counts_never_say_fewer_runs_than_a_violation_stands_on(history, tmp_path):
    monitoring, rules = rules_dir(
        tmp_path,
        """
rules:
  - {id: repeated, severity: critical, failures: 3, window: 2h, notify: [a@example.com]}
gate: {window: 30m}
""",
    )
    # four failed runs, all older than the gate's 30 minutes but inside the rule's 2 hours
    history.extend(every(15, 4, NOW - timedelta(minutes=40), Status.FAIL), tmp_path)

    doc = evaluate(history, rules, monitoring, env="production", now=NOW).to_dict()

    reasons = [v["reason"] for v in doc["violations"]]
    assert reasons[:2] == [
        "no runs in the window",
        "rule repeated (critical): failures 4 >= 3 over 2h",
    ]
    assert doc["violations"][1]["evidence"]["samples"] == 4
    assert (doc["runs"], doc["window_runs"]) == (4, 0)


def test_an_unknown_environment_is_a_usage_error_listing_those_that_exist(capsys, tmp_path):
    output = tmp_path / "out"
    History(output / "history.sqlite").append(simple(NOW, env="staging"), output)

    code = main(
        ["gate", "--env", "nosuchenv", "--config", str(REPO_CONFIG), "--output", str(output)]
    )

    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("smoke: no such environment 'nosuchenv' (environments: production, ")
    assert "staging" in err and "no runs" not in err
    assert err.count("\n") == 1


def test_a_gate_that_cannot_read_the_history_exits_3_never_pass(capsys, tmp_path):
    output = tmp_path / "out"
    output.mkdir()
    (output / "history.sqlite").write_bytes(b"not a database " * 100)

    code = main(
        ["gate", "--env", "production", "--config", str(REPO_CONFIG), "--output", str(output)]
    )

    assert code == 3
    assert capsys.readouterr().out == ""


def test_a_gate_whose_database_is_down_exits_3(capsys, tmp_path, monkeypatch):
    from tests.pg_server import free_port

    monkeypatch.setenv(
        "PRODSMOKE_HISTORY_URL", f"postgresql://smoke:pw-down-0123@127.0.0.1:{free_port()}/smoke"
    )
    code = main(
        ["gate", "--env", "production", "--config", str(REPO_CONFIG), "--output", str(tmp_path)]
    )

    captured = capsys.readouterr()
    assert (code, captured.out) == (3, "")
    assert captured.err.startswith("smoke: run history postgresql://smoke:***@127.0.0.1:")
    assert "pw-down-0123" not in captured.err
