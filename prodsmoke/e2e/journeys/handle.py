"""`smoke`: what a team's Python journey gets besides its page (SPEC §11).

    def test_pricing_plans(page: Page, smoke) -> None:
        with smoke.step("open pricing"):            # a timed step; a failure names it
            page.goto("/pricing")
        with smoke.account("basic") as account:      # leased; `async with` in async journeys
            ...
        smoke.metric("plans_ms", 412.0)              # smoke_test.journey.plans_ms
        smoke.warn("the banner is missing")          # the check is `warn` (degraded)
        smoke.expect_aria(page.locator("nav"), "main-nav")      # baselines (SPEC §18); in an
        smoke.expect_screenshot(page.locator("#plans"), "plans")  # async journey, await them

The same object serves sync and async journeys. Leasing an account is engine work done on the
journey's behalf, so it runs outside the journey's seal (it may reach DynamoDB or AWS secrets).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Coroutine
from contextlib import AbstractContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from prodsmoke import redact
from prodsmoke.config.baselines import DEFAULT_MAX_DIFF_RATIO, OnDiff, baseline_name
from prodsmoke.config.passkey import next_sign_count
from prodsmoke.e2e import _playwright_private, bridge, seal

if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextlib import AbstractAsyncContextManager

    from playwright.async_api import Locator

    from prodsmoke.accounts import Credentials
    from prodsmoke.e2e.journeys.base import JourneyRun

T = TypeVar("T")
_METRIC = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_METRICS = 50


class Smoke:
    """The journey's handle: steps, accounts, metrics, warnings, and where it runs."""

    def __init__(self, j: JourneyRun) -> None:
        self._j = j

    @property
    def base_url(self) -> str:
        """The target, e.g. https://app.example.com (relative page.goto paths resolve on it)."""
        return self._j.base_url

    @property
    def env(self) -> str:
        """The environment name, e.g. production."""
        return self._j.env

    @property
    def region(self) -> str:
        """Where this run runs from, e.g. us-east-1, gha, local."""
        return self._j.region

    def step(self, name: str) -> AbstractContextManager[None]:
        """A timed step, reported in results.json and as smoke_test.step.duration."""
        return self._j.steps.step(name)

    def account(self, name: str) -> AccountLease:
        """Lease test account `name` (from `accounts:`) for the block; its secret is scrubbed."""
        return AccountLease(self._j, name)

    def metric(self, name: str, value: float) -> None:
        """Record a measurement: milliseconds, unless the name ends in _count, _bytes or _ratio."""
        if not isinstance(name, str) or not _METRIC.fullmatch(name):
            raise ValueError(f"metric name {name!r}: expected lower_snake_case, e.g. plans_ms")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"metric {name!r}: expected a number, got {type(value).__name__}")
        if name not in self._j.metrics and len(self._j.metrics) >= MAX_METRICS:
            raise ValueError(f"metric {name!r}: a journey records at most {MAX_METRICS} metrics")
        self._j.metrics[name] = float(value)

    def warn(self, message: str) -> None:
        """Mark the check `warn` (it works, but degraded), with this reason."""
        self._j.warnings.append(redact.redact(" ".join(str(message).split()))[:300])

    # -- baselines (SPEC §18): in an async journey, `await` these ---------------------------------

    def expect_aria(self, locator: Any, name: str) -> Any:
        """Compare the ARIA snapshot of `locator` (or a page) with baseline `name`; a difference
        fails the check, a missing baseline warns."""
        from prodsmoke.e2e.baselines.aria import expect_aria

        baseline_name(name)
        return _run(expect_aria(self._j, _async_locator(locator), name), sync=_is_sync(locator))

    def expect_screenshot(
        self,
        locator: Any,
        name: str,
        *,
        mask: Sequence[Any] = (),
        max_diff_ratio: float = DEFAULT_MAX_DIFF_RATIO,
        on_diff: str = "warn",
    ) -> Any:
        """Compare a screenshot of `locator` (or a page) with baseline `name`; `mask` (selectors
        or locators) is painted over first; more than `max_diff_ratio` of the pixels differing
        warns (`on_diff="fail"`: fails); a missing baseline warns."""
        from prodsmoke.e2e.baselines.screenshot import expect_screenshot

        baseline_name(name)
        if isinstance(max_diff_ratio, bool) or not isinstance(max_diff_ratio, int | float):
            raise TypeError(f"max_diff_ratio: expected a number 0-1, got {max_diff_ratio!r}")
        if not 0 <= max_diff_ratio <= 1:
            raise ValueError(f"max_diff_ratio: expected a number 0-1, got {max_diff_ratio!r}")
        if on_diff not in tuple(OnDiff):
            raise ValueError(f"on_diff: expected 'warn' or 'fail', got {on_diff!r}")
        target = _async_locator(locator)
        masks = [_async_locator(m, page=target.page) for m in mask]
        compare = expect_screenshot(
            self._j,
            target,
            name,
            mask=masks,
            max_diff_ratio=float(max_diff_ratio),
            on_diff=OnDiff(on_diff),
        )
        return _run(compare, sync=_is_sync(locator))


