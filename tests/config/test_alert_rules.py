"""alert-rules.yaml: one environment or several, and every name held to what runs measure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from prodsmoke.config.alert_file import hold_to_catalog, load_alert_rules
from prodsmoke.config.alert_rules import AlertRules
from prodsmoke.config.catalog import Catalog
from prodsmoke.config.monitoring import load_monitoring
from prodsmoke.errors import ConfigError
from tests.smoke_cli import DEMO_CONFIG, combined_config

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A config root with the repository's and the demo's environment files, no alert rules."""
    shutil.copytree(REPO_CONFIG / "environments", tmp_path / "environments")
    shutil.copy(DEMO_CONFIG / "environments" / "demo.yaml", tmp_path / "environments")
    return tmp_path


def load(root: Path, text: str | None = None):
    if text is not None:
        (root / "alert-rules.yaml").write_text(text)
    return load_alert_rules(root, load_monitoring(root))


def error(root: Path, text: str, env: str = "production") -> str:
    with pytest.raises(ConfigError) as info:
        load(root, text).for_env(env)
    message = str(info.value)
    assert "\n" not in message
    return message.replace(f"{root}/alert-rules.yaml", "FILE")


RULE = "{id: x, severity: low, window: 30m, notify: [a@b.io], "


def test_the_shipped_file_holds_production_and_staging() -> None:
    file = load(REPO_CONFIG)
    assert file.names == ("production", "staging")
    production = file.for_env("production")
    assert production.env == "production"
    assert [r.severity for r in production.rules] == [
        "critical",
        "warning",
        "critical",
        "critical",
        "critical",
        "high",
        "medium",
        "low",
    ]
    # check_kind is resolved into the ids it covers, from environments/production.yaml
    health = next(r for r in production.rules if r.id == "health_check_failing")
    assert health.check == ("health", "api_v1_health", "api_v1_status")
    journeys = next(r for r in production.rules if r.id == "critical_journey_failing")
    assert journeys.check == ("login_flow", "anonymous_enhancement")
    assert journeys.selects("login_flow") and not journeys.selects("homepage_load")
    # defaults: merged under each environment
    staging = file.for_env("staging")
    assert staging.cloudwatch.sns_topics == production.cloudwatch.sns_topics
    assert (staging.missing_data, production.missing_data) == ("ignore", "alert")
    assert staging.gate.window == 1800
    assert production.rollback.failure_rate_above == 0.5
    assert production.maintenance[0].explain() == (
        "At 03:00 on Sunday UTC, for 1h: weekly database maintenance"
    )


def test_one_environment_form_and_its_name(root: Path) -> None:
    file = load(root, "env: staging\nrules:\n  - " + RULE + "failing_checks: 1}\n")
    assert file.names == ("staging",)
    assert [r.id for r in file.for_env("staging").rules] == ["x"]
    assert error(root, "env: staging\n") == (
        "FILE: env: no alert rules for environment 'production': the file is for staging only "
        "(to hold both, list them under environments:)"
    )


def test_a_file_without_env_applies_to_whichever_is_named_and_alerts_will_not_guess(
    root: Path,
) -> None:
    file = load(root, "rules:\n  - " + RULE + "failing_checks: 1, check_kind: journey}\n")
    assert file.names == ()
    assert file.for_env("staging").env == "staging"
    assert file.for_env("demo").rules[0].check == (
        "homepage_load",
        "anonymous_enhancement",
        "login_flow",
        "example_search",
        "homepage_looks",
        "pricing_plans",
        "dashboard_history",
    )
    assert [r.env for r in file.selected("staging")] == ["staging"]
    with pytest.raises(ConfigError) as info:
        file.selected(None)
    assert str(info.value) == (
        f"{root}/alert-rules.yaml: env: the file names no environment, and smoke alerts will not "
        "guess one: add 'env: NAME' (or an environments: mapping), or pass --env NAME"
    )


