"""`smoke alerts plan|apply --provider datadog` against a local, strict Datadog API."""

from __future__ import annotations

from prodsmoke.cli import main

EXPECTED_QUERIES = {
    "smoke_success_critical": (
        "avg(last_5m):avg:smoke_test.success{env:production,scope:run} < 0.9"
    ),
    "api_latency_warning": (
        "avg(last_10m):avg:smoke_test.api_response{env:production,scope:check} > 500"
    ),
    "repeated_failures": (
        "sum(last_2h):sum:smoke_test.failures{env:production,scope:run}.rollup(sum, 60) >= 3"
    ),
    "multi_region_failure": (
        "max(last_1h):count_nonzero(max:smoke_test.failures{env:production,scope:run} by {region}"
        ".rollup(max, 3600)) >= 2"
    ),
    # the runbook's severity model
    "health_check_failing": (
        "max(last_30m):count_nonzero(max:smoke_test.failures{env:production AND scope:check AND "
        "check IN (health, api_v1_health, api_v1_status)} by {check}.rollup(max, 1800)) >= 1"
    ),
    "many_checks_failing": (
        "avg(last_30m):avg:smoke_test.failures{env:production,scope:check} > 0.3"
    ),
    "critical_journey_failing": (
        "max(last_30m):count_nonzero(max:smoke_test.failures{env:production AND scope:check AND "
        "check IN (login_flow, anonymous_enhancement)} by {check}.rollup(max, 1800)) >= 1"
    ),
    "checks_degraded": (
        "max(last_30m):count_nonzero(max:smoke_test.success{env:production,scope:check,"
        "status:warn} by {check}.rollup(max, 1800)) >= 1"
    ),
}
PRIORITIES = {
    "smoke_success_critical": 1,
    "repeated_failures": 1,
    "multi_region_failure": 1,
    "health_check_failing": 1,
    "many_checks_failing": 2,
    "critical_journey_failing": 3,
    "api_latency_warning": 3,
    "checks_degraded": 4,
}


