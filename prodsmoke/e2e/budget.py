"""The rate budget: every request to the target counts, and the run stays far under its limits.

The effective limit is the smaller of `max_requests_per_minute` and `share_of_limit` of what the
target advertises (`RateLimit-Policy`, `RateLimit`, `RateLimit-Limit`, `X-RateLimit-Limit`),
normalised to a minute. A 429 or `Retry-After` stops all traffic until the time it names.
"""

from __future__ import annotations

import math
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

WINDOW_S = 60.0
PILOT_WAIT_S = 5.0  # how long the bulk waits for the pilot's answer before going on without it

_POLICY = re.compile(r"(?:^|[;,\s])(?:q=)?(\d+)\s*;\s*w=(\d+)")
_LIMIT_PARAM = re.compile(r"(?:^|[,;\s])limit=(\d+)")


def advertised_per_minute(headers: Mapping[str, str]) -> int | None:
    """The per-minute limit a response advertises, if any (header names case-insensitive)."""
    lower = {k.lower(): v for k, v in headers.items()}
    policy = lower.get("ratelimit-policy") or lower.get("x-ratelimit-policy") or ""
    if match := _POLICY.search(policy):
        limit, window = int(match.group(1)), float(match.group(2)) or WINDOW_S
        return max(1, math.floor(limit * WINDOW_S / window))
    if (combined := lower.get("ratelimit")) and (match := _LIMIT_PARAM.search(combined)):
        return int(match.group(1))
    for name in ("ratelimit-limit", "x-ratelimit-limit"):
        if (value := lower.get(name, "").split(",")[0].strip()).isdigit():
            return int(value)
    return None


def retry_after_s(headers: Mapping[str, str]) -> float | None:
    """Seconds named by `Retry-After` (delta-seconds form), if present."""
    for name, value in headers.items():
        if name.lower() == "retry-after" and value.strip().isdigit():
            return float(value.strip())
    return None


class RateBudget:
    """A sliding one-minute window over requests sent to the target, with reservations.

    The first request is a pilot: the others wait (briefly) for its answer, so the limit the target
    advertises is known before the run sends its bulk. A check reserves what one attempt costs
    before it starts, so concurrent checks cannot starve each other half-way through.
    """

    def __init__(
        self,
        *,
        max_per_minute: int,
        share_of_limit: float,
        clock: Callable[[], float] = time.monotonic,
        pilot_wait_s: float = PILOT_WAIT_S,
    ) -> None:
        self._max = max_per_minute
        self._share = share_of_limit
        self._clock = clock
        self._pilot_wait_s = pilot_wait_s
        self._sent: deque[float] = deque()
        self._reserved: dict[str, int] = {}
        self._known = False  # the target's limit is known (or will not be: go on)
        self._known_event: asyncio.Event | None = None  # made by the first request to wait
        self._pilot_sent = False
        self.used = 0
        self.advertised: int | None = None
        self.paused_until = 0.0
        self.throttled = 0  # 429 answers seen

    @property
    def limit_per_minute(self) -> int:
        """The effective per-minute limit right now."""
        if self.advertised is None:
            return self._max
        return max(1, min(self._max, math.floor(self.advertised * self._share)))

    def remaining(self) -> int:
        """Requests nobody has reserved that may still be sent in the current window."""
        return max(0, self._capacity() - sum(self._reserved.values()))

    def reserve(self, key: str, requests: int) -> bool:
        """Hold `requests` for `key` (one check's attempt) if the window has room for them."""
        if self.remaining() < requests:
            return False
        self._reserved[key] = self._reserved.get(key, 0) + requests
        return True

    def release(self, key: str) -> None:
        """Give back what `key` reserved and did not use."""
        self._reserved.pop(key, None)

    def try_acquire(self, key: str = "") -> bool:
        """Count one request for `key` if its reservation or the free pool allows it."""
        if self._capacity() <= 0:
            return False
        held = self._reserved.get(key, 0)
        if held > 0:
            self._reserved[key] = held - 1
        elif self.remaining() <= 0:
            return False
        self.count()
        return True

    def count(self) -> None:
        """Count a request that was sent without asking (it cannot be refused any more)."""
        self._sent.append(self._clock())
        self.used += 1

    async def settled(self) -> bool:
        """Return once the target's limit is known, at once for the pilot request; True for the
        pilot (whose caller must `settle()` if it never sends it)."""
        if self._known:
            return False
        if not self._pilot_sent:
            self._pilot_sent = True
            return True
        import asyncio  # here, not at the top: `smoke check-config` builds a guard, never waits

        if self._known_event is None:
            self._known_event = asyncio.Event()
        try:
            await asyncio.wait_for(self._known_event.wait(), self._pilot_wait_s)
        except TimeoutError:
            self._set_known()  # the pilot hangs; go on with the configured maximum
        return False

    def settle(self) -> None:
        """The pilot ended without an answer to learn from (it failed): stop waiting."""
        self._set_known()

    def _set_known(self) -> None:
        self._known = True
        if self._known_event is not None:
            self._known_event.set()

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Learn the target's advertised limit and honour 429 / Retry-After."""
        if (limit := advertised_per_minute(headers)) is not None:
            self.advertised = limit if self.advertised is None else min(self.advertised, limit)
        wait = retry_after_s(headers)
        if status == 429:
            self.throttled += 1
            wait = wait if wait is not None else WINDOW_S
        if wait is not None and (status in {429, 503}):
            self.paused_until = max(self.paused_until, self._clock() + wait)
        self._set_known()

    def _capacity(self) -> int:
        if self._clock() < self.paused_until:
            return 0
        horizon = self._clock() - WINDOW_S
        while self._sent and self._sent[0] <= horizon:
            self._sent.popleft()
        return max(0, self.limit_per_minute - len(self._sent))
