"""Getting a payload to a remote backend: retries inside the run's deadline, else the spool.

A `Sender` knows one backend (its payload format and one attempt at sending it); a `Courier`
carries payloads to any `Transport` (a Sender, a notifier's service) with the policy every
backend shares, and a `SpoolingReporter` is a reporter built on one:

- retry with exponential backoff, but only while this reporter's share of what is left of the run's
  deadline allows (`TimeShare`: a slow backend cannot starve the ones after it);
- then spool the payload under `<output>/spool/<sender>/`;
- once a send succeeds, deliver what earlier runs spooled, oldest first, while time remains,
  dropping what the backend would refuse as too old.

It never lets a backend's exception out: failures become one `DeliveryError` line naming what
failed and where the payload waits (`publish` prefixes the reporter's name and redacts it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from prodsmoke.errors import DeliveryError, SendError

if TYPE_CHECKING:
    from prodsmoke.config.monitoring import Delivery
    from prodsmoke.reporters.spool import Spool
    from prodsmoke.results import RunResult

MIN_ATTEMPT_S = 0.2  # less time than this left: do not start another request


class Transport(Protocol):
    """One backend's way in: one attempt at sending a payload."""

    name: str
    max_age_s: float  # the backend refuses (or nobody wants) payloads older than this

    def send(self, payload: Any, timeout_s: float) -> None:
        """Send once; raise `SendError` on failure."""


class Sender(Transport, Protocol):
    """One backend: the payload a run becomes, and one attempt at sending it."""

    def payload(self, run: RunResult) -> Any:
        """The JSON-serialisable payload for `run`."""


@dataclass
class TimeShare:
    """Splits what is left of the run's deadline evenly among the remote reporters still to run."""

    deadline_s: float
    keep_back_s: float
    waiting: int = 0

    def take(self, run: RunResult) -> float:
        """The POSIX time by which the calling reporter must be done."""
        end = run.started_at.timestamp() + self.deadline_s - self.keep_back_s
        now = time.time()
        share = max(end - now, 0.0) / max(self.waiting, 1)
        self.waiting = max(self.waiting - 1, 0)
        return now + share


@dataclass
class Courier:
    """Sends payloads to one `Transport` with the shared policy: retries within a deadline, the
    spool for later, the backlog delivered oldest first."""

    transport: Transport
    spool: Spool
    policy: Delivery
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def send(self, payload: Any, until: float) -> int:
        """Send now, retrying with backoff while `until` (POSIX time) allows; the attempts it
        took. A `SendError` (not retried further) when it could not."""
        delay = self.policy.initial_delay_s
        for attempt in range(1, self.policy.attempts + 1):
            remaining = until - time.time()
            if remaining < MIN_ATTEMPT_S:
                raise SendError("no time left before the run's deadline", retry=False)
            try:
                self.transport.send(payload, min(self.policy.timeout_s, remaining))
            except SendError as exc:
                wait = min(delay, self.policy.max_delay_s)
                last_try = attempt == self.policy.attempts
                if not exc.retry or last_try or time.time() + wait + MIN_ATTEMPT_S > until:
                    tries = f" after {attempt} attempt{'s' if attempt > 1 else ''}"
                    raise SendError(f"{exc}{tries}", retry=False, keep=exc.keep) from None
                self.sleep(wait)
                delay *= self.policy.multiplier
            else:
                return attempt
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def drain(self, until: float) -> tuple[list[str], bool]:
        """Deliver what earlier runs spooled, oldest first, while time remains. Returns notes
        for a person and whether the backlog is now empty."""
        expired = refused = 0
        emptied = True
        for item in self.spool.pending():
            if time.time() - item.created > self.transport.max_age_s:
                item.path.unlink(missing_ok=True)
                expired += 1
                continue
            remaining = until - time.time()
            if remaining < MIN_ATTEMPT_S:
                emptied = False
                break
            try:
                self.transport.send(item.payload, min(self.policy.timeout_s, remaining))
            except SendError as exc:
                if exc.keep:
                    emptied = False
                    break  # the backend is struggling again: keep the rest for the next run
                item.path.replace(item.path.with_suffix(".bad"))
                refused += 1
                continue
            item.path.unlink(missing_ok=True)
        notes = []
        if expired:
            notes.append(
                f"dropped {expired} spooled payload(s) older than the backend accepts "
                f"({self.transport.max_age_s / 3600:g} h)"
            )
        if refused:
            notes.append(f"{refused} spooled payload(s) refused, set aside as *.bad")
        return notes, emptied


@dataclass
class SpoolingReporter:
    """A remote reporter: retries, then spools; delivers the backlog when the backend is back."""

    sender: Sender
    spool: Spool
    policy: Delivery
    share: TimeShare
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    name: str = field(init=False)

    def __post_init__(self) -> None:
        self.name = self.sender.name

    def report(self, run: RunResult) -> None:
        """Deliver `run` (or spool it), then as much of the backlog as time allows."""
        courier = Courier(self.sender, self.spool, self.policy, self.sleep)
        until = self.share.take(run)
        payload = self.sender.payload(run)
        try:
            attempts = courier.send(payload, until)
        except SendError as exc:
            if not exc.keep:
                raise DeliveryError(f"{exc}; the payload was refused, not spooled") from None
            self.spool.put(payload, label=run.run_id)
            raise DeliveryError(
                f"{exc}; payload spooled ({len(self.spool)} waiting in {self.spool.folder}), "
                "to be sent on the next run"
            ) from None
        notes, _ = courier.drain(until)
        if notes:
            retried = f" (after {attempts} attempts)" if attempts > 1 else ""
            raise DeliveryError(f"delivered{retried}; " + "; ".join(notes))
