"""The rate budget: advertised limits in every header dialect, the sliding window, 429s."""

from __future__ import annotations

import pytest

from prodsmoke.e2e.budget import RateBudget, advertised_per_minute, retry_after_s


@pytest.mark.parametrize(
    ("headers", "limit"),
    [
        ({"RateLimit-Policy": "600;w=60"}, 600),
        ({"ratelimit-policy": '"default";q=100;w=10'}, 600),
        ({"RateLimit-Policy": "100;w=3600"}, 1),
        ({"RateLimit": "limit=600, remaining=599, reset=42"}, 600),
        ({"RateLimit-Limit": "250"}, 250),
        ({"X-RateLimit-Limit": "30"}, 30),
        ({"X-RateLimit-Limit": "30, 30;w=60"}, 30),
        ({"Content-Type": "text/html"}, None),
    ],
)
def test_advertised_limit(headers: dict[str, str], limit: int | None) -> None:
    assert advertised_per_minute(headers) == limit


def test_retry_after() -> None:
    assert retry_after_s({"Retry-After": "7"}) == 7.0
    assert retry_after_s({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) is None


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_and_share_of_the_advertised_limit() -> None:
    clock = Clock()
    budget = RateBudget(max_per_minute=5, share_of_limit=0.1, clock=clock)
    assert [budget.try_acquire() for _ in range(6)] == [True] * 5 + [False]
    clock.now += 61
    assert budget.remaining() == 5
    budget.observe(200, {"RateLimit-Policy": "30;w=60"})
    assert budget.limit_per_minute == 3  # 10% of 30, under the configured 5
    budget.observe(200, {"RateLimit-Policy": "600;w=60"})
    assert budget.advertised == 30  # the smallest limit ever advertised wins


def test_429_pauses_everything_until_retry_after() -> None:
    clock = Clock()
    budget = RateBudget(max_per_minute=100, share_of_limit=1, clock=clock)
    budget.observe(429, {"Retry-After": "10"})
    assert budget.remaining() == 0 and not budget.try_acquire()
    clock.now += 10.5
    assert budget.try_acquire()
    budget.observe(429, {})
    assert budget.paused_until == pytest.approx(clock.now + 60)


def test_reservations_hold_capacity_for_their_check_only() -> None:
    budget = RateBudget(max_per_minute=10, share_of_limit=1, clock=Clock())
    assert budget.reserve("homepage", 6)
    assert budget.remaining() == 4
    assert not budget.reserve("login", 5)  # only 4 unreserved
    assert all(budget.try_acquire("login") for _ in range(4))
    assert not budget.try_acquire("login")  # the free pool is empty
    assert all(budget.try_acquire("homepage") for _ in range(6))  # its reservation is intact
    assert not budget.try_acquire("homepage")
    budget.release("homepage")
    assert budget.used == 10 and budget.remaining() == 0


def test_a_smaller_advertised_limit_wins_over_reservations() -> None:
    budget = RateBudget(max_per_minute=100, share_of_limit=0.1, clock=Clock())
    assert budget.reserve("journey", 20)
    budget.observe(200, {"RateLimit-Policy": "30;w=60"})  # now 3/min
    assert [budget.try_acquire("journey") for _ in range(4)] == [True, True, True, False]


async def test_the_pilot_goes_first_and_the_bulk_waits_for_its_answer() -> None:
    import asyncio

    budget = RateBudget(max_per_minute=100, share_of_limit=0.1, pilot_wait_s=5)
    await budget.settled()  # the first caller is the pilot: no wait
    waiting = asyncio.ensure_future(budget.settled())
    await asyncio.sleep(0.05)
    assert not waiting.done()
    budget.observe(200, {"RateLimit-Policy": "30;w=60"})
    await asyncio.wait_for(waiting, 1)
    assert budget.limit_per_minute == 3


async def test_a_pilot_that_hangs_does_not_hold_the_run_forever() -> None:
    budget = RateBudget(max_per_minute=100, share_of_limit=0.1, pilot_wait_s=0.1)
    await budget.settled()
    await budget.settled()  # returns after pilot_wait_s
    assert budget.limit_per_minute == 100
