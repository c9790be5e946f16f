"""steps: a journey written as YAML steps, run in order on the journey's page (SPEC §11b).

Its settings, validated up front, are `prodsmoke.config.kinds.steps.ScriptedJourney`.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from playwright.async_api import expect

from prodsmoke.config.baselines import AriaExpectation
from prodsmoke.config.kinds.steps import ACCOUNT_REF, COUNT, Step, groups
from prodsmoke.e2e import second_factor
from prodsmoke.e2e.baselines.aria import expect_aria
from prodsmoke.e2e.baselines.screenshot import expect_screenshot
from prodsmoke.e2e.journeys.base import JourneyRun, open_page, unless_failed
from prodsmoke.e2e.second_factor import window_turned
from prodsmoke.errors import CheckFailure

if TYPE_CHECKING:
    from playwright.async_api import Locator

    from prodsmoke.accounts import Credentials
    from prodsmoke.config.baselines import Expectation
    from prodsmoke.config.kinds.steps import ScriptedJourney
    from prodsmoke.e2e.observe import Mark

_ACTIONS = frozenset({"goto", "click", "fill", "press", "select", "check", "uncheck", "hover"})
EXPECT_TIMEOUT_MS = 5000  # how long an expectation waits to hold, as Playwright's expect()
_TOTP_REF = "${account.totp}"  # issue 21: a fresh code, typed by `second_factor`


async def run(j: JourneyRun, spec: ScriptedJourney) -> None:
    """Run the steps in order, each group a timed step; lease the account around them."""
    started = time.perf_counter()
    with second_factor.attempt_typing_codes():
        if spec.account is None:
            await run_steps(j, spec.steps, None)
        else:
            async with j.accounts.lease(spec.account) as account:
                await run_steps(j, spec.steps, account)
    j.within("the steps", (time.perf_counter() - started) * 1000, spec.max_ms)


async def run_steps(j: JourneyRun, steps: tuple[Step, ...], account: Credentials | None) -> None:
    """Run `steps` on `j.page` (a journey's, or an account's `session:` sign-in and sign-out)."""
    mark = j.observer.mark()
    typed: tuple[int, int] | None = None  # (steps index, TOTP time step) of the code typed last
    for name, members in groups(steps):
        with j.steps.step(name):
            position, retried = 0, False
            while position < len(members):
                index, step = members[position]
                if step.action in _ACTIONS:
                    mark = j.observer.mark()
                try:
                    code_step = await _do(j, step, account, mark)
                except Exception as exc:
                    classified = j.failure(exc)  # a CheckFailure comes back as it is
                    said = f"steps[{index}] {step.describe()}: {classified.message}"
                    if typed is None or account is None or classified.failure_class != "product":
                        raise CheckFailure(said, failure_class=classified.failure_class) from exc
                    # Issue 21: after a TOTP code, a product failure is the code refused. Once,
                    # and only when its window turned meanwhile, the next code is typed.
                    back = next((p for p, (i, _) in enumerate(members) if i == typed[0]), None)
                    if back is not None and not retried and window_turned(account, typed[1]):
                        retried, position = True, back
                        continue
                    raise second_factor.rejected(f"typed at steps[{typed[0]}]", said) from exc
                if code_step is not None:
                    typed = (index, code_step)
                position += 1


async def _do(j: JourneyRun, step: Step, account: Credentials | None, mark: Mark) -> int | None:
    """Do one step; the TOTP time step of the code it typed, if it typed one."""
    page, timeout = j.page, EXPECT_TIMEOUT_MS
    value = step.value
    if isinstance(value, str):
        await _single(j, step.action, value, mark)
        return None
    if not isinstance(value, tuple):
        await _baseline(j, value)
        return None
    code_step = None
    for selector, text in value:
        target = page.locator(selector).first
        if step.action == "fill" and account is not None and _TOTP_REF in text:
            code_step = await second_factor.type_code(target, _with_account(text, account), account)
        elif step.action == "fill":
            await target.fill(_with_account(text, account))
        elif step.action == "press":
            await target.press(text)
        elif step.action == "select":
            await target.select_option(text)
        elif step.action == "expect_text":
            await expect(page.locator(selector).first).to_contain_text(text, timeout=timeout)
        else:  # expect_count
            await _expect_count(page.locator(selector), selector, text, timeout)
    return code_step


async def _single(j: JourneyRun, action: str, value: str, mark: Mark) -> None:
    page, timeout = j.page, EXPECT_TIMEOUT_MS
    target = page.locator(value).first
    if action == "goto":
        await open_page(j, value)
    elif action == "click":
        await target.click()
    elif action == "check":
        await target.check()
    elif action == "uncheck":
        await target.uncheck()
    elif action == "hover":
        await target.hover()
    elif action == "wait_for":
        await target.wait_for(state="visible")
    elif action == "expect_visible":
        await expect(target).to_be_visible(timeout=timeout)
    elif action == "expect_hidden":
        await expect(page.locator(value)).to_be_hidden(timeout=timeout)
    elif action == "expect_title":
        await expect(page).to_have_title(re.compile(re.escape(value)), timeout=timeout)
    elif action == "expect_url":
        landed = page.wait_for_url(value, timeout=timeout, wait_until="commit")
        if not await unless_failed(j, landed, timeout, since=mark):
            settled = " (the page settled there)" if j.settled else ""
            raise CheckFailure(
                f"the browser is at {j.where()}, not {value}{settled}"
                f"{j.observer.failures_hint()}{j.blocked_hint()}"
            )


async def _baseline(j: JourneyRun, expectation: Expectation) -> None:
    """`expect_aria` / `expect_screenshot` (SPEC §18): the first element `selector` matches."""
    target = j.page.locator(expectation.selector).first
    if isinstance(expectation, AriaExpectation):
        await expect_aria(j, target, expectation.baseline)
        return
    await expect_screenshot(
        j,
        target,
        expectation.baseline,
        mask=[j.page.locator(selector) for selector in expectation.mask],
        max_diff_ratio=expectation.max_diff_ratio,
        on_diff=expectation.on_diff,
    )


async def _expect_count(locator: Locator, selector: str, rule: str, timeout_ms: float) -> None:
    match = COUNT.match(rule)
    assert match is not None  # validated with the config
    op, wanted = match.group(1), int(match.group(2))
    ok = {"==": wanted.__eq__, ">=": wanted.__le__, "<=": wanted.__ge__}[op]
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        found = await locator.count()
        if ok(found) or time.monotonic() >= deadline:
            break
        await locator.page.wait_for_timeout(100)
    if not ok(found):
        raise CheckFailure(f"expected {selector} {op} {wanted}, found {found}")


def _with_account(text: str, account: Credentials | None) -> str:
    """`text` with `${account.username|password}` filled in (`${account.totp}` is left for
    `second_factor.type_code`, which types a fresh code)."""
    if account is None:
        return text
    return ACCOUNT_REF.sub(
        lambda m: m.group(0) if m.group(1) == "totp" else str(getattr(account, m.group(1))), text
    )
