"""Typing a TOTP code the way a careful person does, for the journeys prodsmoke drives itself.

- A code with less than `FRESH_S` left in its window is not typed: the next one is waited for,
  so a slow submit does not arrive after the window turned.
- The field is drawn like a password field (`-webkit-text-security: disc`) before the code goes
  in: no screenshot or trace frame shows the digits. The code is scrubbed from every text
  artifact as well (`redact.register_code`).
- A code the target refuses is retried once with the next code, and only if the window turned
  since it was typed (the one refusal that is not a wrong secret); never more: a few wrong codes
  lock an account. Anything else is `SecondFactorFailure` ("TOTP code rejected"), not retried.
- `attempt_typing_codes`: an attempt that was handed a code and then failed is not retried
  either, whichever kind it is (a Python journey calling `account.totp()` too).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from prodsmoke.accounts.credentials import CODE_WAITER, CODES_HANDED_OUT, SPENT_STEPS
from prodsmoke.e2e import bridge
from prodsmoke.errors import CheckFailure, SecondFactorFailure

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.async_api import Locator

    from prodsmoke.accounts import Credentials

FRESH_S = 3.0  # a code with less time than this left in its window is not typed
REJECTED = "TOTP code rejected"
_MASK_FIELD = "el => el.style.setProperty('-webkit-text-security', 'disc', 'important')"


def _wait_time(account: Credentials) -> float:
    """Seconds until a code worth typing (0: the current one is)."""
    secret = account.totp_secret
    if secret is not None and (
        secret.seconds_left() < FRESH_S or SPENT_STEPS.get(account.username, -1) >= secret.counter()
    ):
        return secret.seconds_left() + 0.05
    return 0.0


def _wait_in_sync_journey(account: Credentials) -> None:
    """`Credentials.totp()`'s wait: in a sync journey's greenlet the run goes on meanwhile (an
    async journey's plain call cannot wait without stalling the run; it gets the current code)."""
    wait_s = _wait_time(account)
    if wait_s > 0 and bridge.in_journey_greenlet():
        bridge.block_on(asyncio.sleep(wait_s))


CODE_WAITER[:] = [_wait_in_sync_journey]


async def until_fresh(account: Credentials) -> None:
    """Wait, if need be, until the account's current code is worth typing: before a sign-in's
    own timeout starts (the wait can be most of a 30 s window)."""
    wait_s = _wait_time(account)
    if wait_s > 0:
        await asyncio.sleep(wait_s)


async def fresh_step(account: Credentials) -> int:
    """The time step of a code worth typing now: not the last moments of a window, and not a
    window whose code was typed already for the account, by this process or the run whose lease
    it waited for (RFC 6238 §5.2: a verifier refuses a code it accepted once)."""
    await until_fresh(account)
    step = account.totp_step()
    SPENT_STEPS[account.username] = step
    return step


async def type_code(field: Locator, text: str, account: Credentials) -> int:
    """Fill `field` with `text`, its `${account.totp}` a fresh code; the code's time step."""
    step = await fresh_step(account)
    code = account.totp_code(step)
    with contextlib.suppress(Exception):  # drawing it masked is a courtesy; the fill is the step
        await field.evaluate(_MASK_FIELD, timeout=2000)
    await field.fill(text.replace("${account.totp}", code))
    return step


def window_turned(account: Credentials, step: int) -> bool:
    """Whether the code of `step` has expired since it was typed."""
    return account.totp_step() != step


def rejected(where: str, message: str) -> SecondFactorFailure:
    """The final verdict on a refused code (`product`: the target said no)."""
    return SecondFactorFailure(f"{REJECTED} ({where}): {message}")


@contextlib.contextmanager
def attempt_typing_codes() -> Iterator[list[int]]:
    """Note the codes the attempt is handed; a failure after one is `SecondFactorFailure`."""
    handed: list[int] = []
    token = CODES_HANDED_OUT.set(handed)
    try:
        yield handed
    except SecondFactorFailure:
        raise
    except CheckFailure as exc:
        if not handed:
            raise
        raise SecondFactorFailure(
            f"{exc.message} (not retried: the attempt typed a TOTP code, and each retry would "
            "type another: a lockout risk)",
            failure_class=exc.failure_class,
        ) from exc
    finally:
        CODES_HANDED_OUT.reset(token)
