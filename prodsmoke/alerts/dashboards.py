"""The `production_health` and `smoke_test_status` dashboards, for Datadog and for CloudWatch.

`production_health` answers "is the product up and fast?" (run success, homepage and API latency,
the alerts); `smoke_test_status` answers "what is the suite doing?" (per check success, duration,
retries, failures, journey steps, and the Web Vitals of every page a journey loads, by check and
page, with Google's "good" limits marked). Threshold markers come from the alert rules, so the
lines match the alerts. Each environment has its own pair: `production_health` and
`smoke_test_status` for `production` (the names SPEC §7 promises), `<env>_health` and
`smoke_test_status_<env>` for others.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from prodsmoke.alerts.plan import Resource
from prodsmoke.config.vitals import GOOD, LABELS, UNITS

if TYPE_CHECKING:
    from prodsmoke.config.alert_rules import AlertRules
    from prodsmoke.config.monitoring import Monitoring

NAMES = ("production_health", "smoke_test_status")
MARKER = (
    "Managed by prodsmoke (`smoke alerts apply`, config/alert-rules.yaml); edits are overwritten."
)


def names(env: str) -> tuple[str, str]:
    """The two dashboards of one environment."""
    if env == "production":
        return NAMES
    return f"{env}_health", f"smoke_test_status_{env}"


def env_marker(env: str) -> str:
    """The words in a Datadog dashboard's description that say whose it is."""
    return f"Environment: {env}."


# The Web Vitals drawn per page (each with its "good" limit as the marker, unless a rule sets one).
DASHBOARD_VITALS = ("lcp_ms", "cls", "inp_ms", "ttfb_ms")
_VITAL_UNITS = {v: " (ms)" if UNITS[v] == "ms" else "" for v in DASHBOARD_VITALS}


def _threshold(rules: AlertRules, metric: str) -> float | None:
    return next((r.threshold for r in rules.rules if r.metric == metric and not r.check), None)


def datadog(rules: AlertRules, monitoring: Monitoring) -> list[Resource]:
    """Both dashboards as v1 Dashboard JSON (ordered layout)."""
    p, env = monitoring.metric_prefix, rules.env
    run, check = f"{{env:{env},scope:run}}", f"{{env:{env},scope:check}}"

    def series(
        title: str, q: str, marker: float | None = None, kind: str = "line"
    ) -> dict[str, Any]:
        definition: dict[str, Any] = {
            "type": "timeseries",
            "title": title,
            "requests": [{"q": q, "display_type": kind}],
        }
        if marker is not None:
            definition["markers"] = [{"value": f"y = {marker:g}", "display_type": "error dashed"}]
        return {"definition": definition}

    health = [
        {
            "definition": {
                "type": "query_value",
                "title": "Run success (share of passing runs)",
                "requests": [{"q": f"avg:{p}.success{run}", "aggregator": "avg"}],
                "precision": 3,
            }
        },
        series(
            "Run success by region",
            f"avg:{p}.success{run} by {{region}}",
            _threshold(rules, f"{p}.success"),
        ),
        series(
            "Homepage load (ms) by region",
            f"avg:{p}.homepage_load{{env:{env}}} by {{region}}",
            _threshold(rules, f"{p}.homepage_load"),
        ),
        series(
            "API response (ms) by check",
            f"avg:{p}.api_response{{env:{env}}} by {{check}}",
            _threshold(rules, f"{p}.api_response"),
        ),
        {
            "definition": {
                "type": "manage_status",
                "title": "Smoke alerts",
                "query": f"tag:managed-by:prodsmoke tag:env:{env}",
                "summary_type": "monitors",
                "display_format": "countsAndList",
            }
        },
    ]
    status = [
        {
            "definition": {
                "type": "toplist",
                "title": "Failures by check",
                "requests": [
                    {"q": f"top(sum:{p}.failures{check} by {{check}}, 10, 'sum', 'desc')"}
                ],
            }
        },
        series("Success by check", f"avg:{p}.success{check} by {{check}}"),
        series("Check duration (ms) by check", f"avg:{p}.check.duration{check} by {{check}}"),
        series("Retries by check", f"sum:{p}.retries{check} by {{check}}", kind="bars"),
        series("Run duration (ms) by region", f"avg:{p}.duration{run} by {{region}}"),
        series(
            "Journey steps (ms) by check and step",
            f"avg:{p}.step.duration{{env:{env}}} by {{check,step}}",
        ),
        *(
            series(
                f"{LABELS[v]}{_VITAL_UNITS[v]} by check and page",
                f"avg:{p}.web_vitals.{v}{{env:{env}}} by {{check,page}}",
                _threshold(rules, f"{p}.web_vitals.{v}") or GOOD[v],
            )
            for v in DASHBOARD_VITALS
        ),
    ]
    health_name, status_name = names(env)
    return [
        _dd_board(health_name, f"Is {env} up and fast?", health, env),
        _dd_board(status_name, "What is the smoke suite doing?", status, env),
    ]


