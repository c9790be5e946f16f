"""Which maintenance window covers a moment: a stored one, or a recurring one from config.

Recurring windows are an input here (`Recurring` values), so whoever reads them (alert-rules.yaml's
`maintenance: [{cron, duration, reason}]`) hands them in; cron expressions are evaluated in UTC
with `cronsim`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prodsmoke.history.windows import StoredWindow


@dataclass(frozen=True, slots=True)
class Recurring:
    """A window that opens on a cron schedule (UTC) and lasts `duration_s`."""

    cron: str
    duration_s: int
    reason: str

    def opened(self, when: datetime) -> datetime:
        """The latest time at or before `when` that the window opened."""
        from cronsim import CronSim

        moment = when.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)
        return next(CronSim(self.cron, moment, reverse=True))

    def covers(self, when: datetime) -> bool:
        """True when `when` falls inside one of this window's occurrences."""
        return when < self.opened(when) + timedelta(seconds=self.duration_s)


def check_cron(expression: str) -> str:
    """`expression` if cronsim reads it; ValueError naming the expected form otherwise."""
    from cronsim import CronSim, CronSimError

    try:
        CronSim(expression, datetime.now(UTC))
    except CronSimError as exc:
        raise ValueError(f"expected a 5-field cron expression like '0 3 * * SUN' ({exc})") from None
    return expression


def recurring(specs: Iterable[tuple[str, int, str] | Recurring]) -> tuple[Recurring, ...]:
    """`(cron, duration_s, reason)` values (e.g. from alert-rules.yaml) as `Recurring` windows."""
    return tuple(s if isinstance(s, Recurring) else Recurring(*s) for s in specs)


def covering(
    when: datetime,
    *,
    stored: Sequence[StoredWindow] = (),
    repeating: Sequence[Recurring] = (),
) -> str | None:
    """The reason of the window covering `when` (stored windows first), else None."""
    for window in reversed(stored):
        if window.covers(when):
            return window.reason
    for every in repeating:
        if every.covers(when):
            return every.reason
    return None
