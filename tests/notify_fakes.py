"""Local fakes of the notification services, checking what the real ones check.

- Slack incoming webhook (`POST /services/T…/B…/<token>`): a JSON object with `text` and/or
  `blocks`; Block Kit's limits (at most 50 blocks; header: plain_text ≤ 150; section: text ≤ 3000
  or ≤ 10 fields of ≤ 2000; actions: ≤ 25 elements, a button's plain_text ≤ 75 and its `url` an
  http(s) URL ≤ 3000; context: ≤ 10 elements); answers `200 ok`, or `400 invalid_payload`,
  `400 invalid_blocks`, `404 no_service` as Slack does.
- PagerDuty Events API v2 (`POST /v2/enqueue`): `routing_key` (32 characters), `event_action`
  trigger|acknowledge|resolve, `dedup_key` ≤ 255; a trigger's `payload` with `summary` (≤ 1024),
  `source`, `severity` critical|error|warning|info, an ISO 8601 `timestamp` if any; `links` with
  `href`. Answers `202 {"status": "success", "dedup_key": …}` or `400 {"status": "invalid
  event", "errors": […]}`, and keeps the incidents (open until resolved).
- A generic webhook receiver that verifies `X-Prodsmoke-Signature` with its secret (401 when it
  does not match).

`mode` makes one misbehave: "down" (503), "gone" (404 / 400 for PagerDuty's refusal).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tests.loopback_http import JsonHandler, serving

SLACK_PATH = "/services/T0SMOKE01/B0SMOKE02/k3Yp9QvW2sLmN8xR4tZ6aB1c"
PD_KEY = "R0UT1NGK3Y0123456789abcdefABCDEF"
HOOK_SECRET = "whsec-0123456789abcdefghij"
PLAIN, MRKDWN = "plain_text", "mrkdwn"


@dataclass
class Fakes:
    """What each fake received (accepted only) and how it answers."""

    base: str = ""
    slack: list[dict[str, Any]] = field(default_factory=list)
    pagerduty: list[dict[str, Any]] = field(default_factory=list)
    webhook: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[str, Any]] = field(default_factory=list)
    incidents: dict[str, str] = field(default_factory=dict)  # dedup_key -> triggered|resolved
    mode: dict[str, str] = field(default_factory=dict)  # service -> "down" | "gone"
    headers: list[dict[str, str]] = field(default_factory=list)

    def reset(self) -> None:
        for box in (self.slack, self.pagerduty, self.webhook, self.rejected, self.headers):
            box.clear()
        self.incidents.clear()
        self.mode.clear()

    @property
    def slack_url(self) -> str:
        return self.base + SLACK_PATH

    @property
    def pagerduty_url(self) -> str:
        return self.base + "/v2/enqueue"

    @property
    def webhook_url(self) -> str:
        return self.base + "/hooks/prodsmoke"


def _text(obj: Any, kinds: tuple[str, ...], limit: int, where: str) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in kinds:
        return [f"{where} must be a text object of type {' or '.join(kinds)}"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{where}.text must be a non-empty string"]
    if len(text) > limit:
        return [f"{where}.text is {len(text)} characters, more than {limit}"]
    return []


def validate_blocks(doc: Any) -> list[str]:
    """Problems Slack would refuse a message for (invalid_payload / invalid_blocks)."""
    if not isinstance(doc, dict) or not (doc.get("text") or doc.get("blocks")):
        return ["invalid_payload: an object with text or blocks"]
    blocks = doc.get("blocks", [])
    if not isinstance(blocks, list) or len(blocks) > 50:
        return ["invalid_blocks: blocks must be a list of at most 50"]
    problems: list[str] = []
    for i, block in enumerate(blocks):
        where = f"blocks[{i}]"
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "header":
            problems += _text(block.get("text"), (PLAIN,), 150, f"{where}.text")
        elif kind == "section":
            fields = block.get("fields")
            if "text" not in block and not fields:
                problems.append(f"{where}: a section needs text or fields")
            if "text" in block:
                problems += _text(block["text"], (PLAIN, MRKDWN), 3000, f"{where}.text")
            if fields is not None:
                if not isinstance(fields, list) or not 1 <= len(fields) <= 10:
                    problems.append(f"{where}.fields: 1 to 10 items")
                else:
                    for j, f in enumerate(fields):
                        problems += _text(f, (PLAIN, MRKDWN), 2000, f"{where}.fields[{j}]")
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
                problems.append(f"{where}.elements: 1 to 25 items")
                continue
            for j, e in enumerate(elements):
                at = f"{where}.elements[{j}]"
                if e.get("type") != "button":
                    problems.append(f"{at}: only buttons are sent")
                    continue
                problems += _text(e.get("text"), (PLAIN,), 75, f"{at}.text")
                url = e.get("url", "")
                if not re.match(r"^https?://\S+$", url) or len(url) > 3000:
                    problems.append(f"{at}.url must be an http(s) URL of at most 3000")
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                problems.append(f"{where}.elements: 1 to 10 items")
            else:
                for j, e in enumerate(elements):
                    problems += _text(e, (PLAIN, MRKDWN), 2000, f"{where}.elements[{j}]")
        else:
            problems.append(f"{where}: unknown block type {kind!r}")
    return [f"invalid_blocks: {p}" for p in problems]


def validate_event(doc: Any) -> list[str]:
    """Problems the Events API v2 answers 400 for."""
    if not isinstance(doc, dict):
        return ["Event object is invalid: not an object"]
    problems = []
    key = doc.get("routing_key")
    if not isinstance(key, str) or len(key) != 32:
        problems.append("'routing_key' is invalid (must be 32 characters)")
    if doc.get("event_action") not in ("trigger", "acknowledge", "resolve"):
        problems.append("'event_action' is invalid")
    dedup = doc.get("dedup_key")
    if dedup is not None and (not isinstance(dedup, str) or len(dedup) > 255):
        problems.append("'dedup_key' must be a string of at most 255 characters")
    if doc.get("event_action") in ("acknowledge", "resolve") and not dedup:
        problems.append("'dedup_key' is required for acknowledge and resolve")
    if doc.get("event_action") == "trigger":
        payload = doc.get("payload")
        if not isinstance(payload, dict):
            return [*problems, "'payload' is missing or not an object"]
        summary = payload.get("summary")
        if not isinstance(summary, str) or not summary or len(summary) > 1024:
            problems.append("'payload.summary' must be 1-1024 characters")
        if not isinstance(payload.get("source"), str) or not payload["source"]:
            problems.append("'payload.source' is missing")
        if payload.get("severity") not in ("critical", "error", "warning", "info"):
            problems.append("'payload.severity' must be critical, error, warning or info")
        if "timestamp" in payload:
            try:
                datetime.fromisoformat(str(payload["timestamp"]).replace("Z", "+00:00"))
            except ValueError:
                problems.append("'payload.timestamp' must be ISO 8601")
        for link in doc.get("links", []):
            if not isinstance(link, dict) or not str(link.get("href", "")).startswith("http"):
                problems.append("'links' entries need an href")
    return problems


@contextmanager
def serve_fakes() -> Iterator[Fakes]:
    """The three fakes on one loopback port."""
    fakes = Fakes()

    class Handler(JsonHandler):
        def _plain(self, status: int, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            fakes.headers.append(dict(self.headers))
            if self.path.startswith("/services/"):
                self._slack(body)
            elif self.path == "/v2/enqueue":
                self._pagerduty(body)
            elif self.path == "/hooks/prodsmoke":
                self._webhook(body)
            else:
                self._answer(404, {"error": "no such fake"})

        def _slack(self, body: bytes) -> None:
            mode = fakes.mode.get("slack")
            if mode == "down":
                return self._plain(503, "service unavailable")
            if mode == "gone" or self.path != SLACK_PATH:
                return self._plain(404, "no_service")
            try:
                doc = json.loads(body)
            except ValueError:
                return self._plain(400, "invalid_payload")
            problems = validate_blocks(doc)
            if problems:
                fakes.rejected.append(("slack", problems))
                return self._plain(400, problems[0].split(":")[0])
            fakes.slack.append(doc)
            return self._plain(200, "ok")

        def _pagerduty(self, body: bytes) -> None:
            if fakes.mode.get("pagerduty") == "down":
                return self._answer(503, {"status": "unavailable"})
            try:
                doc = json.loads(body)
            except ValueError:
                return self._answer(400, {"status": "invalid event", "message": "bad JSON"})
            problems = validate_event(doc)
            if fakes.mode.get("pagerduty") == "gone":
                problems = ["Invalid routing key"]
            if problems:
                fakes.rejected.append(("pagerduty", problems))
                return self._answer(
                    400,
                    {"status": "invalid event", "message": "Event object is invalid",
                     "errors": problems},
                )  # fmt: skip
            fakes.pagerduty.append(doc)
            key = doc.get("dedup_key") or "generated"
            state = {"trigger": "triggered", "resolve": "resolved"}.get(doc["event_action"])
            if state:
                fakes.incidents[key] = state
            return self._answer(
                202, {"status": "success", "message": "Event processed", "dedup_key": key}
            )

        def _webhook(self, body: bytes) -> None:
            if fakes.mode.get("webhook") == "down":
                return self._answer(503, {"error": "down"})
            expected = "sha256=" + hmac.new(HOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
            given = self.headers.get("X-Prodsmoke-Signature", "")
            if not hmac.compare_digest(expected, given):
                fakes.rejected.append(("webhook", "bad signature"))
                return self._answer(401, {"error": "signature does not match"})
            fakes.webhook.append(json.loads(body))
            return self._answer(200, {"ok": True})

    with serving(Handler) as base:
        fakes.base = base
        yield fakes


def monitoring_yaml(fakes: Fakes, *, extra: str = "") -> str:
    """monitoring-integration.yaml with the three notifiers aimed at the fakes (by ${VAR})."""
    return (
        "reporters: [history]\n"
        "notifiers:\n"
        '  - {kind: slack, webhook_url: "${SLACK_WEBHOOK_URL}"}\n'
        '  - {kind: pagerduty, routing_key: "${PAGERDUTY_ROUTING_KEY}", '
        f"events_url: {fakes.pagerduty_url}}}\n"
        '  - {kind: webhook, url: "${ALERT_WEBHOOK_URL}", secret: "${ALERT_WEBHOOK_SECRET}"}\n'
        f"{extra}"
    )


def secrets_env(fakes: Fakes) -> dict[str, str]:
    """The variables monitoring_yaml reads."""
    return {
        "SLACK_WEBHOOK_URL": fakes.slack_url,
        "PAGERDUTY_ROUTING_KEY": PD_KEY,
        "ALERT_WEBHOOK_URL": fakes.webhook_url,
        "ALERT_WEBHOOK_SECRET": HOOK_SECRET,
    }
