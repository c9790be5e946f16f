"""Alert rules as Datadog monitors (JSON as the v1 Monitors API takes it).

Each monitor carries the tags `managed-by:prodsmoke` (how `apply` finds what it manages) and
`prodsmoke-rule:<id>` (which rule it is). Recipients become notification handles in the message.
Sparse data is normal (a run every 30 minutes), so monitors evaluate partial windows and alert on
no data only after two missed schedules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prodsmoke.alerts.plan import Resource
from prodsmoke.config.monitoring import format_duration

if TYPE_CHECKING:
    from prodsmoke.config.alert_rules import AlertRules, Rule
    from prodsmoke.config.monitoring import Monitoring

MANAGED_TAG = "managed-by:prodsmoke"
RULE_TAG = "prodsmoke-rule"
PRIORITY = {"critical": 1, "warning": 3}
GUIDE = "docs/alert-response-guide.md"


def handle(recipient: str) -> str:
    """`oncall@x.com` -> `@oncall@x.com`; `slack:#alerts` -> `@slack-alerts`."""
    if ":" not in recipient:
        return "@" + recipient
    service, target = recipient.split(":", 1)
    return f"@{service}-{target.lstrip('#@')}"


def _number(value: float) -> str:
    return f"{value:g}"


def query(rule: Rule, rules: AlertRules, monitoring: Monitoring) -> str:
    """The monitor query: a metric over a threshold, a failure count, or failing regions."""
    prefix, env = monitoring.metric_prefix, rules.env
    window = format_duration(rule.window)
    scope = f"{{env:{env},scope:{rule.scope_for(prefix)}}}"
    if rule.kind == "failures":
        # failures is a gauge of 1 per failed run: summing the points counts the failures
        return (
            f"sum(last_{window}):sum:{prefix}.failures{scope}.rollup(sum, 60)"
            f" >= {_number(rule.threshold)}"
        )
    if rule.kind == "regions":
        return (
            f"max(last_{window}):count_nonzero(max:{prefix}.failures{scope} by {{region}}"
            f".rollup(max, {rule.window})) >= {_number(rule.threshold)}"
        )
    by = f" by {{{','.join(rule.group_by)}}}" if rule.group_by else ""
    agg = rule.aggregation
    return (
        f"{agg}(last_{window}):{agg}:{rule.metric}{scope}{by} {rule.op} {_number(rule.threshold)}"
    )


def monitor(rule: Rule, rules: AlertRules, monitoring: Monitoring) -> Resource:
    """The monitor for one rule."""
    handles = " ".join(handle(r) for r in rule.notify)
    message = (
        f"{rule.description or rule.name}\n\n"
        f"Rule `{rule.id}` ({rule.severity}) from config/alert-rules.yaml. "
        f"What to look at first: {GUIDE}\n\n{handles}"
    )
    tags = sorted(
        {
            MANAGED_TAG,
            f"{RULE_TAG}:{rule.id}",
            f"env:{rules.env}",
            f"severity:{rule.severity}",
            *(f"{k}:{v}" for k, v in monitoring.tags.items()),
        }
    )
    body: dict[str, Any] = {
        "name": f"[prodsmoke] {rule.name} ({rules.env})",
        "type": "query alert",
        "query": query(rule, rules, monitoring),
        "message": message,
        "tags": tags,
        "priority": PRIORITY[rule.severity],
        "options": {
            "thresholds": {"critical": rule.threshold},
            "notify_no_data": True,
            # Datadog wants at least twice the query's window; two missed schedules otherwise
            "no_data_timeframe": 2 * max(rules.expect_data_every, rule.window) // 60,
            "require_full_window": False,
            "include_tags": True,
        },
    }
    return Resource("monitor", rule.id, body["name"], body)


def monitors(rules: AlertRules, monitoring: Monitoring) -> list[Resource]:
    """One monitor per rule."""
    return [monitor(rule, rules, monitoring) for rule in rules.rules]
