"""The leading-journey rule, in one object.

Journeys of a kind that times a page load (`JourneySpec.leads`) navigate first; every other
journey sets up its context and page alongside them but navigates only once all leaders have
taken their timing (or `LEAD_WAIT_S` has passed). On two cores, letting them overlap made the
reported load time move less than the target did (bench/RESULTS.md): the number must be the
target's, not our own journeys crowding the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable

LEAD_WAIT_S = 2.0  # how long a follower waits for the leaders' timing, at most


class Lead:
    """Which journeys lead, and the wait of those that follow."""

    def __init__(self, leaders: Iterable[str]) -> None:
        self._pending = set(leaders)
        self._all_measured = asyncio.Event()
        if not self._pending:
            self._all_measured.set()

    def leads(self, check_id: str) -> bool:
        """True when `check_id` is one of the leaders."""
        return check_id in self._pending

    def holding(self) -> bool:
        """True while followers are still held for a leader's timing."""
        return not self._all_measured.is_set()

    def measured(self, check_id: str) -> None:
        """`check_id` has its timing, or will never take it (failed, finished): release it."""
        self._pending.discard(check_id)
        if not self._pending:
            self._all_measured.set()

    def hooks(
        self, check_id: str
    ) -> tuple[Callable[[], Awaitable[float]] | None, Callable[[], None] | None]:
        """(before its first navigation, once measured) for one journey's attempt."""
        if self.leads(check_id):
            return None, lambda: self.measured(check_id)
        return (self.follow if self._pending else None), None

    async def follow(self) -> float:
        """Wait for the leaders (at most LEAD_WAIT_S); return the seconds waited."""
        began = time.monotonic()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._all_measured.wait(), LEAD_WAIT_S)
        return time.monotonic() - began
