"""Find Chromium, launch it, and create guarded browser contexts — the only place contexts are made.

Where the browser comes from, in order (the first that launches wins, and results say which):

1. an override: `$PRODSMOKE_CHROMIUM`, else `browser.executable_path` in the environment's config.
   An override that does not launch is an error, never silently replaced;
2. Playwright's own browser, as installed by `playwright install chromium` (headless runs use its
   headless shell, exactly as Playwright does);
3. the system's: `chromium-headless-shell` (headless only), `chromium`, `chromium-browser`,
   `google-chrome-stable`, `google-chrome` on `PATH`.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from playwright.async_api import Error as PlaywrightError

from prodsmoke.e2e import page_guard
from prodsmoke.e2e.guard import DOWNLOAD_REFUSED, SAFE_METHODS, Guard
from prodsmoke.errors import BrowserNotFound

if TYPE_CHECKING:
    from collections.abc import Mapping

    from playwright.async_api import (
        Browser,
        BrowserContext,
        Download,
        Playwright,
        Request,
        Route,
        WebSocketRoute,
    )

ENV_OVERRIDE = "PRODSMOKE_CHROMIUM"
# Without these, Chromium reaches out to Google services at start (SPEC: the machine note).
QUIET_ARGS = ("--disable-background-networking", "--disable-component-update", "--disable-sync")
_SYSTEM = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")


@dataclass(frozen=True, slots=True)
class BrowserChoice:
    """One place a Chromium may come from."""

    source: str  # "override" | "playwright" | "system"
    path: str | None  # None: let Playwright pick its own executable

    def describe(self, version: str = "") -> str:
        """E.g. 'Chromium 156.0 (system: /usr/bin/chromium-headless-shell)'."""
        name = f"Chromium {version}".strip()
        where = self.path or "Playwright-managed"
        return f"{name} ({self.source}: {where})"


def candidates(
    configured: str | None, *, headless: bool, environ: Mapping[str, str] | None = None
) -> list[BrowserChoice]:
    """The places to try, in the documented order."""
    env = os.environ if environ is None else environ
    override = env.get(ENV_OVERRIDE) or configured
    if override:
        return [BrowserChoice("override", override)]
    return [
        BrowserChoice("playwright", None),
        *(BrowserChoice("system", path) for path in system_browsers(headless=headless)),
    ]


def system_browsers(*, headless: bool) -> list[str]:
    """Chromium executables on PATH, the headless shell first when running headless."""
    names = (("chromium-headless-shell",) if headless else ()) + _SYSTEM
    return [path for name in names if (path := shutil.which(name))]


async def launch(
    pw: Playwright,
    configured: str | None,
    *,
    headless: bool = True,
    slow_mo_ms: float = 0,
    extra_args: tuple[str, ...] = (),
) -> tuple[Browser, str]:
    """Launch the first Chromium that starts; return it and a one-line description."""
    tried: list[str] = []
    args = [*QUIET_ARGS, *extra_args]
    for choice in candidates(configured, headless=headless):
        try:
            browser = await pw.chromium.launch(
                executable_path=choice.path, headless=headless, slow_mo=slow_mo_ms, args=args
            )
        except PlaywrightError as exc:
            first_line = (
                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            )
            if choice.source == "override":
                raise BrowserNotFound(
                    f"the Chromium named by ${ENV_OVERRIDE} or browser.executable_path "
                    f"({choice.path}) did not start: {first_line}"
                ) from exc
            tried.append(f"{choice.source} {choice.path or ''}".strip())
            continue
        return browser, choice.describe(browser.version)
    raise BrowserNotFound(
        "no Chromium found (tried: " + ", ".join(tried) + "); run `playwright install chromium`, "
        f"install Debian's chromium, or set ${ENV_OVERRIDE} to a Chromium executable"
    )


async def new_context(
    browser: Browser, guard: Guard, check: str, **options: object
) -> BrowserContext:
    """A browser context with the guard installed on everything it can send.

    Context-level routing also sees frames, popups, dedicated workers, beacons and pings;
    WebSockets are routed separately; service workers and downloads are refused by context
    options; what no route sees (shared workers, WebRTC, WebTransport) is refused inside every
    frame by `page_guard.INIT_SCRIPT`.

    Playwright does not route a redirect's follow-up request. So a write the guard allows is sent
    by us with `max_redirects=0` and its redirect target is judged before the browser may follow
    it; a GET's redirect follow-up cannot be stopped, but it is counted and judged when seen.
    """
    context = await browser.new_context(
        accept_downloads=False,
        service_workers="block",
        **options,  # type: ignore[arg-type]
    )
    judged: set[str] = set()  # redirect targets already judged (and counted) before following

    async def route(route: Route, request: Request) -> None:
        method = request.method.upper()
        if await guard.admit(method, request.url, check) is not None:
            await _refuse(route, method)
            return
        headers = guard.outgoing_headers(request.url, request.headers)
        if method in SAFE_METHODS:
            await route.continue_(headers=headers)
            return
        try:
            response = await route.fetch(headers=headers, max_redirects=0)
        except PlaywrightError:
            await route.abort("connectionfailed")
            return
        location = response.headers.get("location")
        if 300 <= response.status < 400 and location:
            target = urljoin(request.url, location)
            follow = method if response.status in (307, 308) else "GET"
            if guard.decide(follow, target, check) is not None:
                await _refuse(route, method)
                return
            judged.add(target)
        await route.fulfill(response=response)

    def seen(request: Request) -> None:
        if request.redirected_from is None:
            return  # routed above
        if request.url in judged:
            judged.discard(request.url)
            return
        guard.observe_unrouted(request.method, request.url, check)

    async def websocket(ws: WebSocketRoute) -> None:
        if guard.decide_websocket(ws.url, check) is None:
            ws.connect_to_server()
        else:
            await ws.close(code=1008, reason="blocked by prodsmoke guard")

    def download(item: Download) -> None:
        guard.record(check, "GET", item.url, DOWNLOAD_REFUSED)

    await context.add_init_script(page_guard.INIT_SCRIPT)
    await context.route("**/*", route)
    await context.route_web_socket(re.compile(r".*"), websocket)
    context.on("request", seen)
    context.on("response", lambda r: guard.observe(r.url, r.status, r.headers))
    context.on("requestfailed", lambda r: guard.failed(r.url))
    context.on("console", lambda message: page_guard.record_refusal(guard, check, message))
    context.on("page", lambda page: page.on("download", download))
    return context


async def _refuse(route: Route, method: str) -> None:
    if method in SAFE_METHODS:
        await route.abort("blockedbyclient")
    else:
        # A refused write is answered locally with 204: the page carries on as if its beacon
        # landed, so a blocked analytics call never becomes the page's console error.
        await route.fulfill(status=204, body=b"", headers={"x-prodsmoke": "blocked"})


def describe_search(*, headless: bool = True) -> str:
    """The search order and what this machine has, for `smoke browser`."""
    lines = ["Chromium search order (the first that launches is used):"]
    override = os.environ.get(ENV_OVERRIDE)
    lines.append(f"  1. ${ENV_OVERRIDE} or browser.executable_path: {override or 'not set'}")
    own = _playwright_browser() or "not installed"
    lines.append(f"  2. Playwright's own (playwright install chromium): {own}")
    system = [
        c.path for c in candidates(None, headless=headless, environ={}) if c.source == "system"
    ]
    lines.append(f"  3. system: {', '.join(p for p in system if p) or 'none on PATH'}")
    return "\n".join(lines)


def find_any(*, headless: bool = True) -> str | None:
    """Some Chromium that exists on this machine (no launch attempted), or None."""
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        return override if os.path.exists(override) else None
    if own := _playwright_browser():
        return own
    return next(iter(system_browsers(headless=headless)), None)


def _playwright_browser() -> str | None:
    """Where `playwright install chromium` put its browsers, if it did."""
    from pathlib import Path

    root = Path(
        os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright"
    )
    found = sorted(p.name for p in root.glob("chromium*")) if root.is_dir() else []
    return f"{root} ({', '.join(found)})" if found else None
