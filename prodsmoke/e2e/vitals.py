"""Web Vitals of every page a journey loads, from the browser's own PerformanceObserver entries.

`vitals.js` (package data) is an init script on the journey's guarded context: it runs in each
page's top-level http(s) document before the page's own scripts and keeps that document's
TTFB (navigation timing), FCP (paint), LCP (largest-contentful-paint), CLS (layout-shift, in
session windows), INP (event timing by interactionId, when the journey interacted), requests
and transfer bytes (navigation + resource timing). No third-party code is shipped.

Nothing is lost when a journey navigates away: the script reports a document's values through a
marked console message as soon as the document exists (its first byte, whatever happens next),
at its load event, as a navigation away starts (`beforeunload`; Chromium runs `pagehide` too
late for a report to arrive), and when the page is hidden. When the attempt ends,
`VitalsCollector.read` asks each page whose document has loaded for its values once more (one
evaluation, no waiting for a frame); a document still loading is not asked (busy parsing, it
would keep the journey waiting): its reports stand. A failed attempt asks every page, briefly.
The marked messages are ours, never the page's console output (`PageObserver` leaves them out).
Each document reports under its own id, and the latest report of a document wins.

`$PRODSMOKE_VITALS=off` turns collection off (the overhead benchmark compares both).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError

from prodsmoke import redact
from prodsmoke.config.journeys import JourneySpec
from prodsmoke.config.vitals import VITALS, VitalLimits
from prodsmoke.e2e.vitals_limits import judge
from prodsmoke.errors import CheckFailure
from prodsmoke.results import PageVitals

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, ConsoleMessage, Frame, Page


MARK = "__prodsmoke_vitals__ "
# Only the script prodsmoke installed knows this (it is in its closure, and pages cannot read the
# console): a page that logs the marker itself is left out of its console output, never believed.
_NONCE = secrets.token_hex(8)
_OURS = f"{MARK}{_NONCE} "
ENV_SWITCH = "PRODSMOKE_VITALS"
READ_TIMEOUT_S = 0.5  # the end-of-attempt read; a page too busy to answer keeps its reports
FAILED_READ_S = 0.25  # a failed attempt's read (of every page): SAVE_MARGIN_S is for artifacts
FIRST_REPORT_S = 0.2  # how long a document that has just committed is given to report
INIT_SCRIPT = (
    (Path(__file__).parent / "vitals.js")
    .read_text(encoding="utf-8")
    .replace("__MARK__", json.dumps(_OURS))
)
_READ = "() => window.__prodsmokeVitals ? window.__prodsmokeVitals.read() : null"
_ID = ":id"
_NUMBER = re.compile(r"^\d+$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_HEX = re.compile(r"^(?=.*\d)[0-9a-f]{8,}$", re.IGNORECASE)
# A long opaque segment (a token, a hash, a slug with a number in it) is an id as well: it would
# make every page its own metric series, and it may be a secret.
_TOKEN = re.compile(r"^(?=.*\d)[A-Za-z0-9_\-.~%]{24,}$")
_MAX_PATH = 200


def enabled(environ: Mapping[str, str] | None = None) -> bool:
    """False when `$PRODSMOKE_VITALS` says off (0, off, false, no)."""
    value = (os.environ if environ is None else environ).get(ENV_SWITCH, "")
    return value.strip().lower() not in ("0", "off", "false", "no")


def is_vitals_message(text: str) -> bool:
    """True for the collector's own console reports (never the page's output)."""
    return text.startswith(MARK)


def page_template(path: str) -> str:
    """A page's path as a low-cardinality template: no query string or fragment, and numeric,
    UUID, hex and long opaque segments as `:id` (`/orders/8412/items?x=1` -> `/orders/:id/items`).
    """
    raw = urlsplit(path).path or "/"
    segments = [
        _ID if any(p.match(s) for p in (_NUMBER, _UUID, _HEX, _TOKEN)) else s
        for s in raw.split("/")
    ]
    template = redact.redact("/".join(segments))
    return template if len(template) <= _MAX_PATH else template[: _MAX_PATH - 1] + "…"


class Judged(Protocol):
    """What `judge` needs of a journey's `JourneyRun` (e2e.journeys.base, which builds on this
    module's neighbours, so this one does not import it): its warn ratio, and its warnings."""

    warn_ratio: float
    warnings: list[str]


