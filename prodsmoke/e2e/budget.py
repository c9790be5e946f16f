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

WINDOW_S = 60.0

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
    """A sliding one-minute window over requests sent to the target."""

    def __init__(
        self,
        *,
        max_per_minute: int,
        share_of_limit: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_per_minute
        self._share = share_of_limit
        self._clock = clock
        self._sent: deque[float] = deque()
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
        """Requests that may still be sent in the current window."""
        if self._clock() < self.paused_until:
            return 0
        self._expire()
        return max(0, self.limit_per_minute - len(self._sent))

    def try_acquire(self) -> bool:
        """Count one request if the budget allows it; False means do not send."""
        if self.remaining() <= 0:
            return False
        self._sent.append(self._clock())
        self.used += 1
        return True

    def count(self) -> None:
        """Count a request that was sent without asking (it cannot be refused any more)."""
        self._sent.append(self._clock())
        self.used += 1

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

    def _expire(self) -> None:
        horizon = self._clock() - WINDOW_S
        while self._sent and self._sent[0] <= horizon:
            self._sent.popleft()
