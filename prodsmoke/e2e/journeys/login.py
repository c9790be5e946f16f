"""login: a dedicated test account logs in, lands where it should, and always logs out.

Its settings are `prodsmoke.config.kinds.login.LoginJourney`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from playwright.async_api import Error as PlaywrightError

from prodsmoke.e2e import second_factor
from prodsmoke.e2e.journeys.base import (
    JourneyRun,
    landed_with_error,
    open_page,
    unless_failed,
    visible_within,
)
from prodsmoke.errors import AccountLocked, CheckFailure

if TYPE_CHECKING:
    from prodsmoke.accounts import Credentials
    from prodsmoke.config.kinds.login import LoginJourney
    from prodsmoke.e2e.observe import Mark

LOCKED_STATUS = 423


async def run(j: JourneyRun, spec: LoginJourney) -> None:
    """Log in with `spec.account`, verify the redirect, then log out — even after a failure.

    The account is leased for the whole journey, so no concurrent run logs in with it. A secret
    that cannot be read, a lease that cannot be had or a locked account is an `AccountError`,
    which the engine's one boundary (`e2e.failures`) classes as infrastructure: ours to fix.
    """
    async with j.accounts.lease(spec.account) as account:
        with second_factor.attempt_typing_codes():
            await _journey(j, spec, account)


async def _journey(j: JourneyRun, spec: LoginJourney, account: Credentials) -> None:
    failure: CheckFailure | None = None
    try:
        with j.steps.step(f"open {spec.url}"):
            await open_page(j, spec.url, wait_until="domcontentloaded")
        with j.steps.step("log in"):
            await _log_in(j, spec, account)
    except CheckFailure as exc:
        failure = exc
    try:
        with j.steps.step("log out"):
            await _log_out(j, spec)
    except CheckFailure as exc:
        if failure is None:
            raise
        failure = type(failure)(  # a refused TOTP code stays final (SecondFactorFailure)
            f"{failure.message}; and logout: {exc.message}", failure_class=failure.failure_class
        )
    if failure is not None:
        raise failure


async def _log_in(j: JourneyRun, spec: LoginJourney, account: Credentials) -> None:
    page = j.page
    try:
        await page.locator(spec.username).fill(account.username)
        await page.locator(spec.password).fill(account.password)
        mark = j.observer.mark()
        started = time.perf_counter()
        await page.locator(spec.submit).click()
    except PlaywrightError as exc:
        raise j.failure(exc, "filling in the login form") from exc
    if spec.totp is not None:
        await _second_factor(j, spec, account, mark)
    elif not await _landed(j, spec, mark):
        await _raise_if_locked(j, spec, account)
        raise CheckFailure(_not_there(j, spec, account))
    if status := await landed_with_error(j):
        raise CheckFailure(f"logged in, but {j.where()} answered HTTP {status}")
    if not await visible_within(j, spec.success.visible, spec.max_ms):
        raise CheckFailure(f"logged in, but {spec.success.visible} is not visible on {j.where()}")
    j.metrics["login_ms"] = round((time.perf_counter() - started) * 1000)


async def _landed(j: JourneyRun, spec: LoginJourney, mark: Mark) -> bool:
    # The URL on commit; what must be on the page is asserted next, so its load is not awaited.
    landed = j.page.wait_for_url(spec.success.url, timeout=spec.max_ms, wait_until="commit")
    try:
        return await unless_failed(j, landed, spec.max_ms, since=mark)
    except PlaywrightError:
        return False


def _not_there(j: JourneyRun, spec: LoginJourney, account: Credentials) -> str:
    settled = " (the page settled there; not waiting out max_ms)" if j.settled else ""
    return (
        f"after logging in as {account.name!r} the browser is at {j.where()}, "
        f"not {spec.success.url}{settled}{j.observer.failures_hint()}{j.blocked_hint()}"
    )


async def _second_factor(
    j: JourneyRun, spec: LoginJourney, account: Credentials, mark: Mark
) -> None:
    """Type a TOTP code into `spec.totp` once the password was taken, and land where a login
    lands. A refused code is retried once, only when its window turned meanwhile."""
    assert spec.totp is not None
    field = j.page.locator(spec.totp).first
    try:
        shown = await unless_failed(
            j, field.wait_for(state="visible", timeout=spec.max_ms), spec.max_ms, since=mark
        )
    except PlaywrightError:
        shown = False
    if not shown:
        await _raise_if_locked(j, spec, account)
        raise CheckFailure(
            f"after the password of {account.name!r} the TOTP field {spec.totp} did not appear "
            f"(the browser is at {j.where()}){j.observer.failures_hint()}{j.blocked_hint()}"
        )
    for retry in (False, True):
        try:
            step = await second_factor.type_code(field, "${account.totp}", account)
            mark = j.observer.mark()
            if spec.totp_submit is not None:
                await j.page.locator(spec.totp_submit).first.click()
            else:
                await field.press("Enter")
        except PlaywrightError as exc:
            raise j.failure(exc, f"typing the TOTP code into {spec.totp}") from exc
        if await _landed(j, spec, mark):
            return
        await _raise_if_locked(j, spec, account)
        if retry or not second_factor.window_turned(account, step):
            break
        j.settled = False
    raise second_factor.rejected(f"typed into {spec.totp}", _not_there(j, spec, account))


async def _raise_if_locked(j: JourneyRun, spec: LoginJourney, account: Credentials) -> None:
    """A locked account is `AccountLocked` (infrastructure) naming it, after trying to unlock."""
    statuses: list[int | None] = [status for _, _, status in j.observer.write_statuses] or [None]
    try:
        text = await j.page.inner_text("body", timeout=1000)
    except PlaywrightError:
        text = ""
    if not any(j.accounts.is_locked(account.name, status, text) for status in statuses):
        return
    how = "HTTP 423" if LOCKED_STATUS in statuses else "the page says so"
    unlocked = await j.accounts.unlock(account.name)
    raise AccountLocked(
        f"test account {account.name!r} ({account.username}) is locked ({how}); "
        + (
            f"{unlocked}; the next run should log in"
            if unlocked
            else "unlock it or rotate its password"
        )
    )


async def _log_out(j: JourneyRun, spec: LoginJourney) -> None:
    """End the session: click the logout control (reloading once if the page lost it).

    Nothing to do when the journey never got a session.
    """
    page, control = j.page, j.page.locator(spec.logout.click)
    if not await page.context.cookies(j.base_url) and await control.count() == 0:
        return
    started = time.perf_counter()
    try:
        if await control.count() == 0:
            # e.g. the page after login answered 503: a reload (a GET) gets the control back
            await page.reload(wait_until="domcontentloaded")
        if await control.count() == 0:
            raise CheckFailure(f"cannot log out: {spec.logout.click} is not on {j.where()}")
        mark = j.observer.mark()
        await control.first.click()
        # Reaching the URL is the assertion; the landing page's assets are not ours to wait for.
        left = page.wait_for_url(spec.logout.success_url, timeout=spec.max_ms, wait_until="commit")
        if not await unless_failed(j, left, spec.max_ms, since=mark):
            raise CheckFailure(
                f"logging out via {spec.logout.click} failed{j.observer.failures_hint()}"
            )
    except PlaywrightError as exc:
        raise j.failure(exc, f"logging out via {spec.logout.click}") from exc
    j.metrics["logout_ms"] = round((time.perf_counter() - started) * 1000)
