"""Alert rules as CloudWatch alarms (`put_metric_alarm` arguments).

Missing data is breaching (SPEC §7), which only means "the suite stopped reporting" if every
period can hold a run: a period is therefore never shorter than `expect_data_every` (the
schedule), and `smoke alerts plan` says so when it widens a rule's window. An alarm watches one
exact dimension set, which the CloudWatch reporter must publish (`cloudwatch.dimension_sets` in
monitoring-integration.yaml, always with `scope`): a rule whose set is not published is a config
error, except a warnings rule, which is left out with a note (status is not published by
default). Grouping, "failing from K regions" and "N checks failing" need the values listed in
alert-rules.yaml (`regions:`; `checks:`, by default every check of the environment); counts
across several regions or checks are metric math over at most 9 metrics.

CloudWatch has no priorities: the severity leads the alarm's description (`[critical P1]`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from prodsmoke.alerts.plan import Resource
from prodsmoke.backends.names import alarm_prefix
from prodsmoke.config.monitoring import format_duration
from prodsmoke.errors import ConfigError
from prodsmoke.results import step_tag

if TYPE_CHECKING:
    from prodsmoke.config.alert_rules import AlertRules, Rule
    from prodsmoke.config.monitoring import Monitoring

STATISTIC = {"avg": "Average", "min": "Minimum", "max": "Maximum", "sum": "Sum"}
OPERATOR = {
    "<": "LessThanThreshold",
    ">": "GreaterThanThreshold",
    ">=": "GreaterThanOrEqualToThreshold",
}
MAX_METRICS = 9  # an alarm's metric math takes at most 10 metrics, one is the expression
Where = Callable[[str], str]


def period(rule: Rule, rules: AlertRules) -> int:
    """The alarm period: the rule's window, at least the schedule, in whole minutes."""
    seconds = max(rule.window, rules.expect_data_every)
    return -(-seconds // 60) * 60


def notes(rules: AlertRules, monitoring: Monitoring) -> list[str]:
    """Rules whose window CloudWatch has to widen, and rules it cannot watch."""
    out = [
        f"cloudwatch: rule {r.id}: window {format_duration(r.window)} widened to "
        f"{format_duration(period(r, rules))} (runs report every "
        f"{format_duration(rules.expect_data_every)}; missing data is breaching)"
        for r in rules.rules
        if period(r, rules) != r.window
    ]
    for rule in rules.rules:
        if _unwatchable_warnings(rule, monitoring):
            out.append(
                f"cloudwatch: rule {rule.id}: left out: warnings need the status dimension; "
                "publish [env, status] under cloudwatch.dimension_sets in "
                "monitoring-integration.yaml"
            )
        elif rule.kind == "metric" and len(rule.check) > 1 and "check" not in rule.group_by:
            out.append(
                f"cloudwatch: rule {rule.id}: one alarm per check ({', '.join(rule.check)}): "
                "an alarm watches one dimension set"
            )
    return out


def alarms(
    rules: AlertRules,
    monitoring: Monitoring,
    *,
    topic_arn: Callable[[str], str],
    file: str,
    where: Where,
) -> list[Resource]:
    """Every alarm the rules ask for; `topic_arn` maps a recipient to its SNS topic ARN."""
    out = []
    for i, rule in enumerate(rules.rules):
        if _unwatchable_warnings(rule, monitoring):
            continue
        actions = []
        for recipient in rule.notify:
            if recipient not in rules.cloudwatch.sns_topics:
                raise ConfigError(
                    file,
                    where(f"rules[{i}].notify"),
                    f"{recipient!r} has no SNS topic; add it under cloudwatch.sns_topics",
                )
            actions.append(topic_arn(rules.cloudwatch.sns_topics[recipient]))
        spot = _Spot(file, where, i)
        for suffix, dims in _groups(rule, rules, spot):
            name = f"{alarm_prefix(rules.env)}{rule.id}{suffix}"
            missing = "breaching" if rules.missing_data == "alert" else "notBreaching"
            body: dict[str, Any] = {
                "AlarmName": name,
                "AlarmDescription": (
                    f"[{rule.severity} P{rule.priority}] {rule.name}: "
                    f"{rule.description or rule.id} Rule {rule.id} for env {rules.env} in "
                    "config/alert-rules.yaml, managed by prodsmoke (smoke alerts apply)."
                )[:1024],
                "ActionsEnabled": True,
                "AlarmActions": sorted(set(actions)),
                "OKActions": sorted(set(actions)),
                "EvaluationPeriods": 1,
                "DatapointsToAlarm": 1,
                "Threshold": rule.threshold,
                "ComparisonOperator": OPERATOR[rule.op],
                "TreatMissingData": "notBreaching" if rule.kind == "warning_checks" else missing,
                **_condition(rule, rules, monitoring, dims, spot),
            }
            out.append(Resource("alarm", name, name, body))
    return out


class _Spot:
    """Where a rule is in the file, for one-line errors."""

    def __init__(self, file: str, where: Where, index: int) -> None:
        self.file, self.where, self.index = file, where, index

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(self.file, self.where(f"rules[{self.index}].{key}"), problem)


def _groups(rule: Rule, rules: AlertRules, spot: _Spot) -> list[tuple[str, dict[str, str]]]:
    """(name suffix, extra dimensions) per alarm: one, or one per region/check."""
    groups: list[tuple[str, dict[str, str]]] = [("", {})]
    if rule.counts_checks:
        return groups  # one alarm; the checks are its metrics (or none: all of them)
    per_check = "check" in rule.group_by or (rule.kind == "metric" and len(rule.check) > 1)
    values = {"region": rules.regions, "check": rule.check or rules.checks}
    for key in ("region", "check"):
        if key not in rule.group_by and not (key == "check" and per_check):
            continue
        if not values[key]:
            raise spot.error(
                "group_by",
                f"CloudWatch needs one alarm per {key}: list them under {key}s: at the top level",
            )
        groups = [(f"{s}-{v}", {**d, key: v}) for s, d in groups for v in values[key]]
    if len(rule.check) == 1 and not per_check:
        groups = [(s, {**d, "check": rule.check[0]}) for s, d in groups]
    # the step as the reporters publish it (`results.step_tag`): "Log in" is "log_in"
    step = step_tag(rule.step) if rule.step else None
    extra = {k: v for k, v in (("step", step), ("page", rule.page)) if v}
    return [(s, {**d, **extra}) for s, d in groups]


def _condition(
    rule: Rule,
    rules: AlertRules,
    monitoring: Monitoring,
    extra: dict[str, str],
    spot: _Spot,
) -> dict[str, Any]:
    namespace, prefix = monitoring.cloudwatch.namespace, monitoring.metric_prefix
    base = {"scope": rule.scope_for(prefix), "env": rules.env}
    seconds = period(rule, rules)

    def stat(metric: str, dims: dict[str, str], statistic: str) -> dict[str, Any]:
        _published(dims, monitoring, spot)
        return {
            "Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": _dims(dims)},
            "Period": seconds,
            "Stat": statistic,
        }

    if rule.kind in ("regions", "failing_checks"):
        key = "region" if rule.kind == "regions" else "check"
        values = rules.regions if key == "region" else (rule.check or rules.checks)
        least = 2 if key == "region" else 1  # "several regions" needs two
        if not least <= len(values) <= MAX_METRICS:
            form = "failing_regions" if key == "region" else "failing_checks"
            raise spot.error(
                form,
                f"CloudWatch needs {least}-{MAX_METRICS} {key}s listed under {key}s: at the "
                "top level (or narrow the rule with check: / check_kind:)",
            )
        metric = f"{prefix}.failures"
        parts = [stat(metric, {**base, key: v}, "Maximum") for v in values]
        terms = [f"IF(FILL(r{n}, 0) > 0, 1, 0)" for n in range(len(parts))]
        return _math(parts, " + ".join(terms), f"{key}s failing", f"failing_{key}s")
    if rule.kind == "warning_checks":
        warn = {**base, "status": "warn"}
        metric = f"{prefix}.success"
        if not rule.check:
            return _single(stat(metric, warn, "SampleCount"))
        parts = [stat(metric, {**warn, "check": c}, "SampleCount") for c in rule.check]
        total = " + ".join(f"FILL(r{n}, 0)" for n in range(len(parts)))
        return _math(parts, total, "warnings", "warnings")
    if rule.kind == "failing_share":
        return _single(stat(f"{prefix}.failures", base, "Average"))
    metric = f"{prefix}.failures" if rule.kind == "failures" else str(rule.metric)
    statistic = "Sum" if rule.kind == "failures" else STATISTIC[rule.aggregation]
    return _single(stat(metric, {**base, **extra}, statistic))