def alerts(capsys, config, *argv):
    code = main(["alerts", *argv, "--provider", "datadog", "--config", str(config)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def by_rule(datadog, env="production"):
    return {
        next(t.split(":", 1)[1] for t in m["tags"] if t.startswith("prodsmoke-rule:")): m
        for m in datadog.monitors.values()
        if f"env:{env}" in m["tags"]
    }


def test_apply_creates_monitors_and_dashboards_per_environment_and_a_second_apply_changes_nothing(
    datadog, alerts_config, capsys
):
    config = alerts_config()

    code, out, _ = alerts(capsys, config, "plan")
    assert code == 0
    assert "datadog (" + datadog.url + "): 10 resources for env production" in out
    assert "datadog (" + datadog.url + "): 4 resources for env staging" in out
    assert "plan: 10 to create, 0 to change, 0 to remove, 0 unchanged" in out
    assert "plan: 4 to create, 0 to change, 0 to remove, 0 unchanged" in out
    assert datadog.writes == []  # planning writes nothing

    code, out, _ = alerts(capsys, config, "apply")
    assert code == 0
    assert "applied: 10 to create" in out
    assert "applied: 4 to create" in out
    assert datadog.rejected == []
    monitors = by_rule(datadog)
    assert {rule: m["query"] for rule, m in monitors.items()} == EXPECTED_QUERIES
    assert {rule: m["priority"] for rule, m in monitors.items()} == PRIORITIES
    critical = monitors["smoke_success_critical"]
    assert critical["name"] == "[prodsmoke] Production smoke tests failing (production)"
    assert critical["message"].endswith("@oncall@betterprompts.com @slack-alerts")
    assert "(critical, P1) for env production" in critical["message"]
    assert critical["options"]["thresholds"] == {"critical": 0.9}
    assert critical["options"]["notify_no_data"] is True
    assert set(critical["tags"]) >= {"managed-by:prodsmoke", "env:production", "severity:critical"}
    warning = monitors["api_latency_warning"]
    assert warning["message"].endswith("\n\n@team@betterprompts.com")
    assert (warning["priority"], warning["options"]["thresholds"]) == (3, {"critical": 500})
    # no warning is the normal state: a warnings monitor does not alert on no data
    assert monitors["checks_degraded"]["options"]["notify_no_data"] is False
    assert "no_data_timeframe" not in monitors["checks_degraded"]["options"]
    # staging runs on demand (missing_data: ignore): its monitors never alert on no data
    staging = by_rule(datadog, "staging")
    assert set(staging) == {"smoke_success_critical", "health_check_failing"}
    assert staging["smoke_success_critical"]["query"] == (
        "avg(last_30m):avg:smoke_test.success{env:staging,scope:run} < 0.9"
    )
    assert staging["smoke_success_critical"]["priority"] == 2  # high
    assert {m["options"]["notify_no_data"] for m in staging.values()} == {False}
    # one pair of dashboards per environment
    titles = sorted(d["title"] for d in datadog.dashboards.values())
    assert titles == [
        "production_health",
        "smoke_test_status",
        "smoke_test_status_staging",
        "staging_health",
    ]
    health = next(d for d in datadog.dashboards.values() if d["title"] == "production_health")
    queries = [r["q"] for w in health["widgets"] for r in w["definition"].get("requests", [])]
    assert "avg:smoke_test.api_response{env:production} by {check}" in queries
    api_widget = next(w for w in health["widgets"] if "API response" in w["definition"]["title"])
    assert api_widget["definition"]["markers"] == [
        {"value": "y = 500", "display_type": "error dashed"}
    ]
    staging_board = next(d for d in datadog.dashboards.values() if d["title"] == "staging_health")
    status = next(w for w in staging_board["widgets"] if w["definition"]["type"] == "manage_status")
    assert status["definition"]["query"] == "tag:managed-by:prodsmoke tag:env:staging"

    writes = len(datadog.writes)
    code, out, _ = alerts(capsys, config, "apply")
    assert code == 0
    assert "nothing to change: 0 to create, 0 to change, 0 to remove, 10 unchanged" in out
    assert "nothing to change: 0 to create, 0 to change, 0 to remove, 4 unchanged" in out
    assert len(datadog.writes) == writes


def test_a_changed_rule_updates_its_monitor_and_a_dropped_rule_removes_it(
    datadog, alerts_config, capsys
):
    config = alerts_config()
    alerts(capsys, config, "apply")
    rules = (config / "alert-rules.yaml").read_text()
    rules = rules.replace("above: 500", "above: 800")
    start = rules.index("      - id: multi_region_failure")
    rules = rules[:start] + rules[rules.index("      # The runbook's severity model") :]
    (config / "alert-rules.yaml").write_text(rules)

    code, out, _ = alerts(capsys, config, "plan", "--env", "production")

    assert (
        "  ~ update   monitor    [prodsmoke] API responses slow (production) "
        "(query, options.thresholds)" in out
    )
    assert (
        "  - remove   monitor    [prodsmoke] Smoke tests failing from several regions (production)"
        in out
    )
    # the dashboard's threshold line follows the rule
    assert "  ~ update   dashboard  production_health (widgets)" in out
    assert "plan: 0 to create, 2 to change, 1 to remove, 7 unchanged" in out
    assert "staging" not in out  # --env production: the other environment is not planned

    alerts(capsys, config, "apply")
    monitors = by_rule(datadog)
    assert set(monitors) == set(EXPECTED_QUERIES) - {"multi_region_failure"}
    assert monitors["api_latency_warning"]["query"].endswith("> 800")
    assert set(by_rule(datadog, "staging")) == {"smoke_success_critical", "health_check_failing"}


def test_one_environment_is_applied_without_touching_another(datadog, alerts_config, capsys):
    config = alerts_config()
    alerts(capsys, config, "apply")
    before = {k: dict(v) for k, v in datadog.monitors.items()}
    boards = set(datadog.dashboards)
    # the file now names production only: staging's monitors and dashboards are not its to remove
    text = (config / "alert-rules.yaml").read_text()
    (config / "alert-rules.yaml").write_text(text[: text.index("  staging:")])

    code, out, _ = alerts(capsys, config, "apply")

    assert code == 0
    assert "nothing to change: 0 to create, 0 to change, 0 to remove, 10 unchanged" in out
    assert "staging" not in out
    assert datadog.monitors == before
    assert set(datadog.dashboards) == boards


def test_a_monitor_edited_by_hand_is_put_back(datadog, alerts_config, capsys):
    config = alerts_config()
    alerts(capsys, config, "apply", "--env", "production")
    edited = by_rule(datadog)["smoke_success_critical"]
    edited["query"] = edited["query"].replace("< 0.9", "< 0.5")
    edited["options"]["thresholds"]["critical"] = 0.5

    _, out, _ = alerts(capsys, config, "apply", "--env", "production")

    assert "~ updated" not in out  # apply prints the plan, then a summary
    assert "applied: 0 to create, 1 to change, 0 to remove, 9 unchanged" in out
    assert by_rule(datadog)["smoke_success_critical"]["query"].endswith("< 0.9")


def test_rules_on_journey_steps_and_checks_become_filtered_monitors(datadog, alerts_config, capsys):
    config = alerts_config(
        "env: production\n"
        "rules:\n"
        "  - {id: login_step_slow, severity: medium, metric: smoke_test.step.duration,\n"
        '     check: login_flow, step: "log in", above: 2000, window: 30m,\n'
        "     notify: [team@example.com]}\n"
        "  - {id: enhancement_slow, severity: low, metric: smoke_test.check.duration,\n"
        "     check: anonymous_enhancement, aggregation: max, above: 6000, window: 30m,\n"
        "     notify: [team@example.com]}\n"
        "  - {id: journeys_lcp, severity: low, metric: smoke_test.web_vitals.lcp_ms,\n"
        "     check: [homepage_load, login_flow], page: /login, above: 2500, window: 1h,\n"
        "     notify: [team@example.com]}\n"
    )

    code, _, err = alerts(capsys, config, "apply")

    assert (code, err) == (0, "")
    assert datadog.rejected == []
    monitors = by_rule(datadog)
    assert monitors["login_step_slow"]["query"] == (
        "avg(last_30m):avg:smoke_test.step.duration{env:production,check:login_flow,"
        "step:log_in} > 2000"
    )
    assert monitors["enhancement_slow"]["query"] == (
        "max(last_30m):max:smoke_test.check.duration{env:production,scope:check,"
        "check:anonymous_enhancement} > 6000"
    )
    assert monitors["journeys_lcp"]["query"] == (
        "avg(last_1h):avg:smoke_test.web_vitals.lcp_ms{env:production AND page:/login AND "
        "check IN (homepage_load, login_flow)} > 2500"
    )
    assert monitors["login_step_slow"]["priority"] == 3


def test_monitors_not_managed_by_prodsmoke_are_left_alone(datadog, alerts_config, capsys):
    other = datadog.new_monitor(
        {
            "name": "someone else's",
            "type": "query alert",
            "tags": ["team:web", "env:production"],
            "query": "avg(last_5m):avg:system.cpu.user{*} > 90",
            "options": {"thresholds": {"critical": 90}},
        }
    )
    datadog.monitors[other["id"]] = other

    alerts(capsys, alerts_config(), "apply")

    assert datadog.monitors[other["id"]]["name"] == "someone else's"
    assert ("DELETE", f"/api/v1/monitor/{other['id']}") not in datadog.writes


def test_a_bad_application_key_is_one_line_without_the_key(
    datadog, alerts_config, capsys, monkeypatch
):
    monkeypatch.setenv("DD_APP_KEY", "not-the-app-key-42")

    code, out, err = alerts(capsys, alerts_config(), "plan")

    assert code == 1
    assert err == (
        "smoke: datadog: cannot list monitors: the API answered HTTP 403 (Forbidden) "
        "(check DD_API_KEY / DD_APP_KEY)\n"
    )
    assert "not-the-app-key-42" not in out + err


def test_without_keys_the_provider_says_which_are_needed(alerts_config, capsys, monkeypatch):
    monkeypatch.delenv("DD_API_KEY", raising=False)
    monkeypatch.delenv("DD_APP_KEY", raising=False)

    code, _, err = alerts(capsys, alerts_config(), "plan")

    assert code == 2
    assert err == (
        "smoke: --provider datadog: set DD_API_KEY and DD_APP_KEY (monitors and dashboards "
        "need both)\n"
    )