@dataclass
class VitalsCollector:
    """The Web Vitals of one attempt's context: every document of every page it opened.

    The engine's hook: `install` on the new context, `judge` once the journey ran through (or
    `read` when it failed), and `pages()` into the attempt's result.
    """

    base_url: str
    limits: VitalLimits = field(default_factory=VitalLimits)
    active: bool = True
    _documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    _loaded: set[Page] = field(default_factory=set)  # their current document has loaded
    _silent: set[Page] = field(default_factory=set)  # their current document has not reported
    _pages: list[Page] = field(default_factory=list)
    _read: bool = False

    @classmethod
    def for_check(cls, spec: object, base_url: str) -> VitalsCollector:
        """The collector for one attempt of a journey (`spec`: its config)."""
        limits = spec.vitals if isinstance(spec, JourneySpec) else VitalLimits()
        return cls(base_url, limits=limits, active=enabled())

    async def install(self, context: BrowserContext) -> None:
        """Put the script on the context (before its first page) and listen for its reports."""
        if not self.active:
            return
        await context.add_init_script(INIT_SCRIPT)
        context.on("console", self._console)
        context.on("page", self._watch)

    def _watch(self, page: Page) -> None:
        def committed(frame: Frame) -> None:
            if frame == page.main_frame:
                self._loaded.discard(page)  # a new document: its reports come after this event
                if frame.url.startswith(("http://", "https://")):
                    self._silent.add(page)

        self._pages.append(page)
        page.on("framenavigated", committed)

    def _console(self, message: ConsoleMessage) -> None:
        if not message.text.startswith(_OURS):
            return
        report = _parse(message.text[len(_OURS) :])
        self._record(report)
        self._silent.discard(message.page)
        if report is not None and report.get("loaded") is True and message.page is not None:
            self._loaded.add(message.page)

    def _record(self, report: Mapping[str, Any] | None) -> None:
        if report is not None and isinstance(report.get("id"), str):
            self._documents[report["id"]] = dict(report)

    async def read(self, *, failed: bool = False) -> None:
        """Ask the pages for their current values, once per attempt: those whose document has
        loaded, or (`failed`) every open page, briefly."""
        if not self.active or self._read:
            return
        self._read = True
        if not failed:
            await self._first_reports()
        asked = [p for p in (self._pages if failed else self._loaded) if not p.is_closed()]
        timeout_s = FAILED_READ_S if failed else READ_TIMEOUT_S
        reports = await asyncio.gather(*(_read(p, timeout_s) for p in asked))
        for report in reports:
            self._record(report)

    async def _first_reports(self) -> None:
        """Give documents that have just committed (the journey ended on a navigation) a moment
        for their first report, which is sent the moment they exist."""
        deadline = time.monotonic() + FIRST_REPORT_S
        while any(not p.is_closed() for p in self._silent) and time.monotonic() < deadline:
            await asyncio.sleep(0.005)

    async def judge(self, j: Judged) -> None:
        """After the journey ran through: read its pages, then warn (into `j.warnings`) or fail
        (`CheckFailure`, class product) on the thresholds."""
        await self.read()
        verdict = judge(self.pages(), self.limits, j.warn_ratio)
        j.warnings.extend(verdict.warnings)
        if verdict.failures:
            raise CheckFailure("; ".join(verdict.failures))

    def pages(self) -> tuple[PageVitals, ...]:
        """One entry per page template, in the order first loaded; each value the worst (the
        highest) of that template's documents."""
        merged: dict[str, tuple[dict[str, float], int]] = {}
        base = urlsplit(self.base_url)
        for report in self._documents.values():
            values = _values(report)
            path = page_template(str(report.get("path") or "/"))
            origin = str(report.get("origin") or "")
            if origin and urlsplit(origin).netloc != base.netloc:
                path = f"//{urlsplit(origin).netloc}{path}"  # another host the journey visited
            known, loads = merged.get(path, ({}, 0))
            for name, value in values.items():
                known[name] = max(known.get(name, value), value)
            merged[path] = (known, loads + 1)
        return tuple(
            PageVitals(path, {v: values[v] for v in VITALS if v in values}, loads)
            for path, (values, loads) in merged.items()
        )


async def _read(page: Page, timeout_s: float) -> dict[str, Any] | None:
    try:
        found = await asyncio.wait_for(page.evaluate(_READ), timeout_s)
    except (PlaywrightError, TimeoutError):
        return None  # gone, navigating or busy: its last report stands
    return found if isinstance(found, dict) else None


def _parse(text: str) -> dict[str, Any] | None:
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _values(report: Mapping[str, Any]) -> dict[str, float]:
    """The measured vitals of one report, rounded (ms and counts whole, CLS to 4 places)."""
    out: dict[str, float] = {}
    for name in VITALS:
        value = report.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if not math.isfinite(value) or value < 0:
            continue
        out[name] = round(float(value), 4) if name == "cls" else round(value)
    return out
