"""A local stand-in for Datadog's v1 Monitors and Dashboards APIs, strict where the real one is.

Monitors: `query alert` queries must parse (`<agg>(last_<n><unit>):<expr> <op> <number>`), a
scope may not mix `,` with AND/OR/IN (Datadog's advanced filtering rule), the critical threshold
must equal the query's, `no_data_timeframe` must be at least twice the query window, tags must be
`key:value` strings. Dashboards: a title, `ordered`/`free` layout, widgets with
a known definition type and the fields that type requires. Like the real API it answers with ids,
timestamps and defaults of its own (so a client must not expect its request echoed back).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.loopback_http import JsonHandler, serving

API_KEY = "dd-alerts-api-key-0123456789"
APP_KEY = "dd-alerts-app-key-0123456789"
_QUERY = re.compile(r"^(avg|min|max|sum)\(last_(\d+)([mhd])\):(.+) (<|<=|>|>=) (-?[\d.]+)$")
_UNIT_MIN = {"m": 1, "h": 60, "d": 1440}
_WIDGETS = {
    "timeseries": "requests",
    "query_value": "requests",
    "toplist": "requests",
    "manage_status": "query",
    "note": "content",
}
STAMP = "2026-11-21T10:00:00.000000+00:00"


def monitor_problems(body: dict[str, Any]) -> list[str]:
    problems = []
    if body.get("type") != "query alert":
        problems.append(f"type {body.get('type')!r} is not supported here")
    match = _QUERY.match(body.get("query", ""))
    if not match:
        return [
            *problems,
            f"The value provided for parameter 'query' is invalid: {body.get('query')!r}",
        ]
    window_min = int(match.group(2)) * _UNIT_MIN[match.group(3)]
    options = body.get("options", {})
    critical = options.get("thresholds", {}).get("critical")
    if critical is None or float(critical) != float(match.group(6)):
        problems.append(
            f"Alert threshold ({critical}) does not match that used in the query ({match.group(6)})"
        )
    if options.get("notify_no_data") and options.get("no_data_timeframe", 0) < 2 * window_min:
        problems.append("No data timeframe must be at least 2x the monitor timeframe")
    if match.group(4).count("{") != match.group(4).count("}"):
        problems.append("unbalanced braces in query")
    for scope in re.findall(r"\{([^}]*)\}", match.group(4)):
        # Datadog: the symbolic `,` cannot be combined with AND, OR, IN or NOT
        if "," in scope.split(" IN (")[0] and re.search(r" (AND|OR|IN|NOT) ", scope):
            problems.append(f"invalid scope: ',' mixed with boolean operators: {{{scope}}}")
    if not all(isinstance(t, str) and ":" in t for t in body.get("tags", [])):
        problems.append("tags must be key:value strings")
    if body.get("priority") not in (None, 1, 2, 3, 4, 5):
        problems.append("priority must be 1-5")
    return problems


def dashboard_problems(body: dict[str, Any]) -> list[str]:
    problems = []
    if not body.get("title"):
        problems.append("title is required")
    if body.get("layout_type") not in ("ordered", "free"):
        problems.append("layout_type must be ordered or free")
    for i, widget in enumerate(body.get("widgets", [])):
        definition = widget.get("definition", {})
        needed = _WIDGETS.get(definition.get("type"))
        if needed is None:
            problems.append(f"widgets[{i}]: unknown type {definition.get('type')!r}")
        elif not definition.get(needed):
            problems.append(f"widgets[{i}]: {definition['type']} needs {needed}")
    return problems


@dataclass
class FakeDatadog:
    url: str = ""
    monitors: dict[int, dict[str, Any]] = field(default_factory=dict)
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)
    writes: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[list[str]] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: itertools.count(1000))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.monitors.clear()
            self.dashboards.clear()
            self.writes.clear()
            self.rejected.clear()

    def new_monitor(self, body: dict[str, Any], monitor_id: int | None = None) -> dict[str, Any]:
        monitor_id = monitor_id or next(self.ids)
        options = {
            "notify_audit": False,
            "silenced": {},
            "new_group_delay": 60,
            **body.get("options", {}),
        }
        return {
            **body,
            "options": options,
            "id": monitor_id,
            "created": STAMP,
            "modified": STAMP,
            "creator": {"email": "ci@example.com", "handle": "ci@example.com", "name": "CI"},
            "overall_state": "No Data",
            "multi": " by " in body.get("query", ""),
            "deleted": None,
            "restricted_roles": None,
        }

    def new_dashboard(self, body: dict[str, Any], board_id: str | None = None) -> dict[str, Any]:
        board_id = board_id or f"abc-{next(self.ids)}-xyz"
        widgets = [{**w, "id": next(self.ids)} for w in body.get("widgets", [])]
        return {
            **body,
            "widgets": widgets,
            "id": board_id,
            "url": f"/dashboard/{board_id}",
            "created_at": STAMP,
            "modified_at": STAMP,
            "author_handle": "ci@example.com",
            "is_read_only": False,
            "notify_list": [],
            "template_variables": [],
        }


def _handler(fake: FakeDatadog) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):
        def _body(self) -> dict[str, Any]:
            return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")

        def _route(self, method: str) -> None:
            if (
                self.headers.get("DD-API-KEY") != API_KEY
                or self.headers.get("DD-APPLICATION-KEY") != APP_KEY
            ):
                self._answer(403, {"errors": ["Forbidden"]})
                return
            parts = urlsplit(self.path)
            segments = parts.path.strip("/").split("/")  # api v1 monitor|dashboard [id]
            if segments[:2] != ["api", "v1"] or len(segments) < 3:
                self._answer(404, {"errors": ["Not found"]})
                return
            kind, ident = segments[2], segments[3] if len(segments) > 3 else None
            with fake.lock:
                if method != "GET":
                    fake.writes.append((method, parts.path))
                if kind == "monitor":
                    self._monitor(method, ident, parse_qs(parts.query))
                elif kind == "dashboard":
                    self._dashboard(method, ident)
                else:
                    self._answer(404, {"errors": ["Not found"]})

        def _monitor(self, method: str, ident: str | None, query: dict[str, list[str]]) -> None:
            if method == "GET" and ident is None:
                wanted = [t for v in query.get("monitor_tags", []) for t in v.split(",") if t]
                found = [
                    m for m in fake.monitors.values() if all(t in m.get("tags", []) for t in wanted)
                ]
                self._answer(200, found)
                return
            if method == "POST" and ident is None:
                body = self._body()
                if problems := monitor_problems(body):
                    fake.rejected.append(problems)
                    self._answer(400, {"errors": problems})
                    return
                monitor = fake.new_monitor(body)
                fake.monitors[monitor["id"]] = monitor
                self._answer(200, monitor)
                return
            monitor_id = int(ident or 0)
            if monitor_id not in fake.monitors:
                self._answer(404, {"errors": ["Monitor not found"]})
            elif method == "PUT":
                body = {**fake.monitors[monitor_id], **self._body()}
                if problems := monitor_problems(body):
                    fake.rejected.append(problems)
                    self._answer(400, {"errors": problems})
                    return
                fake.monitors[monitor_id] = fake.new_monitor(body, monitor_id)
                self._answer(200, fake.monitors[monitor_id])
            elif method == "DELETE":
                del fake.monitors[monitor_id]
                self._answer(200, {"deleted_monitor_id": monitor_id})
            else:
                self._answer(200, fake.monitors[monitor_id])

        def _dashboard(self, method: str, ident: str | None) -> None:
            if method == "GET" and ident is None:
                keys = (
                    "id",
                    "title",
                    "description",
                    "layout_type",
                    "url",
                    "created_at",
                    "modified_at",
                    "author_handle",
                    "is_read_only",
                )
                self._answer(
                    200, {"dashboards": [{k: d[k] for k in keys} for d in fake.dashboards.values()]}
                )
                return
            if method in ("POST", "PUT"):
                body = self._body()
                if problems := dashboard_problems(body):
                    fake.rejected.append(problems)
                    self._answer(400, {"errors": problems})
                    return
                if method == "PUT" and ident not in fake.dashboards:
                    self._answer(404, {"errors": ["Dashboard not found"]})
                    return
                board = fake.new_dashboard(body, ident)
                fake.dashboards[board["id"]] = board
                self._answer(200, board)
                return
            if ident not in fake.dashboards:
                self._answer(404, {"errors": ["Dashboard not found"]})
            elif method == "DELETE":
                del fake.dashboards[ident]
                self._answer(200, {"deleted_dashboard_id": ident})
            else:
                self._answer(200, fake.dashboards[ident])

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_PUT(self) -> None:
            self._route("PUT")

        def do_DELETE(self) -> None:
            self._route("DELETE")

    return Handler


@contextmanager
def fake_datadog() -> Iterator[FakeDatadog]:
    """The fake on a free loopback port until the block ends."""
    fake = FakeDatadog()
    with serving(_handler(fake)) as url:
        fake.url = url
        yield fake