def _is_sync(obj: Any) -> bool:
    from playwright.sync_api import Locator as SyncLocator
    from playwright.sync_api import Page as SyncPage

    return isinstance(obj, SyncLocator | SyncPage)


def _async_locator(obj: Any, *, page: Any = None) -> Locator:
    """A sync or async Locator or Page (or, for masks, a selector) as an async Locator."""
    from playwright.async_api import Locator as AsyncLocator
    from playwright.async_api import Page as AsyncPage

    if isinstance(obj, str) and page is not None:
        return page.locator(obj)  # type: ignore[no-any-return]
    if _is_sync(obj):
        obj = _playwright_private.async_api(_playwright_private.impl_of(obj))
    if isinstance(obj, AsyncPage):
        return obj.locator(":root")
    if isinstance(obj, AsyncLocator):
        return obj
    wanted = "a Locator, a Page or a selector" if page is not None else "a Locator or a Page"
    raise TypeError(f"expected {wanted}, e.g. page.locator('nav'); got {type(obj).__name__}")


def _run(coro: Coroutine[Any, Any, None], *, sync: bool) -> Any:
    """A sync journey's comparison runs now; an async journey's is awaited by the journey."""
    if sync:
        bridge.block_on(coro)
        return None
    return _unsealed(coro)


class AccountLease:
    """`with` / `async with smoke.account(name) as account:` — the leased credentials."""

    def __init__(self, j: JourneyRun, name: str) -> None:
        self._j = j
        self._name = name
        self._held: AbstractAsyncContextManager[Credentials] | None = None

    def __enter__(self) -> Credentials:
        return bridge.block_on(self._aenter())

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        bridge.block_on(self._aexit(kind, exc, tb))

    async def __aenter__(self) -> Credentials:
        return await _unsealed(self._aenter())

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await _unsealed(self._aexit(kind, exc, tb))

    async def _aenter(self) -> Credentials:
        self._held = self._j.accounts.lease(self._name)
        credentials = await self._held.__aenter__()
        await _install_passkey(self._j, credentials)
        return credentials

    async def _aexit(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            await held.__aexit__(kind, exc, tb)


async def _install_passkey(j: JourneyRun, credentials: Credentials) -> None:
    """Issue 21: a leased account's passkey goes into the attempt's contexts that lack it (a
    journey whose settings name the account got it when its contexts were made)."""
    if credentials.passkey is None:
        return
    for context in j.attempt.contexts:
        if not await context.credentials.get(id=credentials.passkey.credential_id):
            passkey = credentials.passkey
            await context.credentials.create(
                passkey.rp_id,
                id=passkey.credential_id,
                private_key=passkey.private_key,
                public_key=passkey.public_key,
                user_handle=passkey.user_handle,
                sign_count=next_sign_count(),
            )
            await context.credentials.install()


async def _unsealed(coro: Coroutine[Any, Any, T]) -> T:
    """Await `coro` as engine work: in a task outside the journey's seal."""
    task = asyncio.get_running_loop().create_task(coro, context=seal.unsealed_context())
    return await task
