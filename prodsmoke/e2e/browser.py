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
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from prodsmoke.e2e.intercept import ContextGuard
from prodsmoke.errors import BrowserNotFound

if TYPE_CHECKING:
    from collections.abc import Mapping

    from playwright.async_api import Browser, BrowserContext, Playwright

    from prodsmoke.e2e.guard import Guard

ENV_OVERRIDE = "PRODSMOKE_CHROMIUM"
# Without these, Chromium reaches out to Google services at start (SPEC: the machine note).
QUIET_ARGS = ("--disable-background-networking", "--disable-component-update", "--disable-sync")
_USER_AGENTS: weakref.WeakKeyDictionary[Browser, str] = weakref.WeakKeyDictionary()
_STDERR = re.compile(r"^\[pid=\d+\]\[err\] (.*)$", re.MULTILINE)
_EXIT = re.compile(r"<process did exit: exitCode=(\w+)")
REASON_CHARS = 240  # of one candidate's launch failure, in "no Chromium found"
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
    channel: str | None = None,
) -> tuple[Browser, str]:
    """Launch the first Chromium that starts (or the named channel); return it and a line
    saying which it is."""
    tried: list[str] = []
    options: dict[str, Any] = {
        "headless": headless,
        "slow_mo": slow_mo_ms,
        "args": [*QUIET_ARGS, *extra_args],
        # A Ctrl-C reaches Playwright's driver too (same process group): the browser must stay
        # up until the run has been stopped and reported, which closes it (interrupt.py).
        "handle_sigint": False,
        "handle_sigterm": False,
        "handle_sighup": False,
    }
    if channel:
        try:
            browser = await pw.chromium.launch(channel=channel, **options)
        except PlaywrightError as exc:
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise BrowserNotFound(
                f"the browser channel {channel!r} did not start: {first_line}"
            ) from exc
        await base_user_agent(browser)
        return browser, f"{channel} {browser.version} (channel: {channel})"
    for choice in candidates(configured, headless=headless):
        try:
            browser = await pw.chromium.launch(executable_path=choice.path, **options)
        except PlaywrightError as exc:
            if choice.source == "override":
                raise BrowserNotFound(
                    f"the Chromium named by ${ENV_OVERRIDE} or browser.executable_path "
                    f"({choice.path}) did not start: {_reason(exc)}"
                ) from exc
            tried.append(f"{choice.source} {choice.path or 'Playwright-managed'}: {_reason(exc)}")
            continue
        await base_user_agent(browser)  # once, now, rather than by every journey at once
        return browser, choice.describe(browser.version)
    raise BrowserNotFound(
        "no Chromium found (tried: " + "; ".join(tried) + "); run `playwright install chromium`, "
        f"install Debian's chromium, or set ${ENV_OVERRIDE} to a Chromium executable"
    )


def _reason(exc: PlaywrightError) -> str:
    """Why a launch failed, in one short line: Playwright's first line, plus what the browser
    said on stderr and how it exited (from the browser log Playwright appends)."""
    text = str(exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = (lines[0] if lines else type(exc).__name__).removeprefix("BrowserType.launch: ")
    said = [m.group(1).strip() for m in _STDERR.finditer(text.split("Call log:")[0])]
    exited = _EXIT.search(text)
    details = [f"exit code {exited.group(1)}"] if exited and exited.group(1) != "null" else []
    details += [f"stderr: {said[-1]}"] if said and said[-1] else []
    reason = first + (f" ({'; '.join(details)})" if details else "")
    return reason if len(reason) <= REASON_CHARS else reason[: REASON_CHARS - 3] + "…"


# Context options that would let what a page sends get round the guard (or write what it saw,
# unscrubbed, where QA reads it): refused wherever a journey asks for a context.
_WEAKENING: dict[str, tuple[Callable[[object], bool], str]] = {
    "proxy": (lambda v: v is not None, "a proxy would carry the page's requests past the guard"),
    "bypass_csp": (lambda v: v is True, "it lets a page run what its own policy forbids"),
    "service_workers": (
        lambda v: v == "allow",
        "a service worker's requests are not routed, so the guard would not see them",
    ),
    "accept_downloads": (lambda v: v is True, "the guard refuses downloads"),
    "record_har_path": (
        lambda v: v is not None,
        "a HAR the test writes itself holds the accounts' secrets unscrubbed; prodsmoke keeps "
        "a scrubbed network.har of every failed attempt",
    ),
}
# Chromium switches that weaken the guard or what the page is held to.
WEAKENING_SWITCHES = (
    "--disable-web-security",
    "--proxy-server",
    "--proxy-pac-url",
    "--proxy-auto-detect",
    "--host-resolver-rules",
    "--host-rules",
    "--disable-site-isolation-trials",
    "--remote-debugging-port",
    "--ignore-certificate-errors-spki-list",
)


def refused_context_option(options: Mapping[str, object], where: str) -> str | None:
    """Why a context made with `options` would weaken the guard (one line naming the option), or
    None. `where` names what passed them, e.g. 'browser_context_args'."""
    for name, (weakens, why) in _WEAKENING.items():
        if name in options and weakens(options[name]):
            return f"{where}: {name}={options[name]!r} is refused: {why}"
    return None


def refused_launch_option(options: Mapping[str, object], where: str) -> str | None:
    """Why launching with `options` would weaken the guard, or None."""
    if options.get("proxy") is not None:
        return f"{where}: proxy is refused: a proxy would carry the page's requests past the guard"
    for arg in options.get("args") or ():  # type: ignore[attr-defined]
        if str(arg).split("=", 1)[0] in WEAKENING_SWITCHES:
            return f"{where}: the Chromium switch {str(arg)!r} is refused: it weakens the guard"
    return None


async def new_context(
    browser: Browser, guard: Guard, check: str, **options: object
) -> BrowserContext:
    """A browser context with the guard installed on everything it can send (`e2e.intercept`).

    The target's basic-auth credentials, when configured, are answered to its own origin only.
    """
    if guard.credentials is not None:
        options.setdefault(
            "http_credentials",
            {
                "username": guard.credentials.username,
                "password": guard.credentials.password.get_secret_value(),
                "origin": guard.origin,
            },
        )
    context = await browser.new_context(
        accept_downloads=False,
        service_workers="block",
        # The synthetic suffix set once, natively, instead of rewriting every request's header.
        user_agent=guard.user_agent(await base_user_agent(browser)),
        **options,  # type: ignore[arg-type]
    )
    await ContextGuard(guard, check).install(context)
    return context


async def base_user_agent(browser: Browser) -> str:
    """The browser's own user agent (asked once per browser, over CDP)."""
    if browser not in _USER_AGENTS:
        session = await browser.new_browser_cdp_session()
        try:
            _USER_AGENTS[browser] = str((await session.send("Browser.getVersion"))["userAgent"])
        finally:
            await session.detach()
    return _USER_AGENTS[browser]


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