def test_no_file_means_no_rules_for_any_environment(root: Path) -> None:
    file = load(root)
    assert file.for_env("production").rules == ()
    assert file.for_env("production").slos.success_rate == 0.9
    with pytest.raises(ConfigError) as info:
        file.selected(None)
    assert str(info.value).startswith(f"{root}/alert-rules.yaml (absent): the file names no")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "environments:\n  production:\n    rules:\n      - " + RULE + "failing_checks: 1, "
            "check: logn_flow}\n",
            "FILE: environments.production.rules[0].check: got 'logn_flow', expected one of: "
            "health, api_v1_health, api_v1_status, api_health, homepage_load, "
            "anonymous_enhancement, login_flow; did you mean 'login_flow'?",
        ),
        (
            "environments:\n  production:\n    rules:\n      - " + RULE + "metric: "
            "smoke_test.step.duraton, above: 1}\n",
            "FILE: environments.production.rules[0].metric: got 'smoke_test.step.duraton', "
            "expected one of: smoke_test.duration, smoke_test.success, smoke_test.failures, "
            "smoke_test.homepage_load, smoke_test.api_response, smoke_test.check.duration, "
            "smoke_test.retries, smoke_test.step.duration, smoke_test.journey.console_errors, "
            "smoke_test.journey.dom_content_loaded_ms, smoke_test.journey.enhancement_ms, "
            "smoke_test.journey.login_ms, smoke_test.journey.logout_ms, "
            "smoke_test.journey.page_load_ms, smoke_test.journey.ttfb_ms, "
            "smoke_test.web_vitals.ttfb_ms, "
            "smoke_test.web_vitals.fcp_ms, smoke_test.web_vitals.lcp_ms, "
            "smoke_test.web_vitals.cls, smoke_test.web_vitals.inp_ms, "
            "smoke_test.web_vitals.requests, smoke_test.web_vitals.transfer_bytes; did you mean "
            "'smoke_test.step.duration'?",
        ),
        (
            "environments:\n  production:\n    rules:\n      - " + RULE + "metric: "
            "smoke_test.journey.search_ms, above: 1}\n",
            "FILE: environments.production.rules[0].metric: got 'smoke_test.journey.search_ms', "
            "expected one of: smoke_test.duration,",
        ),
        (
            "environments:\n  production:\n    rules:\n      - " + RULE + "metric: "
            "smoke_test.step.duration, check: health, step: open, above: 1}\n",
            "FILE: environments.production.rules[0].check: smoke_test.step.duration comes from "
            "journeys; 'health' is a health check",
        ),
        (
            "defaults:\n  critical_journeys: [health]\nenvironments:\n  production: {}\n",
            "FILE: defaults.critical_journeys: 'health' is a health check; expected a journey",
        ),
        (
            "environments:\n  production:\n    rollback: {critical_journey_failing: true}\n",
            "FILE: environments.production.rollback.critical_journey_failing: list the journeys "
            "under critical_journeys:",
        ),
        (
            "environments:\n  production:\n    uptime: {checks: [login_flow]}\n",
            "FILE: environments.production.uptime.checks: 'login_flow' is a journey check; "
            "expected a health or api",
        ),
        (
            "environments:\n  production:\n    slos:\n      latency:\n        - {metric: "
            "smoke_test.check.duration, check: [login_flow, logout], p95_ms: 900}\n",
            "FILE: environments.production.slos.latency[0].check[1]: got 'logout', expected one "
            "of: ",
        ),
        (
            "environments:\n  production:\n    rules:\n      - " + RULE + "warning_checks: 1}\n"
            "      - " + RULE + "failing_checks: 2}\n",
            "FILE: environments.production.rules[1].id: duplicate rule id 'x'",
        ),
        (
            "environments:\n  Production: {}\n",
            "FILE: environments.Production: got 'Production', expected an environment name like "
            "staging",
        ),
        (
            "rules: []\nenvironments:\n  production: {}\n",
            "FILE: rules: with environments:, put it under defaults: or under an environment",
        ),
        (
            "environments:\n  production:\n    rules:\n      - " + RULE + "failing_share: 1.5}\n",
            "FILE: environments.production.rules[0].failing_share: got 1.5, expected a share 0-1, "
            "e.g. 0.3",
        ),
        (
            "environments:\n  production:\n    rules:\n      - " + RULE + "failures: 2, "
            "check_kind: health}\n",
            "FILE: environments.production.rules[0]: got a mapping: failures counts runs; to "
            "count checks use failing_checks",
        ),
        (
            "environments:\n  production:\n    rules:\n      - " + RULE + "failing_checks: 1, "
            "group_by: [region]}\n",
            "FILE: environments.production.rules[0]: got a mapping: group_by goes with metric and "
            "failures rules, not failing_checks",
        ),
        (
            "environments:\n  production:\n    maintenance:\n      - {cron: '0 3 * *', "
            "duration: 1h, reason: patching}\n",
            "FILE: environments.production.maintenance[0].cron: got '0 3 * *', expected 5 fields "
            "(minute hour day-of-month month day-of-week), got 4; e.g. '0 3 * * SUN'",
        ),
        (
            "environments:\n  production:\n    maintenance:\n      - {cron: '0 25 * * *', "
            "duration: 1h, reason: patching}\n",
            "FILE: environments.production.maintenance[0].cron: got '0 25 * * *', expected a cron "
            "expression like '0 3 * * SUN' (Bad hour)",
        ),
        (
            "environments:\n  production:\n    maintenance:\n      - {cron: '0 3 * * SUN', "
            "duration: an hour, reason: patching}\n",
            "FILE: environments.production.maintenance[0].duration: got 'an hour', expected a "
            "duration like 30m, 1h or 2h30m",
        ),
        (
            "environments:\n  production:\n    maintenance:\n      - {cron: '0 3 * * SUN', "
            "duration: 1h}\n",
            "FILE: environments.production.maintenance[0].reason: required key is missing; "
            "expected why, for the people who see it",
        ),
    ],
)
def test_mistakes_are_one_line_naming_key_value_and_what_exists(
    root: Path, text: str, message: str
) -> None:
    assert error(root, text).startswith(message)


