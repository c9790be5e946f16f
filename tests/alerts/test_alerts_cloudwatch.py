"""`smoke alerts plan|apply --provider cloudwatch` against a local moto server."""

from __future__ import annotations

import json
import shutil

import boto3
import pytest

from prodsmoke.cli import main

SNS = "arn:aws:sns:us-east-1:123456789012:"


def alerts(capsys, config, *argv):
    code = main(["alerts", *argv, "--provider", "cloudwatch", "--config", str(config)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def described():
    client = boto3.client("cloudwatch", region_name="us-east-1")
    return {a["AlarmName"]: a for a in client.describe_alarms()["MetricAlarms"]}


def test_apply_creates_alarms_and_dashboards_and_a_second_apply_changes_nothing(
    moto_reset, alerts_config, capsys
):
    config = alerts_config()

    code, out, _ = alerts(capsys, config, "apply", "--env", "production")

    assert code == 0
    assert (
        "  note: cloudwatch: rule smoke_success_critical: window 5m widened to 30m (runs report "
        "every 30m; missing data is breaching)"
    ) in out
    # warnings need the status dimension, which the reporter does not publish by default
    assert (
        "  note: cloudwatch: rule checks_degraded: left out: warnings need the status dimension; "
        "publish [env, status] under cloudwatch.dimension_sets in monitoring-integration.yaml"
    ) in out
    assert "applied: 9 to create, 0 to change, 0 to remove, 0 unchanged" in out
    alarms = described()
    assert sorted(alarms) == [
        "prodsmoke-production-api_latency_warning",
        "prodsmoke-production-critical_journey_failing",
        "prodsmoke-production-health_check_failing",
        "prodsmoke-production-many_checks_failing",
        "prodsmoke-production-multi_region_failure",
        "prodsmoke-production-repeated_failures",
        "prodsmoke-production-smoke_success_critical",
    ]
    success = alarms["prodsmoke-production-smoke_success_critical"]
    assert {
        k: success[k] for k in ("Namespace", "MetricName", "Statistic", "Period", "Threshold")
    } == {
        "Namespace": "Prodsmoke",
        "MetricName": "smoke_test.success",
        "Statistic": "Average",
        "Period": 1800,
        "Threshold": 0.9,
    }
    assert success["ComparisonOperator"] == "LessThanThreshold"
    assert success["TreatMissingData"] == "breaching"
    assert success["Dimensions"] == [
        {"Name": "env", "Value": "production"},
        {"Name": "scope", "Value": "run"},
    ]
    assert success["AlarmActions"] == [f"{SNS}smoke-alerts-slack", f"{SNS}smoke-oncall"]
    assert success["OKActions"] == success["AlarmActions"]
    latency = alarms["prodsmoke-production-api_latency_warning"]
    assert (latency["Threshold"], latency["ComparisonOperator"]) == (500, "GreaterThanThreshold")
    assert latency["Dimensions"][1] == {"Name": "scope", "Value": "check"}
    assert latency["AlarmActions"] == [f"{SNS}smoke-team"]
    repeated = alarms["prodsmoke-production-repeated_failures"]
    assert (repeated["MetricName"], repeated["Statistic"], repeated["Period"]) == (
        "smoke_test.failures",
        "Sum",
        7200,
    )
    assert repeated["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    regions = alarms["prodsmoke-production-multi_region_failure"]
    expression = regions["Metrics"][-1]
    assert expression["Expression"] == (
        "IF(FILL(r0, 0) > 0, 1, 0) + IF(FILL(r1, 0) > 0, 1, 0) + IF(FILL(r2, 0) > 0, 1, 0)"
    )
    assert [m["MetricStat"]["Metric"]["Dimensions"][1] for m in regions["Metrics"][:-1]] == [
        {"Name": "region", "Value": r} for r in ("us-east-1", "us-west-2", "eu-west-1")
    ]
    client = boto3.client("cloudwatch", region_name="us-east-1")
    names = sorted(d["DashboardName"] for d in client.list_dashboards()["DashboardEntries"])
    assert names == ["production_health", "smoke_test_status"]
    health = json.loads(client.get_dashboard(DashboardName="production_health")["DashboardBody"])
    alarm_widget = next(w for w in health["widgets"] if w["type"] == "alarm")
    assert len(alarm_widget["properties"]["alarms"]) == 7
    # the runbook's severities lead each description; CloudWatch has no priorities
    assert success["AlarmDescription"].startswith("[critical P1] Production smoke tests failing")
    share = alarms["prodsmoke-production-many_checks_failing"]
    assert share["AlarmDescription"].startswith("[high P2] ")
    assert (share["MetricName"], share["Statistic"], share["Threshold"]) == (
        "smoke_test.failures",
        "Average",
        0.3,
    )
    assert share["ComparisonOperator"] == "GreaterThanThreshold"
    assert share["Dimensions"] == [
        {"Name": "env", "Value": "production"},
        {"Name": "scope", "Value": "check"},
    ]
    health_checks = alarms["prodsmoke-production-health_check_failing"]
    assert [
        m["MetricStat"]["Metric"]["Dimensions"]
        for m in health_checks["Metrics"]
        if "MetricStat" in m
    ] == [
        [
            {"Name": "check", "Value": check},
            {"Name": "env", "Value": "production"},
            {"Name": "scope", "Value": "check"},
        ]
        for check in ("health", "api_v1_health", "api_v1_status")
    ]
    assert health_checks["Metrics"][-1]["Expression"] == (
        "IF(FILL(r0, 0) > 0, 1, 0) + IF(FILL(r1, 0) > 0, 1, 0) + IF(FILL(r2, 0) > 0, 1, 0)"
    )
    journeys = alarms["prodsmoke-production-critical_journey_failing"]
    assert journeys["AlarmDescription"].startswith("[medium P3] ")
    assert len(journeys["Metrics"]) == 3  # login_flow, anonymous_enhancement, the sum

    code, out, _ = alerts(capsys, config, "apply", "--env", "production")

    assert code == 0
    assert "nothing to change: 0 to create, 0 to change, 0 to remove, 9 unchanged" in out


def test_each_environment_gets_its_own_alarms_and_dashboards(moto_reset, alerts_config, capsys):
    config = alerts_config()

    code, out, _ = alerts(capsys, config, "apply")

    assert code == 0
    assert "applied: 9 to create, 0 to change, 0 to remove, 0 unchanged" in out
    assert "applied: 4 to create, 0 to change, 0 to remove, 0 unchanged" in out
    alarms = described()
    staging = sorted(a for a in alarms if a.startswith("prodsmoke-staging-"))
    assert staging == [
        "prodsmoke-staging-health_check_failing",
        "prodsmoke-staging-smoke_success_critical",
    ]
    # staging runs on demand: no data is not breaching there
    assert {alarms[a]["TreatMissingData"] for a in staging} == {"notBreaching"}
    assert alarms["prodsmoke-staging-smoke_success_critical"]["AlarmDescription"].startswith(
        "[high P2] Staging smoke tests failing"
    )
    client = boto3.client("cloudwatch", region_name="us-east-1")
    names = sorted(d["DashboardName"] for d in client.list_dashboards()["DashboardEntries"])
    assert names == [
        "production_health",
        "smoke_test_status",
        "smoke_test_status_staging",
        "staging_health",
    ]
    board = json.loads(client.get_dashboard(DashboardName="staging_health")["DashboardBody"])
    alarm_widget = next(w for w in board["widgets"] if w["type"] == "alarm")
    assert all(":alarm:prodsmoke-staging-" in a for a in alarm_widget["properties"]["alarms"])

    code, out, _ = alerts(capsys, config, "plan", "--env", "staging")
    assert "plan: 0 to create, 0 to change, 0 to remove, 4 unchanged" in out
    assert "production" not in out


def test_an_alarm_no_rule_asks_for_is_removed_and_a_changed_one_updated(
    moto_reset, alerts_config, capsys
):
    config = alerts_config()
    alerts(capsys, config, "apply", "--env", "production")
    client = boto3.client("cloudwatch", region_name="us-east-1")
    client.put_metric_alarm(
        AlarmName="prodsmoke-production-old_rule",
        MetricName="x",
        Namespace="Prodsmoke",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
    )
    client.put_metric_alarm(
        AlarmName="someone-elses-alarm",
        MetricName="x",
        Namespace="Other",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
    )
    rules = (config / "alert-rules.yaml").read_text().replace("below: 0.9", "below: 0.95", 1)
    (config / "alert-rules.yaml").write_text(rules)

    _, out, _ = alerts(capsys, config, "apply", "--env", "production")

    assert "  - remove   alarm      prodsmoke-production-old_rule" in out
    assert "  ~ update   alarm      prodsmoke-production-smoke_success_critical (Threshold)" in out
    alarms = described()
    assert "prodsmoke-production-old_rule" not in alarms
    assert "someone-elses-alarm" in alarms
    assert alarms["prodsmoke-production-smoke_success_critical"]["Threshold"] == 0.95


def test_a_recipient_without_an_sns_topic_is_a_config_error(moto_reset, alerts_config, capsys):
    config = alerts_config(
        "env: production\n"
        "rules:\n  - {id: x, severity: warning, failures: 2, window: 1h, notify: [a@b.io]}\n"
    )

    code, _, err = alerts(capsys, config, "plan")

    assert code == 2
    assert err == (
        f"smoke: {config}/alert-rules.yaml: rules[0].notify: 'a@b.io' has no SNS topic; "
        "add it under cloudwatch.sns_topics\n"
    )


@pytest.mark.parametrize("group", ["region", "check"])
def test_grouped_rules_need_the_values_listed_for_cloudwatch(
    moto_reset, alerts_config, capsys, group
):
    config = alerts_config(
        "env: production\ncloudwatch: {sns_topics: {a@b.io: t}}\nrules:\n"
        f"  - {{id: x, severity: warning, metric: smoke_test.check.duration, above: 900, "
        f"window: 30m, group_by: [{group}], notify: [a@b.io]}}\n"
    )
    shutil.rmtree(config / "environments")  # check ids then come from `checks:` alone

    code, _, err = alerts(capsys, config, "plan")

    assert code == 2
    assert (
        f"rules[0].group_by: CloudWatch needs one alarm per {group}: list them under {group}s:"
        in err
    )

    text = (config / "alert-rules.yaml").read_text()
    (config / "alert-rules.yaml").write_text(f"{group}s: [one, two]\n" + text)
    code, out, _ = alerts(capsys, config, "plan")
    assert code == 0
    assert "  + create   alarm      prodsmoke-production-x-one" in out
    assert "  + create   alarm      prodsmoke-production-x-two" in out


def test_per_check_alarms_default_to_the_checks_of_the_environment(
    moto_reset, alerts_config, capsys
):
    config = alerts_config(
        "env: production\ncloudwatch: {sns_topics: {a@b.io: t}}\nrules:\n"
        "  - {id: x, severity: low, metric: smoke_test.check.duration, above: 900, "
        "window: 30m, group_by: [check], notify: [a@b.io]}\n"
        "  - {id: journeys, severity: low, metric: smoke_test.retries, above: 1, "
        "window: 30m, check: [login_flow, homepage_load], notify: [a@b.io]}\n"
    )

    code, out, _ = alerts(capsys, config, "apply")

    assert code == 0
    alarms = described()
    per_check = sorted(a.removeprefix("prodsmoke-production-x-") for a in alarms if "-x-" in a)
    assert per_check == sorted(
        [
            "health",
            "api_v1_health",
            "api_v1_status",
            "api_health",
            "homepage_load",
            "anonymous_enhancement",
            "login_flow",
        ]
    )
    # a rule on several checks is one alarm per check, and the plan says why
    assert (
        "  note: cloudwatch: rule journeys: one alarm per check (login_flow, homepage_load): an "
        "alarm watches one dimension set"
    ) in out
    assert alarms["prodsmoke-production-journeys-login_flow"]["Dimensions"] == [
        {"Name": "check", "Value": "login_flow"},
        {"Name": "env", "Value": "production"},
        {"Name": "scope", "Value": "check"},
    ]


def test_a_step_alarm_needs_its_dimension_set_published(moto_reset, alerts_config, capsys):
    config = alerts_config(
        "env: production\ncloudwatch: {sns_topics: {a@b.io: t}}\nrules:\n"
        "  - {id: login_step, severity: medium, metric: smoke_test.step.duration, "
        "check: login_flow, step: log in, above: 2000, window: 30m, notify: [a@b.io]}\n"
    )

    code, _, err = alerts(capsys, config, "plan")

    assert code == 2
    assert err == (
        f"smoke: {config}/alert-rules.yaml: rules[0].metric: CloudWatch alarms watch one exact "
        "dimension set and [check, env, step] is not published: add it under "
        "cloudwatch.dimension_sets in monitoring-integration.yaml\n"
    )

    monitoring = (config / "monitoring-integration.yaml").read_text()
    (config / "monitoring-integration.yaml").write_text(
        monitoring.replace(
            "region: us-east-1}",
            "region: us-east-1, dimension_sets: [[env], [env, check], [env, check, step]]}",
        )
    )
    code, _, _ = alerts(capsys, config, "apply")
    assert code == 0
    alarm = described()["prodsmoke-production-login_step"]
    assert alarm["Dimensions"] == [
        {"Name": "check", "Value": "login_flow"},
        {"Name": "env", "Value": "production"},
        {"Name": "scope", "Value": "check"},
        {"Name": "step", "Value": "log_in"},
    ]