def _dd_board(title: str, about: str, widgets: list[dict[str, Any]], env: str) -> Resource:
    body = {
        "title": title,
        "description": f"{about} {MARKER} {env_marker(env)}",
        "layout_type": "ordered",
        "widgets": widgets,
    }
    return Resource("dashboard", title, title, body)


def cloudwatch(
    rules: AlertRules, monitoring: Monitoring, *, region: str, alarm_arns: list[str]
) -> list[Resource]:
    """Both dashboards as CloudWatch dashboard bodies (the JSON compared field by field)."""
    p, env, ns = monitoring.metric_prefix, rules.env, monitoring.cloudwatch.namespace
    period = rules.expect_data_every
    regions = rules.regions or (region,)

    def metric(
        title: str, name: str, stat: str, dims: list[list[str]], *, x: int, y: int
    ) -> dict[str, Any]:
        return {
            "type": "metric",
            "x": x,
            "y": y,
            "width": 12,
            "height": 6,
            "properties": {
                "title": title,
                "region": region,
                "view": "timeSeries",
                "stat": stat,
                "period": period,
                "metrics": [[ns, name, *d] for d in dims],
            },
        }

    def search(title: str, name: str, *, x: int, y: int) -> dict[str, Any]:
        # Pages are known only at run time: a search finds every check/page series published.
        # The reporter publishes a page's values only under a dimension set naming `page`
        # (e.g. [env, check, page] in cloudwatch.dimension_sets); without one this stays empty.
        query = (
            f'SEARCH(\'{{{ns},scope,env,check,page}} MetricName="{name}" env="{env}"\', '
            f"'Average', {period})"
        )
        widget = metric(title, name, "Average", [], x=x, y=y)
        widget["properties"]["metrics"] = [[{"expression": query, "id": "e1", "label": ""}]]
        return widget

    by_region = [["scope", "run", "env", env, "region", r] for r in regions]
    checks = rules.checks
    by_check = [["scope", "check", "env", env, "check", c] for c in checks] or [
        ["scope", "check", "env", env]
    ]
    health = [
        metric("Run success by region", f"{p}.success", "Average", by_region, x=0, y=0),
        metric(
            "Homepage load (ms)",
            f"{p}.homepage_load",
            "Average",
            [["scope", "check", "env", env, "check", "homepage_load"]],
            x=12,
            y=0,
        ),
        metric(
            "API response (ms)",
            f"{p}.api_response",
            "Average",
            [["scope", "check", "env", env]],
            x=0,
            y=6,
        ),
    ]
    if alarm_arns:  # an alarm widget needs at least one alarm
        health.append(
            {
                "type": "alarm",
                "x": 12,
                "y": 6,
                "width": 12,
                "height": 6,
                "properties": {"title": "Smoke alarms", "alarms": sorted(alarm_arns)[:100]},
            }
        )
    status = [
        metric("Success by check", f"{p}.success", "Average", by_check, x=0, y=0),
        metric("Failures by check", f"{p}.failures", "Sum", by_check, x=12, y=0),
        metric("Check duration (ms)", f"{p}.check.duration", "Average", by_check, x=0, y=6),
        metric("Run duration (ms) by region", f"{p}.duration", "Average", by_region, x=12, y=6),
        *(
            search(f"{LABELS[v]}{_VITAL_UNITS[v]} by check and page", f"{p}.web_vitals.{v}",
                   x=12 * (i % 2), y=12 + 6 * (i // 2))
            for i, v in enumerate(DASHBOARD_VITALS)
        ),
    ]  # fmt: skip
    health_name, status_name = names(env)
    return [
        Resource("dashboard", health_name, health_name, {"widgets": health}),
        Resource("dashboard", status_name, status_name, {"widgets": status}),
    ]


def details(resource: Resource) -> list[str]:
    """The key fields of a dashboard (either provider), for a plan people read."""
    titles = []
    for widget in resource.body.get("widgets", []):
        definition = widget.get("definition", widget.get("properties", {}))
        titles.append(str(definition.get("title", widget.get("type", "?"))))
    return [f"widgets ({len(titles)}): {'; '.join(titles)}"]


def cloudwatch_body(resource: Resource) -> str:
    """The DashboardBody string for `put_dashboard`."""
    return json.dumps(resource.body, separators=(",", ":"))