def test_rules_naming_checks_need_the_environment_file(root: Path) -> None:
    assert error(root, "rules:\n  - " + RULE + "failing_checks: 1, check: health}\n", "qa") == (
        "FILE: rules[0].check: got 'health', but check ids cannot be checked: there is no "
        "environment file to read them from"
    )
    # rules on built-in metrics need none
    assert load(root, "rules:\n  - " + RULE + "failures: 2}\n").for_env("qa").rules[0].id == "x"


def test_the_catalog_is_data_a_caller_may_bring() -> None:
    """Custom journeys (issue 10) extend the catalog; rules on their steps and metrics hold."""
    catalog = Catalog(
        checks={"health": "health", "search": "journey", "checkout": "journey"},
        steps={"search": frozenset({"open results", "filter"})},
        metrics=frozenset({"results_ms"}),
    )
    raw = {
        "env": "shop",
        "critical_journeys": ["checkout"],
        "rules": [
            {
                "id": "a",
                "severity": "medium",
                "metric": "smoke_test.step.duration",
                "check": "search",
                "step": "filter",
                "above": 900,
                "window": "30m",
                "notify": ["a@b.io"],
            },
            {
                "id": "b",
                "severity": "low",
                "metric": "smoke_test.journey.results_ms",
                "above": 400,
                "window": "30m",
                "notify": ["a@b.io"],
            },
            {
                "id": "c",
                "severity": "medium",
                "failing_checks": 1,
                "check_kind": "critical_journey",
                "window": "30m",
                "notify": ["a@b.io"],
            },
        ],
    }
    rules = hold_to_catalog(AlertRules.model_validate(raw), catalog)
    assert [r.check for r in rules.rules] == [("search",), (), ("checkout",)]
    assert rules.checks == ("health", "search", "checkout")

    raw["rules"][0]["step"] = "filters"  # type: ignore[index]
    with pytest.raises(ConfigError) as info:
        hold_to_catalog(AlertRules.model_validate(raw), catalog)
    assert str(info.value) == (
        "alert-rules.yaml: rules[0].step: got 'filters', expected one of: filter, open results; "
        "did you mean 'filter'?"
    )
    raw["rules"][0]["step"] = "filter"  # type: ignore[index]
    raw["rules"][1]["metric"] = "smoke_test.journey.result_ms"  # type: ignore[index]
    with pytest.raises(ConfigError) as info:
        hold_to_catalog(AlertRules.model_validate(raw), catalog)
    assert str(info.value).endswith("did you mean 'smoke_test.journey.results_ms'?")


def test_the_gate_reads_one_environment_with_todays_attribute_names(root: Path) -> None:
    rules = load(root, "environments:\n  production:\n    gate: {window: 1h}\n").for_env(
        "production"
    )
    # what prodsmoke.history.gate uses
    assert rules.gate.window == 3600
    assert rules.gate.require_data is True
    assert rules.slos.max_consecutive_failures == 3
    assert rules.rules == ()


def test_the_gate_refuses_an_environment_the_rules_do_not_name(tmp_path: Path, capsys) -> None:
    from prodsmoke.cli import main

    # demo is configured (environments/demo.yaml) but the rules name production and staging
    config = combined_config(tmp_path / "project")
    code = main(["gate", "--env", "demo", "--config", str(config), "--output", str(tmp_path)])

    assert code == 2
    assert capsys.readouterr().err == (
        f"smoke: {config}/alert-rules.yaml: environments: no alert rules for environment "
        "'demo'; the file has: production, staging\n"
    )
    # qa is neither configured nor recorded: the name itself is wrong (issue 9)
    code = main(["gate", "--env", "qa", "--config", str(config), "--output", str(tmp_path)])
    assert code == 2
    assert capsys.readouterr().err.startswith(
        "smoke: no such environment 'qa' (environments: demo, production, staging;"
    )