def _single(stat: dict[str, Any]) -> dict[str, Any]:
    """One metric: the flat form `put_metric_alarm` takes."""
    metric = stat["Metric"]
    return {
        "Namespace": metric["Namespace"],
        "MetricName": metric["MetricName"],
        "Statistic": stat["Stat"],
        "Dimensions": metric["Dimensions"],
        "Period": stat["Period"],
    }


def _math(parts: list[dict[str, Any]], expression: str, label: str, ident: str) -> dict[str, Any]:
    metrics: list[dict[str, Any]] = [
        {"Id": f"r{n}", "MetricStat": part, "ReturnData": False} for n, part in enumerate(parts)
    ]
    metrics.append({"Id": ident, "Expression": expression, "Label": label, "ReturnData": True})
    return {"Metrics": metrics}


def _published(dims: dict[str, str], monitoring: Monitoring, spot: _Spot) -> None:
    names = frozenset(dims) - {"scope"}
    if names not in {frozenset(s) for s in monitoring.cloudwatch.dimension_sets}:
        shown = ", ".join(sorted(names))
        raise spot.error(
            "metric" if "step" in names or "page" in names else "check",
            f"CloudWatch alarms watch one exact dimension set and [{shown}] is not published: "
            "add it under cloudwatch.dimension_sets in monitoring-integration.yaml",
        )


def _unwatchable_warnings(rule: Rule, monitoring: Monitoring) -> bool:
    if rule.kind != "warning_checks":
        return False
    wanted = frozenset({"env", "status", *(["check"] if rule.check else [])})
    return wanted not in {frozenset(s) for s in monitoring.cloudwatch.dimension_sets}


def _dims(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in sorted(values.items())]


def details(resource: Resource) -> list[str]:
    """The key fields of an alarm, for a plan people read."""
    body = resource.body
    op = {v: k for k, v in OPERATOR.items()}[body["ComparisonOperator"]]
    if "Metrics" in body:
        math = next(m for m in body["Metrics"] if "Expression" in m)
        what = f"metric math: {math['Expression']} ({len(body['Metrics']) - 1} metrics)"
    else:
        dims = ",".join(f"{d['Name']}={d['Value']}" for d in body["Dimensions"])
        what = f"{body['Statistic']} of {body['MetricName']} {{{dims}}} per {body['Period']}s"
    actions = ", ".join(a.rsplit(":", 1)[-1] for a in body["AlarmActions"]) or "none"
    return [
        f"{what} {op} {body['Threshold']:g}",
        f"{body['AlarmDescription'].split(']', 1)[0]}] · actions: {actions} · missing data: "
        f"{body['TreatMissingData']}",
    ]
