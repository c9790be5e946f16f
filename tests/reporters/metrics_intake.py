"""A local metrics intake that checks payloads the way Datadog's and New Relic's APIs define them.

Datadog `POST /api/v2/series` (MetricPayload: series of MetricSeries with MetricPoint points,
type 0-3, timestamps in POSIX seconds no more than 1 h old nor 10 min ahead; `DD-API-KEY` header)
and New Relic `POST /metric/v1` (a list of {common, metrics}; gauge/count/summary; timestamps in
ms within 48 h; `Api-Key` header; attribute limits). Bodies may be gzip- or deflate-compressed.
A payload that breaks a rule is answered 400 with the reasons, as the real APIs do, and recorded
under `rejected` so a test can show it.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback_http import JsonHandler, serving

DD_KEY = "dd-test-api-key-0123456789abcdef"
NR_KEY = "NRAK-test-license-key-0123456789"
_SERIES_KEYS = {
    "metric",
    "points",
    "type",
    "tags",
    "unit",
    "interval",
    "resources",
    "source_type_name",
    "metadata",
}
_TAG = re.compile(r"^[A-Za-z][\w\-:./]{0,199}$")
_NR_ATTR = re.compile(r"^[A-Za-z0-9:._]{1,255}$")


def validate_dd_series(doc: Any, now: float) -> list[str]:
    """Problems with a Datadog v2 MetricPayload, per the API reference."""
    if not isinstance(doc, dict) or set(doc) != {"series"}:
        return ["body must be an object with exactly the key 'series'"]
    series = doc["series"]
    if not isinstance(series, list) or not series:
        return ["series must be a non-empty list"]
    problems = []
    for i, s in enumerate(series):
        where = f"series[{i}]"
        if not isinstance(s, dict):
            problems.append(f"{where} must be an object")
            continue
        if extra := set(s) - _SERIES_KEYS:
            problems.append(f"{where}: unknown keys {sorted(extra)}")
        if not isinstance(s.get("metric"), str) or not s["metric"]:
            problems.append(f"{where}.metric is required (a string)")
        if s.get("type", 0) not in (0, 1, 2, 3):
            problems.append(f"{where}.type must be 0, 1, 2 or 3")
        if s.get("type") in (1, 2) and not isinstance(s.get("interval"), int):
            problems.append(f"{where}: count and rate need an interval")
        if "unit" in s and not isinstance(s["unit"], str):
            problems.append(f"{where}.unit must be a string")
        tags = s.get("tags", [])
        if not isinstance(tags, list) or not all(
            isinstance(t, str) and _TAG.match(t) for t in tags
        ):
            problems.append(f"{where}.tags must be a list of valid tag strings: {tags}")
        points = s.get("points")
        if not isinstance(points, list) or not points:
            problems.append(f"{where}.points is required (a non-empty list)")
            continue
        for j, p in enumerate(points):
            ts, value = (p or {}).get("timestamp"), (p or {}).get("value")
            if not isinstance(ts, int) or isinstance(ts, bool):
                problems.append(f"{where}.points[{j}].timestamp must be an integer (seconds)")
            elif not now - 3600 <= ts <= now + 600:
                problems.append(f"{where}.points[{j}].timestamp {ts} is outside [-1 h, +10 min]")
            if not isinstance(value, int | float) or isinstance(value, bool):
                problems.append(f"{where}.points[{j}].value must be a number")
    return problems


def validate_nr_metrics(doc: Any, now: float) -> list[str]:
    """Problems with a New Relic Metric API body, per its documented format and limits."""
    if not isinstance(doc, list) or not doc:
        return ["body must be a non-empty JSON array of metric data objects"]
    problems = []
    for i, block in enumerate(doc):
        common = block.get("common", {}) if isinstance(block, dict) else {}
        metrics = block.get("metrics") if isinstance(block, dict) else None
        if not isinstance(metrics, list) or not metrics:
            problems.append(f"[{i}].metrics is required (a non-empty list)")
            continue
        problems += _nr_attributes(f"[{i}].common", common.get("attributes", {}))
        for j, m in enumerate(metrics):
            where = f"[{i}].metrics[{j}]"
            if not isinstance(m.get("name"), str) or not m["name"]:
                problems.append(f"{where}.name is required")
            kind = m.get("type", "gauge")
            if kind not in ("gauge", "count", "summary"):
                problems.append(f"{where}.type {kind!r} is not gauge, count or summary")
            value = m.get("value")
            if kind != "summary" and (
                not isinstance(value, int | float) or isinstance(value, bool)
            ):
                problems.append(f"{where}.value must be a number")
            if kind in ("count", "summary") and "interval.ms" not in m | common:
                problems.append(f"{where}: {kind} needs interval.ms")
            ts = m.get("timestamp", common.get("timestamp"))
            if not isinstance(ts, int):
                problems.append(f"{where}: timestamp (ms) required in the metric or common")
            elif not now - 48 * 3600 <= ts / 1000 <= now + 24 * 3600:
                problems.append(f"{where}.timestamp {ts} is outside [-48 h, +24 h] (ms expected)")
            problems += _nr_attributes(where, m.get("attributes", {}))
    return problems


def _nr_attributes(where: str, attributes: Any) -> list[str]:
    if not isinstance(attributes, dict):
        return [f"{where}.attributes must be an object"]
    problems = []
    if len(attributes) > 150:
        problems.append(f"{where}: more than 150 attributes")
    for key, value in attributes.items():
        if not _NR_ATTR.match(key):
            problems.append(f"{where}.attributes: bad name {key!r}")
        if not isinstance(value, str | int | float | bool):
            problems.append(f"{where}.attributes.{key} must be a string, number or boolean")
        elif isinstance(value, str) and len(value) > 4096:
            problems.append(f"{where}.attributes.{key} is longer than 4096 characters")
    return problems


@dataclass
class Intake:
    """The running intake: what it accepted, refused, and how it should answer next."""

    url: str = ""
    datadog: list[dict[str, Any]] = field(default_factory=list)
    newrelic: list[list[dict[str, Any]]] = field(default_factory=list)
    rejected: list[tuple[str, list[str]]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    fail: dict[str, int] = field(default_factory=dict)  # "datadog"/"newrelic" -> HTTP status
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        """Forget everything and answer normally again."""
        with self.lock:
            self.datadog.clear()
            self.newrelic.clear()
            self.rejected.clear()
            self.requests.clear()
            self.fail.clear()

    def dd_points(self) -> list[dict[str, Any]]:
        """Every Datadog series received, flattened."""
        return [s for payload in self.datadog for s in payload["series"]]

    def nr_metrics(self) -> list[dict[str, Any]]:
        """Every New Relic metric received, with its block's common timestamp filled in."""
        out = []
        for body in self.newrelic:
            for block in body:
                common = block.get("common", {})
                for metric in block["metrics"]:
                    attributes = {**common.get("attributes", {}), **metric.get("attributes", {})}
                    stamp = metric.get("timestamp", common.get("timestamp"))
                    out.append({**metric, "timestamp": stamp, "attributes": attributes})
        return out


