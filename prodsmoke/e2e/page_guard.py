"""The part of the guard that runs inside pages: refusing what no route can intercept.

Playwright routes what pages, frames, popups, dedicated workers, beacons and pings send, but not
what a shared worker sends, and nothing routes WebRTC or WebTransport. So an init script, run in
every frame before the page's own scripts, replaces `SharedWorker` with an inert stand-in (its port
goes nowhere), refuses `RTCPeerConnection` and `WebTransport`, and reports service-worker
registrations (which the context option `service_workers="block"` already stops). Each refusal is
reported to the guard through a marked console message, so it is listed in `safety.blocked`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from prodsmoke.results import Refusal, RefusalKind

if TYPE_CHECKING:
    from playwright.async_api import ConsoleMessage

    from prodsmoke.e2e.guard import Guard

MARK = "__prodsmoke_guard__ "
REFUSED = "refused by prodsmoke guard"
REASONS = {
    "SHAREDWORKER": Refusal(RefusalKind.BROWSER_API, "shared worker refused"),
    "SERVICEWORKER": Refusal(RefusalKind.BROWSER_API, "service worker refused"),
    "RTCPEERCONNECTION": Refusal(RefusalKind.BROWSER_API, "webrtc refused"),
    "WEBTRANSPORT": Refusal(RefusalKind.BROWSER_API, "webtransport refused"),
}

INIT_SCRIPT = (
    (Path(__file__).parent / "page_guard.js")
    .read_text(encoding="utf-8")
    .replace("__MARK__", json.dumps(MARK))
    .replace("__REFUSED__", REFUSED)
)


def is_guard_message(text: str) -> bool:
    """True for the guard's own console reports and refusals (never the page's errors)."""
    return text.startswith(MARK) or REFUSED in text


def record_refusal(guard: Guard, check: str, message: ConsoleMessage) -> None:
    """Turn a marked console message into a guard record."""
    if not message.text.startswith(MARK):
        return
    try:
        report = json.loads(message.text[len(MARK) :])
        kind, url = str(report["kind"]), str(report["url"])
    except (ValueError, KeyError, TypeError):
        return
    if kind in REASONS:
        guard.record(check, kind, url, REASONS[kind])
