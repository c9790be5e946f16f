"""A local stand-in for Datadog's v2 Downtimes API, strict where the real one is.

`POST /api/v2/downtime` takes `{"data": {"type": "downtime", "attributes": {...}}}`: `scope` and
`monitor_identifier` (exactly one of `monitor_id` or a non-empty `monitor_tags` list) are
required; a one-time `schedule` has ISO 8601 `start`/`end` with the end after the start; the
enumerations (`notify_end_states`, `notify_end_types`) take only their documented values; an
unknown attribute is refused. Both keys are required. `DELETE /api/v2/downtime/{id}` cancels (204;
404 for an unknown id). Like the real API it answers with an id and fields of its own.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback_http import JsonHandler, serving

API_KEY = "dd-maint-api-key-0123456789"
APP_KEY = "dd-maint-app-key-0123456789"
ATTRIBUTES = {
    "scope",
    "monitor_identifier",
    "schedule",
    "message",
    "display_timezone",
    "mute_first_recovery_notification",
    "notify_end_states",
    "notify_end_types",
}
END_STATES = {"alert", "no data", "warn"}
END_TYPES = {"canceled", "expired"}


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("no time zone")
    return moment


def downtime_problems(body: Any) -> list[str]:
    """What the real API would refuse in a create request."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or data.get("type") != "downtime":
        return ["data.type must be 'downtime'"]
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        return ["data.attributes is required"]
    problems = [f"unknown attribute {k!r}" for k in sorted(set(attributes) - ATTRIBUTES)]
    if not isinstance(attributes.get("scope"), str) or not attributes["scope"].strip():
        problems.append("scope is required")
    identifier = attributes.get("monitor_identifier")
    if not isinstance(identifier, dict) or len(identifier) != 1:
        problems.append("monitor_identifier needs exactly one of monitor_id or monitor_tags")
    elif "monitor_id" in identifier and not isinstance(identifier["monitor_id"], int):
        problems.append("monitor_id must be an integer")
    elif "monitor_tags" in identifier:
        tags = identifier["monitor_tags"]
        if not tags or not all(isinstance(t, str) and t for t in tags):
            problems.append("monitor_tags must be a non-empty list of tags")
    elif "monitor_id" not in identifier:
        problems.append("monitor_identifier needs monitor_id or monitor_tags")
    schedule = attributes.get("schedule")
    if schedule is not None:
        if not isinstance(schedule, dict) or "recurrences" in schedule:
            problems.append("only one-time schedules are expected here")
        else:
            try:
                start, end = _when(schedule.get("start")), _when(schedule.get("end"))
            except ValueError as exc:
                problems.append(f"schedule times must be ISO 8601 with a zone: {exc}")
            else:
                if start and end and end <= start:
                    problems.append("schedule.end must be after schedule.start")
    if not set(attributes.get("notify_end_states", [])) <= END_STATES:
        problems.append("notify_end_states: unknown value")
    if not set(attributes.get("notify_end_types", [])) <= END_TYPES:
        problems.append("notify_end_types: unknown value")
    return problems


@dataclass
class FakeDowntimes:
    url: str = ""
    downtimes: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[list[str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def active(self) -> list[dict[str, Any]]:
        return [d for d in self.downtimes.values() if d["attributes"]["canceled"] is None]


def _handler(fake: FakeDowntimes) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):
        def _route(self, method: str) -> None:
            with fake.lock:
                fake.requests.append((method, self.path))
                if (
                    self.headers.get("DD-API-KEY") != API_KEY
                    or self.headers.get("DD-APPLICATION-KEY") != APP_KEY
                ):
                    self._answer(403, {"errors": ["Forbidden"]})
                    return
                parts = self.path.split("?")[0].strip("/").split("/")
                if parts[:3] != ["api", "v2", "downtime"]:
                    self._answer(404, {"errors": ["Not found"]})
                elif method == "POST" and len(parts) == 3:
                    self._create()
                elif method == "DELETE" and len(parts) == 4:
                    self._cancel(parts[3])
                elif method == "GET" and len(parts) == 4 and parts[3] in fake.downtimes:
                    self._answer(200, {"data": fake.downtimes[parts[3]]})
                else:
                    self._answer(404, {"errors": ["Not found"]})

        def _create(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            if problems := downtime_problems(body):
                fake.rejected.append(problems)
                self._answer(400, {"errors": problems})
                return
            attributes = body["data"]["attributes"]
            now = datetime.now(UTC).isoformat()
            downtime = {
                "type": "downtime",
                "id": str(uuid.uuid4()),
                "attributes": {
                    **attributes,
                    "display_timezone": attributes.get("display_timezone", "UTC"),
                    "message": attributes.get("message"),
                    "notify_end_states": attributes.get("notify_end_states", list(END_STATES)),
                    "notify_end_types": attributes.get("notify_end_types", ["expired"]),
                    "status": "active",
                    "canceled": None,
                    "created": now,
                    "modified": now,
                },
            }
            fake.downtimes[str(downtime["id"])] = downtime
            self._answer(200, {"data": downtime})

        def _cancel(self, ident: str) -> None:
            downtime = fake.downtimes.get(ident)
            if downtime is None:
                self._answer(404, {"errors": ["downtime not found"]})
                return
            downtime["attributes"]["canceled"] = datetime.now(UTC).isoformat()
            downtime["attributes"]["status"] = "canceled"
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_DELETE(self) -> None:
            self._route("DELETE")

    return Handler


@contextmanager
def fake_downtimes() -> Iterator[FakeDowntimes]:
    """The fake on a free loopback port until the block ends."""
    fake = FakeDowntimes()
    with serving(_handler(fake)) as url:
        fake.url = url
        yield fake
