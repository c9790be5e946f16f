"""Alert rules as Datadog monitors (JSON as the v1 Monitors API takes it).

Each monitor carries the tags `managed-by:prodsmoke` (how `apply` finds what it manages),
`prodsmoke-rule:<id>` (which rule it is), `env:<env>` and `severity:<level>`; its priority follows
the severity (critical P1, high P2, medium and warning P3, low P4). Recipients become notification
handles in the message. Sparse data is normal (a run every 30 minutes), so monitors evaluate
partial windows and alert on no data only after two missed schedules, and not at all for
`missing_data: ignore` environments or for warnings (no warning is the normal state).

Rules that count checks become `count_nonzero(… by {check})` queries; rules narrowed to checks,
a step or a page filter on those tags (Datadog lowercases tag values and turns other characters
into `_`, so a step "Log in" is `step:log_in`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from prodsmoke.alerts.plan import Resource
from prodsmoke.backends.names import MANAGED_TAG
from prodsmoke.config.monitoring import METRICS, format_duration
from prodsmoke.results import step_tag

if TYPE_CHECKING:
    from prodsmoke.config.alert_rules import AlertRules, Rule
    from prodsmoke.config.monitoring import Monitoring

RULE_TAG = "prodsmoke-rule"
GUIDE = "docs/alert-response-guide.md"
_TAG_CHARS = re.compile(r"[^a-z0-9_\-./:]+")


def handle(recipient: str) -> str:
    """`oncall@x.com` -> `@oncall@x.com`; `slack:#alerts` -> `@slack-alerts`."""
    if ":" not in recipient:
        return "@" + recipient
    service, target = recipient.split(":", 1)
    return f"@{service}-{target.lstrip('#@')}"


def tag_value(value: str) -> str:
    """A tag value as Datadog stores it: lowercase, other characters as `_`."""
    return _TAG_CHARS.sub("_", value.strip().lower()).strip("_")[:200]


def _number(value: float) -> str:
    return f"{value:g}"


def _filter(rule: Rule, rules: AlertRules, monitoring: Monitoring, *, status: str = "") -> str:
    """`{env:production,scope:check,check:login_flow}`; `AND` once a list needs `IN`."""
    prefix = monitoring.metric_prefix
    suffix = (rule.metric or "failures").removeprefix(prefix + ".")
    terms = [f"env:{rules.env}"]
    # Step, custom and Web Vitals metrics exist at check level only; the built-ins carry `scope`
    if suffix in METRICS:
        terms.append(f"scope:{rule.scope_for(prefix)}")
    if status:
        terms.append(f"status:{status}")
    if len(rule.check) == 1:
        terms.append(f"check:{rule.check[0]}")
    if rule.step:
        terms.append(f"step:{step_tag(rule.step)}")  # as the reporters publish it
    if rule.page:
        terms.append(f"page:{tag_value(rule.page)}")
    if len(rule.check) > 1:  # the symbolic `,` cannot be mixed with AND/IN
        terms.append(f"check IN ({', '.join(rule.check)})")
        return "{" + " AND ".join(terms) + "}"
    return "{" + ",".join(terms) + "}"


def query(rule: Rule, rules: AlertRules, monitoring: Monitoring) -> str:
    """The monitor query for each form of rule."""
    prefix = monitoring.metric_prefix
    window = format_duration(rule.window)
    threshold = _number(rule.threshold)
    if rule.kind == "failures":
        # failures is a gauge of 1 per failed run: summing the points counts the failures
        scope = _filter(rule, rules, monitoring)
        return f"sum(last_{window}):sum:{prefix}.failures{scope}.rollup(sum, 60) >= {threshold}"
    if rule.kind in ("regions", "failing_checks", "warning_checks"):
        # how many regions (checks) had a failing (warning) point in the window
        by = "region" if rule.kind == "regions" else "check"
        warn = rule.kind == "warning_checks"
        scope = _filter(rule, rules, monitoring, status="warn" if warn else "")
        metric = f"{prefix}.success" if warn else f"{prefix}.failures"
        return (
            f"max(last_{window}):count_nonzero(max:{metric}{scope} by {{{by}}}"
            f".rollup(max, {rule.window})) >= {threshold}"
        )
    if rule.kind == "failing_share":
        # failures is 0/1 per check result: its average is the share of checks failing
        scope = _filter(rule, rules, monitoring)
        return f"avg(last_{window}):avg:{prefix}.failures{scope} > {threshold}"
    by = f" by {{{','.join(rule.group_by)}}}" if rule.group_by else ""
    agg = rule.aggregation
    scope = _filter(rule, rules, monitoring)
    return f"{agg}(last_{window}):{agg}:{rule.metric}{scope}{by} {rule.op} {threshold}"


def notify_no_data(rule: Rule, rules: AlertRules) -> bool:
    """No data means the suite stopped reporting, except where it is the normal state."""
    return rules.missing_data == "alert" and rule.kind != "warning_checks"


def monitor(rule: Rule, rules: AlertRules, monitoring: Monitoring) -> Resource:
    """The monitor for one rule."""
    handles = " ".join(handle(r) for r in rule.notify)
    message = (
        f"{rule.description or rule.name}\n\n"
        f"Rule `{rule.id}` ({rule.severity}, P{rule.priority}) for env {rules.env}, from "
        f"config/alert-rules.yaml. What to look at first: {GUIDE}\n\n{handles}"
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
    options: dict[str, Any] = {
        "thresholds": {"critical": rule.threshold},
        "notify_no_data": notify_no_data(rule, rules),
        "require_full_window": False,
        "include_tags": True,
    }
    if options["notify_no_data"]:
        # Datadog wants at least twice the query's window; two missed schedules otherwise
        options["no_data_timeframe"] = 2 * max(rules.expect_data_every, rule.window) // 60
    body: dict[str, Any] = {
        "name": f"[prodsmoke] {rule.name} ({rules.env})",
        "type": "query alert",
        "query": query(rule, rules, monitoring),
        "message": message,
        "tags": tags,
        "priority": rule.priority,
        "options": options,
    }
    return Resource("monitor", rule.id, body["name"], body)


def monitors(rules: AlertRules, monitoring: Monitoring) -> list[Resource]:
    """One monitor per rule."""
    return [monitor(rule, rules, monitoring) for rule in rules.rules]


def details(resource: Resource) -> list[str]:
    """The key fields of a monitor, for a plan people read."""
    body = resource.body
    handles = body["message"].rsplit("\n\n", 1)[-1]
    no_data = "alert" if body["options"].get("notify_no_data") else "ignored"
    return [
        f"query: {body['query']}",
        f"priority: P{body['priority']} · notify: {handles} · no data: {no_data}",
    ]
