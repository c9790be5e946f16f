"""The notifiers as reporters: the state evaluated once, then each service sent its messages.

`Alerts` (first in the list) judges the run (`state.Evaluation`); each `Notifier` then sends
that run's changes through a `Courier` (retries within its share of the deadline, else the
spool under `<output>/spool/notify-<name>/`). What earlier runs spooled goes first, so a
resolve never overtakes the trigger it resolves; while that backlog cannot be delivered, new
messages wait behind it. A refusal (4xx) is one line naming the notifier and is not spooled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from prodsmoke.errors import DeliveryError, SendError

if TYPE_CHECKING:
    from prodsmoke.reporters.delivery import Courier, TimeShare
    from prodsmoke.reporters.notify.message import Wording
    from prodsmoke.reporters.notify.state import Change, Evaluation
    from prodsmoke.results import RunResult


class Service(Protocol):
    """A notification service: its message for a change, and one attempt at sending one."""

    name: str
    max_age_s: float

    def payload(self, change: Change, wording: Wording) -> Any:
        """The JSON-serialisable message for `change` (no secret in it: it may be spooled)."""

    def send(self, payload: Any, timeout_s: float) -> None:
        """Send once; raise `SendError` on failure."""


@dataclass
class Alerts:
    """Judges each run once, before any notifier sends (`notifier alerts: …` when it cannot)."""

    evaluation: Evaluation
    problem: str | None = None  # alert-rules.yaml could not be read: first failures page
    name: str = field(default="alerts", init=False)

    def report(self, run: RunResult) -> None:
        """Evaluate `run`; say so when the history (or the rules) could not be read."""
        try:
            self.evaluation.evaluate(run)
        except Exception as exc:  # noqa: BLE001 - the run stands; the next one judges again
            raise DeliveryError(
                f"state changes not judged ({_why(exc)}); nothing sent for this run, the next "
                "run that reaches the history sends what changed"
            ) from None
        finally:
            self.evaluation.history.close()
        if self.problem:
            raise DeliveryError(f"{self.problem}; paging on the first failure meanwhile")


@dataclass
class Notifier:
    """One configured service (`notifier <name>: …` lines)."""

    service: Service
    courier: Courier
    evaluation: Evaluation
    wording: Wording
    share: TimeShare
    secret_problem: str | None = None  # its URL or key could not be read
    name: str = field(init=False)

    def __post_init__(self) -> None:
        self.name = self.service.name

    def report(self, run: RunResult) -> None:
        """Send the backlog, then this run's changes; spool what cannot go now."""
        changes = self.evaluation.changes(run)
        spool = self.courier.spool
        if self.secret_problem is not None:
            for change in changes:
                spool.put(self.service.payload(change, self.wording), label=_label(change))
            kept = f"; {len(changes)} notification(s) spooled" if changes else ""
            raise DeliveryError(f"{self.secret_problem}{kept}")
        until = self.share.take(run)
        notes, clear = self.courier.drain(until)
        problems = list(notes)
        for change in changes:
            doc = self.service.payload(change, self.wording)
            if not clear:
                spool.put(doc, label=_label(change))
                problems.append(f"{change.check} {change.action} spooled behind earlier ones")
                continue
            try:
                self.courier.send(doc, until)
            except SendError as exc:
                if not exc.keep:
                    problems.append(f"{change.check} {change.action}: {exc}; refused, not spooled")
                    continue
                spool.put(doc, label=_label(change))
                clear = False
                problems.append(
                    f"{change.check} {change.action}: {exc}; spooled ({len(spool)} waiting in "
                    f"{spool.folder}), to be sent on the next run"
                )
        if problems:
            raise DeliveryError("; ".join(problems))


def _label(change: Change) -> str:
    return f"{change.run_id}-{change.check}-{change.action}"


def _why(exc: BaseException) -> str:
    from prodsmoke.history import HistoryError

    if isinstance(exc, HistoryError) and exc.reason:
        return f"run history {exc.where}: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"
