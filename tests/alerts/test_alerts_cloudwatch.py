"""`smoke alerts plan|apply --provider cloudwatch` against a local moto server."""

from __future__ import annotations

import json

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

    code, out, _ = alerts(capsys, config, "apply")

    assert code == 0
    assert (
        "  note: cloudwatch: rule smoke_success_critical: window 5m widened to 30m (runs report "
        "every 30m; missing data is breaching)"
    ) in out
    assert "applied: 6 to create, 0 to change, 0 to remove, 0 unchanged" in out
    alarms = described()
    assert sorted(alarms) == [
        "prodsmoke-production-api_latency_warning",
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
    assert len(alarm_widget["properties"]["alarms"]) == 4

    code, out, _ = alerts(capsys, config, "apply")

    assert code == 0
    assert "nothing to change: 0 to create, 0 to change, 0 to remove, 6 unchanged" in out


def test_an_alarm_no_rule_asks_for_is_removed_and_a_changed_one_updated(
    moto_reset, alerts_config, capsys
):
    config = alerts_config()
    alerts(capsys, config, "apply")
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
    rules = (config / "alert-rules.yaml").read_text().replace("below: 0.9", "below: 0.95")
    (config / "alert-rules.yaml").write_text(rules)

    _, out, _ = alerts(capsys, config, "apply")

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
