"""The guard, installed on a browser context: every request it can send passes `Guard` first.

Context-level routing sees pages, frames, popups, dedicated workers, beacons and pings;
WebSockets are routed separately; service workers and downloads are refused by context options
(see `e2e.browser.new_context`); what no route sees (shared workers, WebRTC, WebTransport) is
refused inside every frame by `page_guard.INIT_SCRIPT`.

Playwright does not route a redirect's follow-up request. So a write the guard allows is sent
here with `max_redirects=0` and its redirect target is judged (and counted) before the browser may
follow it; a GET's follow-up cannot be stopped, but it is counted and judged when its response
arrives. Every follow-up is listed in `safety.unrouted`. The browser sends a follow-up with the
headers the first request was continued with, and a write answered here has none: so the
synthetic marker is also set as the context's extra header, and it is taken out again from every
routed request to a host other than the target's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from playwright.async_api import Error as PlaywrightError

from prodsmoke.e2e import page_guard
from prodsmoke.e2e.guard import DOWNLOAD_REFUSED, SAFE_METHODS, Guard

if TYPE_CHECKING:
    from playwright.async_api import (
        BrowserContext,
        ConsoleMessage,
        Download,
        Page,
        Request,
        Response,
        Route,
        WebSocketRoute,
    )

# Responses that can teach the budget a rate limit (a 429 teaches it whatever its type).
_LIMITED = frozenset({"document", "fetch", "xhr", "eventsource", "other"})


class ContextGuard:
    """One check's guard, as handlers on one browser context."""

    def __init__(self, guard: Guard, check: str) -> None:
        self.guard = guard
        self.check = check
        self._judged: set[str] = set()  # redirect targets judged (and counted) before following

    async def install(self, context: BrowserContext) -> None:
        """Route everything the context sends through the guard."""
        await context.set_extra_http_headers(self.guard.marker())
        await context.add_init_script(page_guard.INIT_SCRIPT)
        await context.route("**/*", self.route)
        await context.route_web_socket(re.compile(r".*"), self.websocket)
        context.on("response", self.responded)
        context.on("requestfailed", self.failed)
        context.on("console", self.console)
        context.on("page", self.page)

    async def route(self, route: Route, request: Request) -> None:
        """Refuse, or send as marked (writes: sent here, their redirects judged first)."""
        guard, method, url = self.guard, request.method.upper(), request.url
        if await guard.admit(method, url, self.check, resource=request.resource_type) is not None:
            await _refuse(route, method)
            return
        if method in SAFE_METHODS:
            # the marker header goes to the target's own host only
            await route.continue_(headers=guard.outgoing_headers(url, request.headers))
            return
        try:
            headers = guard.outgoing_headers(url, request.headers)
            response = await route.fetch(headers=headers, max_redirects=0)
        except PlaywrightError:
            await route.abort("connectionfailed")
            return
        location = response.headers.get("location")
        if 300 <= response.status < 400 and location:
            target = urljoin(url, location)
            follow = method if response.status in (307, 308) else "GET"
            if guard.decide(follow, target, self.check) is not None:
                await _refuse(route, method)
                return
            self._judged.add(target)
        await route.fulfill(response=response)

    async def websocket(self, ws: WebSocketRoute) -> None:
        """Open a WebSocket only when `allowed_websockets` lists it."""
        if self.guard.decide_websocket(ws.url, self.check) is None:
            ws.connect_to_server()
        else:
            await ws.close(code=1008, reason="blocked by prodsmoke guard")

    def responded(self, response: Response) -> None:
        """Account for redirect follow-ups; learn the target's rate limit."""
        request = response.request
        if request.redirected_from is not None:  # a follow-up no route saw
            self._unrouted(request)
        if response.status == 429 or request.resource_type in _LIMITED:
            self.guard.observe(response.url, response.status, response.headers)

    def failed(self, request: Request) -> None:
        """A request that got no response (a follow-up is still accounted for)."""
        if request.redirected_from is not None:
            self._unrouted(request)
        self.guard.failed(request.url)

    def console(self, message: ConsoleMessage) -> None:
        """The in-page guard reports its refusals through the console."""
        page_guard.record_refusal(self.guard, self.check, message)

    def page(self, page: Page) -> None:
        """Every page's downloads are refused (by context option) and recorded."""
        page.on("download", self._download)

    def _download(self, item: Download) -> None:
        self.guard.record(self.check, "GET", item.url, DOWNLOAD_REFUSED)

    def _unrouted(self, request: Request) -> None:
        judged = request.url in self._judged  # then it was counted when it was judged
        self._judged.discard(request.url)
        self.guard.observe_unrouted(request.method, request.url, self.check, counted=judged)


async def _refuse(route: Route, method: str) -> None:
    if method in SAFE_METHODS:
        await route.abort("blockedbyclient")
    else:
        # A refused write is answered locally with 204: the page carries on as if its beacon
        # landed, so a blocked analytics call never becomes the page's console error.
        await route.fulfill(status=204, body=b"", headers={"x-prodsmoke": "blocked"})
