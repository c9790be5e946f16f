"""Attempts, retries and the run deadline: how one check's verdict comes about.

A check is retried with exponential backoff and jitter (the `retry` config) while its failure may
be transient and the deadline leaves room for another full attempt. A check that passes on a later
attempt is `pass` with `flaky: true`. Infrastructure failures (locked account, no browser) and
budget exhaustion are not retried: trying again cannot help and would spend budget.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prodsmoke import redact
from prodsmoke.e2e import failures
from prodsmoke.errors import BudgetExhausted, CheckFailure
from prodsmoke.results import FailureClass, PageVitals, Status, StepResult

if TYPE_CHECKING:
    from prodsmoke.config.models import Retry

MIN_ATTEMPT_S = 1.0  # an attempt with less time than this left is not started
OWN_TIMEOUT_LEAD_S = 0.25  # a check's own timeout fires this much before the hard backstop


@dataclass
class Attempt:
    """The outcome of one attempt."""

    status: Status
    metrics: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    failure_class: FailureClass | None = None
    waited_s: float = 0.0  # time spent waiting on another check: not this check's duration
    steps: tuple[StepResult, ...] = ()
    pages: tuple[PageVitals, ...] = ()  # a journey's Web Vitals, per page (issue 14)
    final: bool = False  # trying again cannot help (a skip, a failure after a guard refusal)

    @classmethod
    def failed(cls, failure: CheckFailure, metrics: dict[str, float] | None = None) -> Attempt:
        """A `fail` from a `CheckFailure`, its message redacted."""
        return cls(
            Status.FAIL, metrics or {}, redact.redact(failure.message), failure.failure_class
        )


@dataclass
class Verdict:
    """All attempts of one check, summed up."""

    last: Attempt
    attempts: int
    flaky: bool
    duration_ms: int


AttemptFn = Callable[[int, float], Awaitable[Attempt]]  # (attempt number, timeout_s) -> Attempt


def backoff_s(retry: Retry, failed_attempts: int, rng: random.Random) -> float:
    """Delay before the next attempt: exponential, capped, with 'equal jitter' (50-100%)."""
    base = min(retry.max_delay_s, retry.initial_delay_s * retry.multiplier ** (failed_attempts - 1))
    return base * (0.5 + rng.random() / 2)


@dataclass(frozen=True, slots=True)
class Room:
    """What the run can still afford: time before the deadline, requests within the budget."""

    deadline: float  # monotonic seconds
    reserve: Callable[[int], bool]  # hold n requests of the budget for the next attempt
    release: Callable[[], None]  # give back what the attempt did not use
    budget_left: Callable[[], int]  # unreserved requests the budget still allows
    spent: Callable[[], int]  # requests this check has sent so far
    expected: int = 1  # what one attempt is expected to cost before the first has run


async def run_attempts(
    attempt: AttemptFn,
    *,
    retry: Retry,
    timeout_s: float,
    room: Room,
    rng: random.Random,
    clock: Callable[[], float] = time.monotonic,
) -> Verdict:
    """Run attempts until one passes, the failure is final, or time or budget run out.

    Each attempt first reserves what it will cost from the rate budget (the expected cost, then
    what the previous attempt actually sent), so it runs whole or not at all. A retry starts only
    when the deadline leaves room for the backoff plus about as long as the last attempt took. An
    attempt that the deadline cuts off never replaces an earlier, complete failure.
    """
    started = clock()
    if room.deadline - started < MIN_ATTEMPT_S:
        return _not_run(started, clock, "the run deadline was reached before this check started")
    if not room.reserve(room.expected):
        return _not_run(
            started,
            clock,
            f"rate budget: this check needs about {room.expected} requests and "
            f"{room.budget_left()} are left",
        )
    result: Attempt | None = None
    number, cost, took, note, waited = 0, room.expected, 0.0, "", 0.0
    while number < retry.attempts:
        if result is not None:
            if (
                result.status is not Status.FAIL
                or result.failure_class is FailureClass.INFRASTRUCTURE
                or result.final
            ):
                break
            delay = backoff_s(retry, number, rng)
            if room.deadline - clock() < delay + min(timeout_s, max(MIN_ATTEMPT_S, 1.5 * took)):
                note = "not retried: the run deadline leaves no room for another attempt"
                break
            if not room.reserve(cost):
                note = f"not retried: the rate budget has no room for another {cost} requests"
                break
            await asyncio.sleep(delay)
        number += 1
        begun, sent_before = clock(), room.spent()
        allowed = min(timeout_s, room.deadline - begun)
        try:
            outcome = await _one(attempt, number, allowed)
        finally:
            room.release()
        took, cost = clock() - begun, max(1, room.spent() - sent_before)
        waited += outcome.waited_s
        cut_off = allowed < timeout_s and took >= 0.95 * allowed and outcome.status is Status.FAIL
        if cut_off and result is not None:
            note = f"attempt {number} was cut off by the run deadline"
            number -= 1  # it produced no verdict of its own
            break
        if cut_off:  # we stopped it, not the product: it might have answered in time
            failure = failures.cut_off(f"unfinished at the run deadline ({outcome.error})")
            outcome = Attempt.failed(failure, outcome.metrics)
        result = outcome
    assert result is not None
    if note and result.status is Status.FAIL:
        result.error = f"{result.error} ({note})"
    return Verdict(
        last=result,
        attempts=number,
        flaky=number > 1 and result.status in (Status.PASS, Status.WARN),
        duration_ms=round((clock() - started - waited) * 1000),
    )


def _not_run(started: float, clock: Callable[[], float], why: str) -> Verdict:
    skipped = Attempt(Status.SKIP, error=why)
    return Verdict(skipped, attempts=0, flaky=False, duration_ms=round((clock() - started) * 1000))


async def _one(attempt: AttemptFn, number: int, timeout_s: float) -> Attempt:
    try:
        async with asyncio.timeout(timeout_s):
            return await attempt(number, timeout_s)
    except CheckFailure as failure:
        return Attempt.failed(failure)
    except BudgetExhausted as exc:
        return Attempt(Status.SKIP, error=f"{exc.reason}; not sent")
    except TimeoutError:
        return Attempt.failed(failures.timed_out(f"did not finish within {timeout_s:.1f} s"))
    except Exception as exc:  # noqa: BLE001 - one broken check must not take the run down
        return Attempt.failed(failures.internal(exc))
