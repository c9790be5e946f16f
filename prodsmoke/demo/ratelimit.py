"""A per-client sliding-window rate limiter and the headers that advertise it."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

WINDOW_SECONDS = 60
TIGHT_LIMIT = 30


@dataclass(frozen=True, slots=True)
class Decision:
    """The limiter's answer for one request."""

    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the oldest counted request leaves the window

    def headers(self) -> dict[str, str]:
        """The IETF draft headers plus the older X-RateLimit-* trio; Retry-After when refused."""
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
            "RateLimit-Policy": f"{self.limit};w={WINDOW_SECONDS}",
            "RateLimit": f"limit={self.limit}, remaining={self.remaining}, reset={self.reset}",
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset)
        return headers


class SlidingWindowLimiter:
    """Counts each client's accepted requests over the last 60 s; refused ones do not count."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}

    def check(self, client: str, limit: int) -> Decision:
        """Count one request from `client` if it is within `limit` per window."""
        now = self._clock()
        with self._lock:
            seen = self._seen.setdefault(client, deque())
            while seen and seen[0] <= now - WINDOW_SECONDS:
                seen.popleft()
            allowed = len(seen) < limit
            if allowed:
                seen.append(now)
            oldest = seen[0] if seen else now
            # ceil() of a float a hair over the window would advertise 61 s; never more than 60.
            reset = min(int(WINDOW_SECONDS), max(1, math.ceil(oldest + WINDOW_SECONDS - now)))
            return Decision(allowed, limit, max(0, limit - len(seen)), reset)

    def clear(self) -> None:
        """Forget every client's history."""
        with self._lock:
            self._seen.clear()
