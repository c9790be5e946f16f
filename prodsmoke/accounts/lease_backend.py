"""What a lease backend is: single, blocking operations, and who holds a lease we could not get.

`lease.hold()` builds waiting, renewal and release on any `LeaseBackend`; `lease_file` and
`lease_dynamodb` implement it. (Its own module, so the backends and `lease` do not import
each other.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Busy:
    """Who holds a lease we could not get, and for how long (as far as the backend knows)."""

    holder: str
    expires_in_s: float | None = None
    held_for_s: float | None = None

    def describe(self) -> str:
        """'holder X, expires in 42 s' or 'holder X, held for 3 s'."""
        if self.expires_in_s is not None:
            return f"holder {self.holder}, expires in {max(self.expires_in_s, 0):.0f} s"
        if self.held_for_s is not None:
            return f"holder {self.holder}, held for {max(self.held_for_s, 0):.0f} s"
        return f"holder {self.holder}"


class LeaseBackend(Protocol):
    """Single, blocking lease operations; `hold()` adds the waiting, renewal and release."""

    expires: bool  # True when a lease lapses after ttl_s unless renewed

    def try_acquire(self, key: str, holder: str, ttl_s: float) -> Busy | None:
        """Take the lease (None), or say who has it."""

    def renew(self, key: str, holder: str, ttl_s: float) -> bool:
        """Extend our lease; False when it is no longer ours."""

    def release(self, key: str, holder: str) -> None:
        """Give the lease up, if it is still ours."""