def _handler(intake: Intake) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with intake.lock:
                intake.requests.append(("POST", self.path, headers))
            encoding = headers.get("content-encoding", "")
            body = gzip.decompress(raw) if encoding == "gzip" else raw
            body = zlib.decompress(body) if encoding == "deflate" else body
            if self.path == "/api/v2/series":
                self._series(headers, body)
            elif self.path == "/metric/v1":
                self._metric(headers, body)
            else:
                self._answer(404, {"errors": ["Not found"]})

        def _series(self, headers: dict[str, str], body: bytes) -> None:
            if headers.get("dd-api-key") != DD_KEY:
                self._answer(403, {"errors": ["Forbidden"]})
                return
            if status := intake.fail.get("datadog"):
                self._answer(status, {"errors": ["Internal Server Error"]})
                return
            doc = json.loads(body)
            problems = validate_dd_series(doc, time.time())
            if problems:
                with intake.lock:
                    intake.rejected.append(("datadog", problems))
                self._answer(400, {"errors": problems})
                return
            with intake.lock:
                intake.datadog.append(doc)
            self._answer(202, {"errors": []})

        def _metric(self, headers: dict[str, str], body: bytes) -> None:
            if headers.get("api-key") != NR_KEY:
                self._answer(403, {"error": "invalid license key"})
                return
            if status := intake.fail.get("newrelic"):
                self._answer(status, {"error": "unavailable"})
                return
            doc = json.loads(body)
            problems = validate_nr_metrics(doc, time.time())
            if problems:
                with intake.lock:
                    intake.rejected.append(("newrelic", problems))
                self._answer(400, {"error": "; ".join(problems)})
                return
            with intake.lock:
                intake.newrelic.append(doc)
            self._answer(202, {"requestId": str(uuid.uuid4())})

    return Handler


@contextmanager
def serve_intake() -> Iterator[Intake]:
    """The intake on a free loopback port until the block ends."""
    intake = Intake()
    with serving(_handler(intake)) as url:
        intake.url = url
        yield intake
