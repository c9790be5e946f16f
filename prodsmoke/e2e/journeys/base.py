"""What every journey receives, and the small vocabulary journeys share.

A journey is `async def run(j: JourneyRun, spec) -> None`: it drives `j.page`, records metrics in
`j.metrics`, notes degradations with `j.warn_if_over`, and raises `CheckFailure` when the product
does not behave. It never creates a context, a page it does not own, or an HTTP client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from prodsmoke.errors import CheckFailure
from prodsmoke.results import FailureClass

if TYPE_CHECKING:
    from playwright.async_api import Page

    from prodsmoke.accounts import Credentials
    from prodsmoke.e2e.guard import Guard
    from prodsmoke.e2e.observe import PageObserver


class Accounts(Protocol):
    """The test accounts, as a journey sees them."""

    def lease(self, name: str) -> AbstractAsyncContextManager[Credentials]:
        """Hold account `name` exclusively for the block; yields its credentials."""

    def is_locked(self, name: str, status: int | None, page_text: str) -> bool:
        """Whether the product says account `name` is locked (HTTP 423 or its locked_text)."""

    async def unlock(self, name: str) -> str | None:
        """Run the account's configured unlock step; a one-line outcome, None if none."""


@dataclass
class JourneyRun:
    """One attempt of one journey: its page and what it learns."""

    check: str
    page: Page
    base_url: str
    guard: Guard
    observer: PageObserver
    warn_ratio: float
    timeout_ms: float
    accounts: Accounts
    metrics: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Awaited before the journey's first navigation: the engine lets a journey that measures
    # page load go first, so the others do not crowd the page it is timing.
    before_navigation: Callable[[], Awaitable[None]] | None = None
    # Called once the journey has taken the timing the others must not disturb.
    on_measured: Callable[[], None] | None = None

    def measured(self) -> None:
        """Say the contention-sensitive timing is taken (the waiting journeys may go)."""
        if self.on_measured is not None:
            self.on_measured()

    def url(self, path: str) -> str:
        """`path` on the target (absolute URLs pass through)."""
        return urljoin(self.base_url + "/", path)

    def warn_if_over(self, what: str, value_ms: float, limit_ms: float) -> None:
        """Note a `warn` when a timing is over `warn_ratio` of its limit (but within it)."""
        threshold = limit_ms * self.warn_ratio
        if threshold < value_ms <= limit_ms:
            self.warnings.append(
                f"{what} {value_ms:.0f} ms is over the warn threshold {threshold:.0f} ms "
                f"({self.warn_ratio:.0%} of {limit_ms:.0f} ms)"
            )

    def where(self) -> str:
        """The current page's path, for error messages."""
        if self.page.url in ("", "about:blank"):
            return "about:blank (nothing loaded yet)"
        return urlsplit(self.page.url).path or self.page.url

    def blocked_hint(self) -> str:
        """A suffix naming requests the guard refused in this check ('' when none)."""
        blocked = self.guard.blocked(self.check)
        if not blocked:
            return ""
        first = blocked[0]
        more = f" and {len(blocked) - 1} more" if len(blocked) > 1 else ""
        return (
            f"; the guard blocked {first.method} {urlsplit(first.url).path} ({first.reason}){more}"
        )


Journey = Callable[[JourneyRun, Any], Awaitable[None]]


async def landed_with_error(j: JourneyRun) -> int | None:
    """The HTTP status of the current document when it is an error page (>= 400), else None."""
    try:
        status = await j.page.evaluate(
            "() => performance.getEntriesByType('navigation')[0]?.responseStatus ?? 0"
        )
    except PlaywrightError:
        return None
    return int(status) if isinstance(status, int | float) and status >= 400 else None


async def open_page(j: JourneyRun, path: str, *, wait_until: str = "load") -> None:
    """Navigate to `path` on the target; a network error or HTTP >= 400 fails the check."""
    if j.before_navigation is not None:
        wait, j.before_navigation = j.before_navigation, None
        await wait()
    try:
        response = await j.page.goto(j.url(path), wait_until=wait_until)  # type: ignore[arg-type]
    except PlaywrightError as exc:
        raise browser_failure(exc, f"loading {path}") from exc
    if response is not None and response.status >= 400:
        raise CheckFailure(f"GET {path} answered HTTP {response.status}{j.blocked_hint()}")


async def visible_within(j: JourneyRun, selector: str, timeout_ms: float) -> bool:
    """True when `selector` is (or becomes) visible within `timeout_ms`."""
    try:
        await j.page.locator(selector).first.wait_for(state="visible", timeout=timeout_ms)
    except PlaywrightTimeoutError:
        return False
    return True


def browser_failure(exc: PlaywrightError, doing: str) -> CheckFailure:
    """Translate a Playwright error into a failure a person understands, with its class."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    first = first.removeprefix("Error: ").removeprefix("TimeoutError: ")
    if "net::ERR_" in first or "NS_ERROR" in first:
        code = first[first.index("net::") :].split()[0] if "net::" in first else first
        return CheckFailure(f"{doing} failed: {code}", failure_class=FailureClass.NETWORK)
    if isinstance(exc, PlaywrightTimeoutError):
        # A page that never answered is the network's (or the target's front door's) doing.
        klass = FailureClass.NETWORK if doing.startswith("loading") else FailureClass.PRODUCT
        return CheckFailure(f"{doing} timed out: {first}", failure_class=klass)
    if "closed" in first.lower() or "crash" in first.lower():
        return CheckFailure(
            f"{doing}: browser failure: {first}", failure_class=FailureClass.INFRASTRUCTURE
        )
    return CheckFailure(f"{doing} failed: {first}")


async def unless_write_fails(
    j: JourneyRun, step: Awaitable[Any], timeout_ms: float, *, since: int
) -> bool:
    """Await `step`, but give up as soon as a write made after `since` is answered >= 400.

    `since` is `j.observer.failed_writes` read before the action that starts the write. Returns
    True when `step` finished, False when a failed write (or the timeout) came first. `step`'s
    own errors propagate.
    """
    done_step = asyncio.ensure_future(step)
    failed = asyncio.ensure_future(j.observer.write_fails_after(since))
    done, pending = await asyncio.wait(
        {done_step, failed}, timeout=timeout_ms / 1000, return_when=asyncio.FIRST_COMPLETED
    )
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    if done_step in done:
        done_step.result()
        return True
    return False
