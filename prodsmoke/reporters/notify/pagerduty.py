"""PagerDuty Events API v2: `trigger` when a check starts failing, `resolve` when it passes again.

One `dedup_key` per environment and check (`prodsmoke/<env>/<check>`), so a trigger opens one
incident and its resolve closes it. A trigger's `payload` has what the API requires (`summary`
of at most 1024 characters, `source`, `severity` critical|error|warning|info) and what the
on-call needs in `custom_details` and `links`. The routing key is added when sending, never
stored with a spooled event. The API answers 202; 400 is an event it refuses, 429 a rate limit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from prodsmoke.reporters.notify import message
from prodsmoke.reporters.notify.http import post, short

if TYPE_CHECKING:
    import httpx

    from prodsmoke.reporters.notify.message import Wording
    from prodsmoke.reporters.notify.state import Change

MAX_AGE_S = 12 * 3600
SUMMARY_MAX = 1024
# alert-rules.yaml severities as PagerDuty's
SEVERITY = {
    "critical": "critical",
    "high": "error",
    "medium": "warning",
    "warning": "warning",
    "low": "info",
}


def event(change: Change, wording: Wording, default_severity: str) -> dict[str, Any]:
    """The event for `change`, without its routing key."""
    if change.action == "resolve":
        return {"event_action": "resolve", "dedup_key": change.dedup_key}
    links = [{"href": link.href, "text": link.label} for link in wording.links(change) if link.url]
    summary = message.summary(change)
    details: dict[str, Any] = {
        "env": change.env,
        "regions": list(change.regions),
        "check": change.check,
        "kind": change.check_kind,
        "failing_step": change.step,
        "error": message.error_text(change),
        "failure_class": change.failure_class,
        "new_error": change.new,
        "fingerprint": change.fingerprint,
        "failing_since": change.since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "failing_for": message.failing_for(change),
        "reproduce": change.repro,
        "run_id": change.run_id,
        "target": change.target,
    }
    details |= {f"{link.label} link": link.href for link in wording.links(change) if not link.url}
    if change.rule:
        details["rule"] = change.rule
    host = urlsplit(change.target).hostname or change.target
    doc: dict[str, Any] = {
        "event_action": "trigger",
        "dedup_key": change.dedup_key,
        "payload": {
            "summary": summary if len(summary) <= SUMMARY_MAX else summary[: SUMMARY_MAX - 1] + "…",
            "source": f"prodsmoke {change.env} ({host})",
            "severity": SEVERITY.get(change.severity or "", default_severity),
            "timestamp": change.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "component": change.check,
            "group": change.env,
            "class": change.failure_class or "fail",
            "custom_details": details,
        },
        "client": "prodsmoke",
    }
    report = next((link for link in wording.links(change) if link.label == "report"), None)
    if report is not None and report.url:
        doc["client_url"] = report.href
    if links:
        doc["links"] = links
    return doc


@dataclass
class PagerDutyTransport:
    """Sends events to one Events API v2 integration."""

    name: str
    events_url: str
    routing_key: str
    default_severity: str = "critical"
    max_age_s: float = MAX_AGE_S

    def payload(self, change: Change, wording: Wording) -> dict[str, Any]:
        """The event for `change` (the routing key is added when sending)."""
        return event(change, wording, self.default_severity)

    def send(self, doc: Any, timeout_s: float) -> None:
        """One POST; PagerDuty answers 202 Accepted."""
        body = json.dumps({"routing_key": self.routing_key, **doc}, separators=(",", ":"))
        post(
            self.events_url,
            body.encode(),
            {},
            timeout_s,
            accepted=lambda r: r.status_code == 202,  # noqa: PLR2004
            explain=_explain,
        )


def _explain(response: httpx.Response) -> str:
    try:
        doc = response.json()
    except ValueError:
        return short(response.text)
    if not isinstance(doc, dict):
        return short(response.text)
    found = [str(doc.get("message") or ""), *map(str, doc.get("errors") or [])]
    text = "; ".join(f for f in found if f)
    if "routing" in text.lower() or "integration key" in text.lower():
        text += " (check PAGERDUTY_ROUTING_KEY)"
    return short(text, 240)
