"""Retries with backoff and jitter, inside the deadline and the budget."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from prodsmoke.config.models import Retry
from prodsmoke.e2e.attempts import Attempt, Room, backoff_s, run_attempts
from prodsmoke.errors import CheckFailure
from prodsmoke.results import FailureClass, Status

FAST = Retry(attempts=3, initial_delay_s=0.01, multiplier=2, max_delay_s=0.05)


def scripted(*outcomes: Attempt | Exception, spend: int = 1):
    calls: list[float] = []
    sent = {"n": 0}

    async def attempt(number: int, timeout_s: float) -> Attempt:
        calls.append(timeout_s)
        sent["n"] += spend
        outcome = outcomes[number - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return attempt, calls, (lambda: sent["n"])


def room(deadline_in: float = 30, budget: int = 100, spent=lambda: 0, expected: int = 1) -> Room:
    """A Room over a plain counter: reservations come out of `budget`."""
    pool = {"free": budget, "held": 0}

    def reserve(n: int) -> bool:
        if pool["free"] < n:
            return False
        pool["free"] -= n
        pool["held"] += n
        return True

    def release() -> None:
        pool["free"] += pool["held"]
        pool["held"] = 0

    return Room(
        time.monotonic() + deadline_in, reserve, release, lambda: pool["free"], spent, expected
    )


async def test_pass_after_a_failure_is_flaky() -> None:
    attempt, calls, spent = scripted(CheckFailure("boom"), Attempt(Status.PASS))
    verdict = await run_attempts(
        attempt, retry=FAST, timeout_s=5, room=room(spent=spent), rng=random.Random(1)
    )
    assert (verdict.last.status, verdict.attempts, verdict.flaky) == (Status.PASS, 2, True)
    assert len(calls) == 2


async def test_three_failures_keep_the_last_message() -> None:
    attempt, calls, spent = scripted(CheckFailure("a"), CheckFailure("b"), CheckFailure("c"))
    verdict = await run_attempts(
        attempt, retry=FAST, timeout_s=5, room=room(spent=spent), rng=random.Random(1)
    )
    assert (verdict.last.status, verdict.last.error, verdict.attempts, verdict.flaky) == (
        Status.FAIL,
        "c",
        3,
        False,
    )


async def test_infrastructure_failures_are_not_retried() -> None:
    locked = CheckFailure("account locked", failure_class=FailureClass.INFRASTRUCTURE)
    attempt, calls, spent = scripted(locked, Attempt(Status.PASS))
    verdict = await run_attempts(
        attempt, retry=FAST, timeout_s=5, room=room(spent=spent), rng=random.Random(1)
    )
    assert verdict.attempts == 1 and verdict.last.failure_class is FailureClass.INFRASTRUCTURE


async def test_no_retry_without_budget_for_another_attempt() -> None:
    attempt, calls, spent = scripted(CheckFailure("slow"), Attempt(Status.PASS), spend=12)
    verdict = await run_attempts(
        attempt, retry=FAST, timeout_s=5, room=room(budget=8, spent=spent), rng=random.Random(1)
    )
    assert verdict.attempts == 1
    assert (
        verdict.last.error
        == "slow (not retried: the rate budget has no room for another 12 requests)"
    )


async def test_no_retry_when_the_deadline_leaves_no_room() -> None:
    async def slow_failure(number: int, timeout_s: float) -> Attempt:
        await asyncio.sleep(0.3)
        raise CheckFailure("x")

    verdict = await run_attempts(
        slow_failure, retry=FAST, timeout_s=5, room=room(deadline_in=1.2), rng=random.Random(1)
    )
    assert verdict.attempts == 1
    assert "not retried: the run deadline leaves no room" in (verdict.last.error or "")


async def test_not_started_when_out_of_time_or_budget() -> None:
    attempt, calls, spent = scripted(Attempt(Status.PASS))
    late = await run_attempts(
        attempt, retry=FAST, timeout_s=5, room=room(deadline_in=0.5), rng=random.Random(1)
    )
    broke = await run_attempts(
        attempt, retry=FAST, timeout_s=5, room=room(budget=0), rng=random.Random(1)
    )
    assert (late.last.status, late.attempts) == (Status.SKIP, 0)
    assert (broke.last.status, broke.attempts) == (Status.SKIP, 0)
    assert broke.last.error == "rate budget: this check needs about 1 requests and 0 are left"
    assert "deadline" in (late.last.error or "")
    assert calls == []


async def test_attempt_timeout_is_capped_by_the_deadline_and_enforced() -> None:
    async def hang(number: int, timeout_s: float) -> Attempt:
        await asyncio.sleep(60)
        raise AssertionError("unreachable")

    started = time.monotonic()
    verdict = await run_attempts(
        hang, retry=FAST, timeout_s=30, room=room(deadline_in=1.5), rng=random.Random(1)
    )
    assert time.monotonic() - started < 2.5
    # cut short by the run deadline, not by its own timeout: ours to explain, not an outage
    assert verdict.last.status is Status.FAIL
    assert verdict.last.failure_class is FailureClass.INFRASTRUCTURE
    assert (verdict.last.error or "").startswith("unfinished at the run deadline (did not finish")


async def test_an_unexpected_error_fails_the_check_not_the_run() -> None:
    attempt, calls, spent = scripted(KeyError("session"))
    verdict = await run_attempts(
        attempt, retry=FAST, timeout_s=5, room=room(spent=spent), rng=random.Random(1)
    )
    assert verdict.last.failure_class is FailureClass.INFRASTRUCTURE
    assert verdict.last.error == "internal error: KeyError: 'session'"


@pytest.mark.parametrize(
    ("failed", "low", "high"), [(1, 0.25, 0.5), (2, 0.5, 1.0), (3, 1.0, 2.0), (9, 2.0, 4.0)]
)
def test_backoff_is_exponential_capped_and_jittered(failed: int, low: float, high: float) -> None:
    retry = Retry(attempts=10, initial_delay_s=0.5, multiplier=2, max_delay_s=4)
    delays = [backoff_s(retry, failed, random.Random(seed)) for seed in range(50)]
    assert all(low <= d <= high for d in delays)
    assert len(set(delays)) > 40


async def test_the_first_attempt_reserves_its_expected_cost() -> None:
    attempt, calls, spent = scripted(Attempt(Status.PASS))
    verdict = await run_attempts(
        attempt, retry=FAST, timeout_s=5, room=room(budget=10, expected=12), rng=random.Random(1)
    )
    assert verdict.last.status is Status.SKIP and calls == []
    assert verdict.last.error == "rate budget: this check needs about 12 requests and 10 are left"


async def test_time_spent_waiting_on_another_check_is_not_this_checks_duration() -> None:
    async def waits_then_passes(number: int, timeout_s: float) -> Attempt:
        await asyncio.sleep(0.3)  # 0.25 s of it waiting for the leading journey
        return Attempt(Status.PASS, waited_s=0.25)

    verdict = await run_attempts(
        waits_then_passes, retry=FAST, timeout_s=5, room=room(), rng=random.Random(1)
    )
    assert 30 <= verdict.duration_ms < 200
