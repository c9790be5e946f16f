"""The mutable state one demo app instance shares between its routes and its controller."""

from __future__ import annotations

import asyncio
import random
from typing import TYPE_CHECKING

from prodsmoke.demo.audit import Audit
from prodsmoke.demo.auth import AuthStore
from prodsmoke.demo.mfa import SecondFactors
from prodsmoke.demo.ratelimit import TIGHT_LIMIT, SlidingWindowLimiter

if TYPE_CHECKING:
    from prodsmoke.demo.faults import Faults


class DemoState:
    """Faults, audit, sessions, rate-limit history and the randomness behind flaky/jitter."""

    def __init__(
        self, *, faults: Faults, password: str, assets: int, rate_limit: int, seed: int | None
    ) -> None:
        if assets < 0:
            raise ValueError(f"assets must be 0 or more, got {assets}")
        if rate_limit < 1:
            raise ValueError(f"rate_limit must be 1 or more per minute, got {rate_limit}")
        # Replaced wholesale (never mutated), so a reader in another thread sees old or new.
        self.faults = faults
        self.assets = assets
        self.audit = Audit()
        self.auth = AuthStore(password)
        self.mfa = SecondFactors(password)  # issue 21: TOTP and passkey, verified for real
        self.limiter = SlidingWindowLimiter()
        self._rate_limit = rate_limit
        self._seed = seed
        self.rng = random.Random(seed)
        # Set (on the server's loop) when the server stops, so stalled requests end at once.
        self.stopping = asyncio.Event()

    @property
    def rate_limit(self) -> int:
        """The limit per client per minute, as advertised and enforced right now."""
        return TIGHT_LIMIT if self.faults.rate_limit_tight else self._rate_limit

    def reset(self) -> None:
        """Clear audit, lockouts, sessions and rate-limit history; re-seed the randomness."""
        self.audit.clear()
        self.auth.clear()
        self.mfa.clear()
        self.limiter.clear()
        self.rng.seed(self._seed)

    async def stall(self, seconds: float | None) -> bool:
        """Wait `seconds` (None: forever); False if the server started stopping meanwhile."""
        try:
            await asyncio.wait_for(self.stopping.wait(), seconds)
        except TimeoutError:
            return True
        return False
