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
}


def alerts(capsys, config, *argv):
    code = main(["alerts", *argv, "--provider", "datadog", "--config", str(config)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def by_rule(datadog):
    return {
        next(t.split(":", 1)[1] for t in m["tags"] if t.startswith("prodsmoke-rule:")): m
        for m in datadog.monitors.values()
    }


def test_apply_creates_monitors_and_dashboards_and_a_second_apply_changes_nothing(
    datadog, alerts_config, capsys
):
    config = alerts_config()

    code, out, _ = alerts(capsys, config, "plan")
    assert code == 0
    assert "plan: 6 to create, 0 to change, 0 to remove, 0 unchanged" in out
    assert datadog.writes == []  # planning writes nothing

    code, out, _ = alerts(capsys, config, "apply")
    assert code == 0
    assert "applied: 6 to create" in out
    assert datadog.rejected == []
    monitors = by_rule(datadog)
    assert {rule: m["query"] for rule, m in monitors.items()} == EXPECTED_QUERIES
    critical = monitors["smoke_success_critical"]
    assert critical["name"] == "[prodsmoke] Production smoke tests failing (production)"
    assert critical["message"].endswith("@oncall@betterprompts.com @slack-alerts")
    assert critical["options"]["thresholds"] == {"critical": 0.9}
    assert critical["options"]["notify_no_data"] is True
    assert critical["priority"] == 1
    assert set(critical["tags"]) >= {"managed-by:prodsmoke", "env:production", "severity:critical"}
    warning = monitors["api_latency_warning"]
    assert warning["message"].endswith("\n\n@team@betterprompts.com")
    assert (warning["priority"], warning["options"]["thresholds"]) == (3, {"critical": 500})
    titles = sorted(d["title"] for d in datadog.dashboards.values())
    assert titles == ["production_health", "smoke_test_status"]
    health = next(d for d in datadog.dashboards.values() if d["title"] == "production_health")
    queries = [r["q"] for w in health["widgets"] for r in w["definition"].get("requests", [])]
    assert "avg:smoke_test.api_response{env:production} by {check}" in queries
    api_widget = next(w for w in health["widgets"] if "API response" in w["definition"]["title"])
    assert api_widget["definition"]["markers"] == [
        {"value": "y = 500", "display_type": "error dashed"}
    ]

    writes = len(datadog.writes)
    code, out, _ = alerts(capsys, config, "apply")
    assert code == 0
    assert "nothing to change: 0 to create, 0 to change, 0 to remove, 6 unchanged" in out
    assert len(datadog.writes) == writes


def test_a_changed_rule_updates_its_monitor_and_a_dropped_rule_removes_it(
    datadog, alerts_config, capsys
):
    config = alerts_config()
    alerts(capsys, config, "apply")
    rules = (config / "alert-rules.yaml").read_text()
    rules = rules.replace("above: 500", "above: 800")
    start = rules.index("  - id: multi_region_failure")
    rules = rules[:start] + rules[rules.index("slos:") :]
    (config / "alert-rules.yaml").write_text(rules)

    code, out, _ = alerts(capsys, config, "plan")

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
    assert "plan: 0 to create, 2 to change, 1 to remove, 3 unchanged" in out

    alerts(capsys, config, "apply")
    monitors = by_rule(datadog)
    assert set(monitors) == set(EXPECTED_QUERIES) - {"multi_region_failure"}
    assert monitors["api_latency_warning"]["query"].endswith("> 800")


def test_a_monitor_edited_by_hand_is_put_back(datadog, alerts_config, capsys):
    config = alerts_config()
    alerts(capsys, config, "apply")
    edited = by_rule(datadog)["smoke_success_critical"]
    edited["query"] = edited["query"].replace("< 0.9", "< 0.5")
    edited["options"]["thresholds"]["critical"] = 0.5

    _, out, _ = alerts(capsys, config, "apply")

    assert "~ updated" not in out  # apply prints the plan, then a summary
    assert "applied: 0 to create, 1 to change, 0 to remove, 5 unchanged" in out
    assert by_rule(datadog)["smoke_success_critical"]["query"].endswith("< 0.9")


def test_monitors_not_managed_by_prodsmoke_are_left_alone(datadog, alerts_config, capsys):
    other = datadog.new_monitor(
        {
            "name": "someone else's",
            "type": "query alert",
            "tags": ["team:web"],
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
