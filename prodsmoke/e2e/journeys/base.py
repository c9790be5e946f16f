"""What every journey receives, and the small vocabulary journeys share.

A journey kind's implementation is `async def run(j: JourneyRun, spec) -> None`: it drives
`j.page`, times its phases with `j.steps.step(name)`, records metrics in `j.metrics`, notes
degradations with `j.warn_if_over`, and raises `CheckFailure` when the product does not behave
(any other error is classified at one boundary, `e2e.failures`). It never creates a context, a
page it does not own, or an HTTP client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from prodsmoke.e2e import failures
from prodsmoke.e2e.guard import where
from prodsmoke.e2e.observe import SETTLED
from prodsmoke.e2e.step_recorder import StepRecorder
from prodsmoke.errors import CheckFailure

if TYPE_CHECKING:
    from playwright.async_api import Page

    from prodsmoke.accounts import Credentials
    from prodsmoke.e2e.baselines.store import BaselineStore
    from prodsmoke.e2e.guard import Guard
    from prodsmoke.e2e.journey_attempt import JourneyAttempt
    from prodsmoke.e2e.observe import Mark, PageObserver


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
    """One attempt of one journey: its page (its attempt's contexts) and what it learns."""

    check: str
    attempt: JourneyAttempt
    base_url: str
    guard: Guard
    warn_ratio: float
    timeout_ms: float
    accounts: Accounts
    env: str = ""
    region: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    note: str | None = None  # said of a pass that is not plain (an expected failure, xfail)
    steps: StepRecorder = field(default_factory=StepRecorder)
    settled: bool = False  # an action's page settled elsewhere: failed without waiting it out
    # Called once the journey has taken the timing the others must not disturb.
    on_measured: Callable[[], None] | None = None
    # The project's baselines (SPEC §18); without one, baselines/<env>/ below the working folder.
    baseline_store: BaselineStore | None = None

    @property
    def page(self) -> Page:
        """The journey's page: the one it opened last."""
        page = self.attempt.page
        if page is None:
            raise RuntimeError("the journey has no page yet: its attempt opens one first")
        return page

    @property
    def baselines(self) -> BaselineStore:
        """Where this journey's ARIA and screenshot baselines are (and whether it records them)."""
        if self.baseline_store is None:
            from prodsmoke.e2e.baselines.store import FOLDER, BaselineStore

            root = Path.cwd() / FOLDER / (self.env or "default")
            self.baseline_store = BaselineStore(root, self.env)
        return self.baseline_store

    @property
    def observer(self) -> PageObserver:
        """What the attempt's pages said and did (console, responses, failures)."""
        return self.attempt.observer

    def measured(self) -> None:
        """Say the contention-sensitive timing is taken (the waiting journeys may go)."""
        if self.on_measured is not None:
            self.on_measured()

    def failure(self, exc: BaseException, doing: str | None = None) -> CheckFailure:
        """`exc` as this journey's verdict, classified at the one boundary (`e2e.failures`)."""
        return failures.verdict(exc, self.observer, doing=doing)

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

    def within(self, what: str, elapsed_ms: float, limit_ms: int | None) -> None:
        """Fail when `what` took longer than `limit_ms`, warn over `warn_ratio` of it (no limit:
        nothing to hold it to)."""
        if limit_ms is None:
            return
        if elapsed_ms > limit_ms:
            raise CheckFailure(f"{what} took {elapsed_ms:.0f} ms, over the limit of {limit_ms} ms")
        self.warn_if_over(what, elapsed_ms, limit_ms)

    def where(self) -> str:
        """The current page's path, for error messages."""
        page = self.attempt.page
        if page is None or page.url in ("", "about:blank"):
            return "about:blank (nothing loaded yet)"
        return urlsplit(page.url).path or page.url

    def blocked_hint(self) -> str:
        """A suffix naming requests the guard refused in this check ('' when none)."""
        blocked = self.guard.blocked(self.check)
        if not blocked:
            return ""
        first = blocked[0]
        more = f" and {len(blocked) - 1} more" if len(blocked) > 1 else ""
        return f"; the guard blocked {first.method} {where(first.url)} ({first.reason}){more}"


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
    try:
        response = await j.page.goto(j.url(path), wait_until=wait_until)  # type: ignore[arg-type]
    except PlaywrightError as exc:
        raise j.failure(exc, f"loading {path}") from exc
    if response is not None and response.status >= 400:
        raise CheckFailure(f"GET {path} answered HTTP {response.status}{j.blocked_hint()}")


async def visible_within(j: JourneyRun, selector: str, timeout_ms: float) -> bool:
    """True when `selector` is (or becomes) visible within `timeout_ms`."""
    try:
        await j.page.locator(selector).first.wait_for(state="visible", timeout=timeout_ms)
    except PlaywrightTimeoutError:
        return False
    return True


async def unless_failed(
    j: JourneyRun, step: Awaitable[Any], timeout_ms: float, *, since: Mark
) -> bool:
    """Await `step` (e.g. waiting for the success URL), but give up as soon as the page shows
    that the action started after `since` failed: a refused write, an error page, or a page
    that settled elsewhere (`PageObserver.failed_since`).

    `since` is `j.observer.mark()` taken before the action. Returns True when `step` finished,
    False when a failure (or the timeout) came first; `j.settled` then says when the page had
    settled elsewhere (so a message can say the attempt did not wait out its limit). `step`'s
    own errors propagate.
    """
    done_step = asyncio.ensure_future(step)
    failed = asyncio.ensure_future(j.observer.failed_since(since))
    done, pending = await asyncio.wait(
        {done_step, failed}, timeout=timeout_ms / 1000, return_when=asyncio.FIRST_COMPLETED
    )
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    if done_step in done:
        done_step.result()
        return True
    if failed in done and failed.result() == SETTLED:
        j.settled = True
    return False
