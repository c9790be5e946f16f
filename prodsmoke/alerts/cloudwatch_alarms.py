"""Alert rules as CloudWatch alarms (`put_metric_alarm` arguments).

Missing data is breaching (SPEC §7), which only means "the suite stopped reporting" if every
period can hold a run: a period is therefore never shorter than `expect_data_every` (the
schedule), and `smoke alerts plan` says so when it widens a rule's window. An alarm watches one
exact dimension set, which the CloudWatch reporter publishes (`scope`, `env`, and `region` or
`check` for grouped rules); grouping and "failing from K regions" need the values listed in
alert-rules.yaml (`regions:`, `checks:`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prodsmoke.alerts.plan import Resource
from prodsmoke.config.alert_rules import ALERT_RULES_FILE
from prodsmoke.config.monitoring import format_duration
from prodsmoke.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from prodsmoke.config.alert_rules import AlertRules, Rule
    from prodsmoke.config.monitoring import Monitoring

PREFIX = "prodsmoke"
STATISTIC = {"avg": "Average", "min": "Minimum", "max": "Maximum", "sum": "Sum"}
OPERATOR = {
    "<": "LessThanThreshold",
    ">": "GreaterThanThreshold",
    ">=": "GreaterThanOrEqualToThreshold",
}
MAX_REGIONS = 9  # an alarm's metric math takes at most 10 metrics, one is the expression


def period(rule: Rule, rules: AlertRules) -> int:
    """The alarm period: the rule's window, at least the schedule, in whole minutes."""
    seconds = max(rule.window, rules.expect_data_every)
    return -(-seconds // 60) * 60


def widened(rules: AlertRules) -> list[str]:
    """Notes for rules whose window CloudWatch has to widen."""
    return [
        f"cloudwatch: rule {r.id}: window {format_duration(r.window)} widened to "
        f"{format_duration(period(r, rules))} (runs report every "
        f"{format_duration(rules.expect_data_every)}; missing data is breaching)"
        for r in rules.rules
        if period(r, rules) != r.window
    ]


def alarms(
    rules: AlertRules,
    monitoring: Monitoring,
    *,
    topic_arn: Callable[[str], str],
    config_dir: Path,
) -> list[Resource]:
    """Every alarm the rules ask for; `topic_arn` maps a recipient to its SNS topic ARN."""
    out = []
    file = str(config_dir / ALERT_RULES_FILE)
    for i, rule in enumerate(rules.rules):
        actions = []
        for recipient in rule.notify:
            if recipient not in rules.cloudwatch.sns_topics:
                raise ConfigError(
                    file,
                    f"rules[{i}].notify",
                    f"{recipient!r} has no SNS topic; add it under cloudwatch.sns_topics",
                )
            actions.append(topic_arn(rules.cloudwatch.sns_topics[recipient]))
        for suffix, dims in _groups(rule, rules, file, i):
            name = f"{PREFIX}-{rules.env}-{rule.id}{suffix}"
            body: dict[str, Any] = {
                "AlarmName": name,
                "AlarmDescription": (
                    f"{rule.name}: {rule.description or rule.id} Rule {rule.id} ({rule.severity}) "
                    "in config/alert-rules.yaml, managed by prodsmoke (smoke alerts apply)."
                )[:1024],
                "ActionsEnabled": True,
                "AlarmActions": sorted(set(actions)),
                "OKActions": sorted(set(actions)),
                "EvaluationPeriods": 1,
                "DatapointsToAlarm": 1,
                "Threshold": rule.threshold,
                "ComparisonOperator": OPERATOR[rule.op],
                "TreatMissingData": "breaching",
                **_condition(rule, rules, monitoring, dims, file=file, i=i),
            }
            out.append(Resource("alarm", name, name, body))
    return out


def _groups(rule: Rule, rules: AlertRules, file: str, i: int) -> list[tuple[str, dict[str, str]]]:
    """(name suffix, extra dimensions) per alarm: one, or one per listed region/check."""
    groups: list[tuple[str, dict[str, str]]] = [("", {})]
    for key, values in (("region", rules.regions), ("check", rules.checks)):
        if key not in rule.group_by:
            continue
        if not values:
            raise ConfigError(
                file,
                f"rules[{i}].group_by",
                f"CloudWatch needs one alarm per {key}: list them under {key}s: at the top level",
            )
        groups = [(f"{s}-{v}", {**d, key: v}) for s, d in groups for v in values]
    return groups


def _condition(
    rule: Rule,
    rules: AlertRules,
    monitoring: Monitoring,
    extra: dict[str, str],
    *,
    file: str,
    i: int,
) -> dict[str, Any]:
    namespace, prefix = monitoring.cloudwatch.namespace, monitoring.metric_prefix
    base = {"scope": rule.scope_for(prefix), "env": rules.env}
    seconds = period(rule, rules)
    if rule.kind == "regions":
        if not 2 <= len(rules.regions) <= MAX_REGIONS:
            raise ConfigError(
                file,
                f"rules[{i}].failing_regions",
                f"CloudWatch needs 2-{MAX_REGIONS} regions listed under regions: at the top level",
            )
        metrics: list[dict[str, Any]] = [
            {
                "Id": f"r{n}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": namespace,
                        "MetricName": f"{prefix}.failures",
                        "Dimensions": _dimensions({**base, "region": region}),
                    },
                    "Period": seconds,
                    "Stat": "Maximum",
                },
                "ReturnData": False,
            }
            for n, region in enumerate(rules.regions)
        ]
        expression = " + ".join(f"IF(FILL(r{n}, 0) > 0, 1, 0)" for n in range(len(metrics)))
        metrics.append(
            {
                "Id": "failing_regions",
                "Expression": expression,
                "Label": "regions failing",
                "ReturnData": True,
            }
        )
        return {"Metrics": metrics}
    metric = f"{prefix}.failures" if rule.kind == "failures" else rule.metric
    return {
        "Namespace": namespace,
        "MetricName": metric,
        "Statistic": "Sum" if rule.kind == "failures" else STATISTIC[rule.aggregation],
        "Dimensions": _dimensions({**base, **extra}),
        "Period": seconds,
    }


def _dimensions(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in sorted(values.items())]
