"""One attempt of one journey: its guarded browser contexts, what watches them, what they leave.

A built-in or YAML journey opens one page at the start (`open_page`). A Python journey (a pytest
test) opens what its fixtures ask for, when they ask: `new_context` for each context the
`context` / `new_context` fixtures or `browser.new_context()` make, each guarded, observed,
timed for Web Vitals and traced by the artifact policy; a context a session- or module-scoped
fixture makes (`shared`) belongs to the run, not the attempt, and outlives it. It is also the
journey's `seal.Provider`: what the journey makes itself goes through here, outside its seal.
`close` keeps the artifacts of every context of a failed attempt, then closes them.
"""

from __future__ import annotations

import asyncio
import contextvars
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from prodsmoke.e2e import api_guard, seal
from prodsmoke.e2e import browser as browsers
from prodsmoke.e2e._playwright_private import target_closed_error
from prodsmoke.e2e.attempts import OWN_TIMEOUT_LEAD_S
from prodsmoke.e2e.observe import PageObserver
from prodsmoke.errors import BlockedRequest, CheckFailure, JourneyViolation
from prodsmoke.results import FailureClass

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine

    from playwright.async_api import Browser, BrowserContext, Page, Playwright

    from prodsmoke.e2e.artifacts import ArtifactPolicy
    from prodsmoke.e2e.guard import Guard
    from prodsmoke.e2e.vitals import VitalsCollector

TargetClosedError = target_closed_error()
# Set (by the pytest layer) while a fixture of a wider scope than the test runs: contexts it
# makes are the run's, labelled with this (e.g. "fixture:logged_in"), not the attempt's.
SHARED: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "prodsmoke_shared_fixture", default=None
)


class GuardOptionRefused(CheckFailure):
    """A journey asked for a browser or context option that would weaken the guard."""

    def __init__(self, why: str) -> None:
        super().__init__(why, failure_class=FailureClass.INFRASTRUCTURE, title="guard weakened")


@dataclass
class RunContexts:
    """Contexts the run's wider-scoped fixtures made: closed when the run ends."""

    contexts: list[BrowserContext] = field(default_factory=list)

    async def close(self) -> None:
        """Close them all (quietly: the browser may be gone)."""
        for context in self.contexts:
            try:
                await context.close()
            except Exception:  # noqa: BLE001, S112 - nothing to keep of a context we close last
                continue
        self.contexts.clear()


@dataclass
class JourneyAttempt:
    """One attempt's browser contexts (see the module docstring)."""

    browser: Browser
    guard: Guard
    check: str
    number: int
    base_url: str
    work_s: float
    artifacts: ArtifactPolicy
    vitals: VitalsCollector
    shared: RunContexts
    action_lead_s: float = OWN_TIMEOUT_LEAD_S  # page actions time out this much before work_s
    playwright: Playwright | None = None  # the driver connection (the `playwright` fixture)
    # Issue 21 (e2e.sessions): what every context of the attempt starts from (the account's
    # signed-in session, its passkey), unless the journey gives its own storage_state.
    storage_state: dict[str, Any] | None = None
    observer: PageObserver = field(default_factory=PageObserver)
    contexts: list[BrowserContext] = field(default_factory=list)
    api_contexts: list[Any] = field(default_factory=list)
    _pages: list[Page] = field(default_factory=list)

    _primary: Page | None = None

    @property
    def page(self) -> Page | None:
        """The journey's page: the one `open_page` opened, else the last one opened (None
        before there is one)."""
        if self._primary is not None:
            return self._primary
        live = [p for p in self._pages if not p.is_closed()]
        return live[-1] if live else (self._pages[-1] if self._pages else None)

    async def open_page(self) -> Page:
        """A page in a new context: how the built-in kinds start (popups it opens later are
        not the journey's page)."""
        context = await self.new_context({})
        self._primary = await context.new_page()
        return self._primary

    async def new_context(self, options: dict[str, Any]) -> BrowserContext:
        """A guarded context of this attempt (or of the run, inside a wider-scoped fixture)."""
        context: BrowserContext = await _unsealed(self._new_context(dict(options), SHARED.get()))
        return context

    async def _new_context(self, options: dict[str, Any], shared: str | None) -> BrowserContext:
        why = browsers.refused_context_option(options, "the context's options")
        if why is not None:
            raise GuardOptionRefused(why)
        # The environment's target, whatever base_url a conftest gave pytest-playwright's
        # browser_context_args (`suite` warns about such an override before the run).
        options["base_url"] = self.base_url
        if self.storage_state is not None and options.get("storage_state") is None:
            options["storage_state"] = self.storage_state  # issue 21: start signed in
        context = await browsers.new_context(
            self.browser, self.guard, shared or self.check, **options
        )
        if shared is not None:
            self.shared.contexts.append(context)
            return context
        self.contexts.append(context)
        self.observer.attach(context)
        context.on("page", self._opened)
        await self.vitals.install(context)
        context.set_default_timeout(round(max(0.5, self.work_s - self.action_lead_s) * 1000))
        await self.artifacts.start(context, self.check, self.number, len(self.contexts))
        return context

    def _opened(self, page: Page) -> None:
        self._pages.append(page)

    # -- seal.Provider: what the journey's own code asks for ----------------------------------

    async def new_api_context(
        self, create: Callable[..., Awaitable[Any]], options: dict[str, Any]
    ) -> Any:
        """`playwright.request.new_context(...)`, marked as synthetic and remembered."""
        why = api_guard.refused_option(options)
        if why is not None:
            raise JourneyViolation(why)

        async def make() -> Any:
            marked = api_guard.api_context_options(self.guard, options, self.base_url)
            impl = await create(**marked)
            setattr(impl, api_guard.BASE_URL, marked["base_url"])
            if SHARED.get() is None:
                self.api_contexts.append(impl)
            return impl

        return await _unsealed(make())

    async def fetch(
        self, send: Callable[..., Awaitable[Any]], request_context: Any, bound: dict[str, Any]
    ) -> Any:
        """One API request of the journey, through the guard."""
        check = SHARED.get() or self.check
        try:
            return await _unsealed(
                api_guard.fetch(
                    self.guard, check, send, request_context, bound, default_base=self.base_url
                )
            )
        except (BlockedRequest, TargetClosedError):
            raise
        except PlaywrightError as exc:  # the network failed it: the evidence of its class
            first = (str(exc).strip().splitlines() or ["failed"])[0]
            self.observer.failed_api.append(f"API request: {first}")
            raise

    # -- the end --------------------------------------------------------------------------------

    async def close(self, *, failed: bool) -> None:
        """Keep every context's artifacts when the attempt failed (or tracing is on), close."""
        for impl in self.api_contexts:
            try:
                await impl.dispose(None)
            except Exception:  # noqa: BLE001, S112 - disposing is tidying up
                continue
        self.api_contexts.clear()
        for part, context in enumerate(self.contexts, start=1):
            page = _last_page(context)
            await self.artifacts.finish(
                context,
                page,
                self.observer,
                check=self.check,
                attempt=self.number,
                failed=failed,
                part=part,
            )
        self.contexts.clear()


def _last_page(context: BrowserContext) -> Page | None:
    pages = [p for p in context.pages if not p.is_closed()]
    return pages[-1] if pages else None


async def _unsealed(coro: Coroutine[Any, Any, Any]) -> Any:
    """Await `coro` as engine work: in a task outside the journey's seal."""
    task = asyncio.get_running_loop().create_task(coro, context=seal.unsealed_context())
    return await task
