"""`smoke gate --version` / `--commit` (issue 22): one deploy's runs against the version before —
latency p50/p95 and Web Vitals p75 per check and page, failures, new errors — and the
`slower_than_previous` rule form; deploy runs stay out of the window gate."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from prodsmoke.cli import main
from prodsmoke.config.alert_rules import AlertRules
from prodsmoke.config.monitoring import Monitoring
from prodsmoke.history import History
from prodsmoke.history.compare import evaluate_version
from prodsmoke.history.gate import evaluate
from prodsmoke.results import CheckKind, PageVitals, Status, Trigger
from tests.history.history_seed import NOW, result, run

MONITORING = Monitoring()
SLOWER = {
    "id": "homepage_slower",
    "severity": "high",
    "metric": "smoke_test.homepage_load",
    "slower_than_previous": "20%",
}
LCP_SLOWER = {
    "id": "lcp_slower",
    "severity": "medium",
    "metric": "smoke_test.web_vitals.lcp_ms",
    "page": "/",
    "slower_than_previous": "50%",
}


def rules(*rule: dict) -> AlertRules:
    return AlertRules.model_validate({"env": "production", "rules": list(rule)})


def deploy_run(at, version, *, home=650.0, lcp=900.0, login=Status.PASS, region="us-east-1",
               trigger=Trigger.DEPLOY, commit=None):  # fmt: skip
    home_check = replace(
        result("homepage_load", latency=home, kind=CheckKind.JOURNEY, key="page_load_ms"),
        pages=(PageVitals("/", {"lcp_ms": lcp, "cls": 0.01}),),
    )
    checks = (
        result("health", latency=30),
        home_check,
        result("login_flow", login, 420, kind=CheckKind.JOURNEY, key="login_ms"),
    )
    return replace(run(at, checks, region=region), trigger=trigger, version=version, commit=commit)


@pytest.fixture
def two_versions(history, tmp_path):
    """1.4.1 deployed 3 h ago (a deploy run, then scheduled runs tagged 1.4.1 from two regions),
    1.4.2 deployed 20 minutes ago with a homepage twice as slow."""
    older = [deploy_run(NOW - timedelta(hours=3), "1.4.1", home=600, lcp=800)]
    for step in range(1, 5):
        for region in ("us-east-1", "eu-west-1"):
            at = NOW - timedelta(hours=3) + timedelta(minutes=30 * step)
            older.append(
                deploy_run(at, "1.4.1", home=640, lcp=850, region=region,
                           trigger=Trigger.SCHEDULED)
            )  # fmt: skip
    newer = [
        deploy_run(NOW - timedelta(minutes=20), "1.4.2", home=1300, lcp=1500),
        deploy_run(NOW - timedelta(minutes=19), "1.4.2", home=1340, lcp=1450, region="eu-west-1"),
    ]
    history.extend(older + newer, tmp_path)
    return history


def test_a_version_is_compared_with_the_one_before_check_by_check(two_versions):
    verdict = evaluate_version(
        two_versions, rules(), MONITORING, env="production", key="version", value="1.4.2",
        now=NOW,
    ).to_dict()  # fmt: skip

    assert verdict["pass"] is True  # slower, but no rule asks: the numbers are there to read
    assert (verdict["version"], verdict["runs"], verdict["regions"]) == (
        "1.4.2",
        2,
        ["eu-west-1", "us-east-1"],
    )
    assert verdict["previous"]["version"] == "1.4.1" and verdict["previous"]["runs"] == 9
    home = next(c for c in verdict["checks"] if c["check"] == "homepage_load")
    assert (home["p50_ms"], home["previous_p50_ms"], home["runs"], home["previous_runs"]) == (
        1320.0,
        640.0,
        2,
        9,
    )
    assert home["p50_change"] == pytest.approx(1320 / 640 - 1, abs=1e-4)
    assert home["p95_ms"] == pytest.approx(1338.0)
    page = verdict["pages"][0]
    assert (page["check"], page["page"], page["p75"]["lcp_ms"], page["previous_p75"]["lcp_ms"]) == (
        "homepage_load",
        "/",
        1487.5,
        850.0,
    )
    assert verdict["new_errors"] == [] and verdict["notes"] == []


def test_a_slower_than_previous_rule_closes_the_gate_on_the_median_and_lcp_p75(two_versions):
    verdict = evaluate_version(
        two_versions, rules(SLOWER, LCP_SLOWER), MONITORING, env="production", key="version",
        value="1.4.2", now=NOW,
    )  # fmt: skip

    assert not verdict.passed
    reasons = [v.reason for v in verdict.violations]
    assert reasons == [
        "rule homepage_slower (high): homepage_load's smoke_test.homepage_load p50 1320 is "
        "+106% on 1.4.1's 640 (more than +20%)",
        "rule lcp_slower (medium): homepage_load's smoke_test.web_vitals.lcp_ms p75 1488 is "
        "+75% on 1.4.1's 850 (more than +50%)",
    ]
    assert verdict.violations[0].check == "homepage_load"
    assert verdict.violations[0].evidence["samples"] == 2
    # the previous version, judged against the one before it: as fast, so it passes
    earlier = evaluate_version(
        two_versions, rules(SLOWER), MONITORING, env="production", key="version",
        value="1.4.1", now=NOW,
    )  # fmt: skip
    assert earlier.passed and earlier.previous is None
    assert earlier.notes == (
        "no earlier version in the window to compare with: judged on failures alone",
    )


def test_a_check_failing_in_the_new_version_closes_the_gate_naming_its_new_error(history, tmp_path):
    history.extend(
        [
            deploy_run(NOW - timedelta(hours=2), "1.4.1", commit="aaaa1111bbbb"),
            deploy_run(NOW - timedelta(minutes=10), "1.4.2", login=Status.FAIL,
                       commit="cccc2222dddd"),
            deploy_run(NOW - timedelta(minutes=9), "1.4.2", region="eu-west-1",
                       commit="cccc2222dddd"),
        ],
        tmp_path,
    )  # fmt: skip

    verdict = evaluate_version(
        history, rules(), MONITORING, env="production", key="commit", value="cccc222",
        now=NOW,
    ).to_dict()  # fmt: skip

    assert verdict["commit"] == "cccc2222dddd"  # the short SHA, resolved
    assert verdict["previous"]["commit"] == "aaaa1111bbbb"
    [failure] = verdict["violations"]
    assert failure["reason"] == (
        "login_flow failed in 1 of 2 runs of commit cccc2222dddd (previous commit "
        "aaaa1111bbbb: 0 of 1)"
    )
    [new] = verdict["new_errors"]
    assert (new["check"], new["runs"], new["regions"]) == ("login_flow", 1, ["us-east-1"])
    assert failure["evidence"]["new_errors"] == [new["fingerprint"]]


def test_no_runs_of_the_version_is_a_violation_and_deploy_runs_stay_out_of_the_window_gate(
    two_versions,
):
    verdict = evaluate_version(
        two_versions, rules(), MONITORING, env="production", key="version", value="1.5.0",
        now=NOW,
    ).to_dict()  # fmt: skip
    assert verdict["pass"] is False
    assert verdict["violations"][0]["reason"] == "no runs of version 1.5.0 in the window"
    assert verdict["violations"][0]["evidence"]["versions_seen"] == ["1.4.1", "1.4.2"]

    window = evaluate(
        two_versions, rules(SLOWER), MONITORING, env="production", window_s=4 * 3600, now=NOW
    )
    assert window.excluded == {"deploy": 3}
    assert (window.passed, window.window_runs) == (True, 8)  # the scheduled runs, and they pass


def test_the_command_prints_the_verdict_and_exits_1_when_blocked(tmp_path, capsys):
    config = tmp_path / "config"
    config.mkdir()
    (config / "alert-rules.yaml").write_text(
        "env: production\nrules:\n"
        "  - {id: homepage_slower, severity: high, metric: smoke_test.homepage_load, "
        "slower_than_previous: 20%}\n"
    )
    # the gate sends nothing: the notifiers' variables are not needed (a pipeline's gate step
    # is not given the Slack webhook)
    (config / "monitoring-integration.yaml").write_text(
        'notifiers: [{kind: slack, webhook_url: "${SLACK_WEBHOOK_URL_NOT_SET}"}]\n'
    )
    history = History(tmp_path / "history.sqlite")
    history.extend(
        [deploy_run(NOW - timedelta(hours=1), "1.0.0"),
         deploy_run(NOW - timedelta(minutes=5), "1.1.0", home=900)],
        tmp_path,
    )  # fmt: skip
    common = ["--env", "production", "--config", str(config), "--history", str(history.path)]

    assert main(["gate", *common, "--version", "1.1.0"]) == 1
    verdict = json.loads(capsys.readouterr().out)
    assert [v["check"] for v in verdict["violations"]] == ["homepage_load"]
    assert main(["gate", *common, "--version", "1.0.0"]) == 0
    capsys.readouterr()

    assert main(["gate", *common, "--version", "1.0 beta"]) == 2
    assert capsys.readouterr().err == (
        "smoke: --version: got '1.0 beta', expected a version label (letters, digits and "
        "._+/-, at most 64), e.g. 1.4.2\n"
    )
    assert main(["gate", *common, "--version", "1", "--commit", "abcdef1"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "{id: x, severity: high, metric: smoke_test.homepage_load, slower_than_previous: 20}",
            "rules[0].slower_than_previous: got 20, expected a percentage like 20% (more than "
            "0%, at most 1000%)",
        ),
        (
            "{id: x, severity: high, metric: smoke_test.success, slower_than_previous: 20%}",
            "rules[0]: got a mapping: slower_than_previous compares timings; smoke_test.success "
            "is not one (give it below or above)",
        ),
        (
            "{id: x, severity: high, failures: 2, slower_than_previous: 20%}",
            "rules[0]: got a mapping: slower_than_previous goes with a metric; the other forms "
            "hold their own",
        ),
        (
            "{id: x, severity: high, metric: smoke_test.homepage_load, above: 900, "
            "slower_than_previous: 20%}",
            "rules[0]: got a mapping, expected exactly one of below, above or "
            "slower_than_previous with a metric",
        ),
        (
            "{id: x, severity: high, metric: smoke_test.homepage_load, window: 5m, "
            "notify: [a@b.io]}",
            "rules[0]: got a mapping, expected exactly one of below, above or "
            "slower_than_previous with a metric",
        ),
        (
            "{id: x, severity: high, failures: 2, window: 5m, notify: []}",
            "rules[0].notify: got a list, expected at least one recipient: an e-mail address, "
            "or slack:#channel, pagerduty:SERVICE, opsgenie:TEAM, webhook:NAME, teams:CHANNEL",
        ),
    ],
)
def test_the_regression_form_is_validated_like_the_rest(tmp_path: Path, rule, message, capsys):
    config = tmp_path / "config"
    config.mkdir()
    (config / "alert-rules.yaml").write_text(f"env: production\nrules:\n  - {rule}\n")
    code = main(["gate", "--env", "production", "--config", str(config), "--output",
                 str(tmp_path)])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert err == f"smoke: {config}/alert-rules.yaml: {message}\n"


def test_the_window_gate_judges_a_rule_narrowed_to_one_page(history, tmp_path):
    # found on the way: a `page:` rule never matched a check in the window gate
    history.append(deploy_run(NOW - timedelta(minutes=5), None, lcp=5000,
                              trigger=Trigger.SCHEDULED), tmp_path)  # fmt: skip
    rule = {"id": "lcp", "severity": "high", "metric": "smoke_test.web_vitals.lcp_ms",
            "page": "/", "above": 2500, "window": "30m", "notify": ["a@b.io"]}  # fmt: skip

    verdict = evaluate(history, rules(rule), MONITORING, env="production", now=NOW)

    assert [v.reason for v in verdict.violations] == [
        "rule lcp (high): avg smoke_test.web_vitals.lcp_ms 5000 > 2500 over 30m"
    ]
