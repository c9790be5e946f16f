"""Recurring maintenance windows (SPEC §12): `maintenance:` in alert-rules.yaml, as typed values.

    maintenance:
      - {cron: "0 3 * * SUN", duration: 1h, reason: weekly database maintenance}

`cron` is a standard 5-field expression (minute hour day-of-month month day-of-week, UTC; names
like SUN and JAN allowed), parsed and evaluated by cronsim; `duration` is `30m`, `1h`, `2h30m` or
`1d`; `reason` is what people see while it lasts. `MaintenanceWindow.active_at(t)` says whether `t`
falls inside an occurrence: the run history and the gate leave such runs out (issue 13 defines the
values; the history store consumes them).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from prodsmoke.config.fields import StrictModel

CRON_FIELDS = 5  # minute hour day-of-month month day-of-week
MAX_DURATION_S = 7 * 86400  # a "window" longer than a week is an outage, not maintenance
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_window_duration(value: object) -> object:
    """`2h30m` -> 9000; a ValueError naming the expected form otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _DURATION.match(value.strip().replace(" ", "")) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        raise ValueError("expected a duration like 30m, 1h or 2h30m")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60


def _cron(value: str) -> str:
    from cronsim import CronSim, CronSimError

    fields = value.split()
    if len(fields) != CRON_FIELDS:
        raise ValueError(
            f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}; "
            "e.g. '0 3 * * SUN'"
        )
    try:
        CronSim(" ".join(fields), datetime(2026, 1, 1, tzinfo=UTC))
    except CronSimError as exc:
        raise ValueError(f"expected a cron expression like '0 3 * * SUN' ({exc})") from None
    return " ".join(fields)


Cron = Annotated[
    str,
    AfterValidator(_cron),
    Field(description="a 5-field cron expression in UTC, e.g. '0 3 * * SUN'"),
]
WindowDuration = Annotated[
    int,
    BeforeValidator(parse_window_duration),
    Field(gt=0, le=MAX_DURATION_S, description="a duration like 30m, 1h or 2h30m (at most 7d)"),
]


class MaintenanceWindow(StrictModel):
    """A recurring window in which failures page no one and do not count."""

    cron: Cron
    duration: WindowDuration
    reason: str = Field(min_length=3, description="why, for the people who see it")

    def explain(self) -> str:
        """`At 03:00 on Sunday, for 1h: weekly database maintenance`."""
        from cronsim import CronSim

        when = CronSim(self.cron, datetime(2026, 1, 1, tzinfo=UTC)).explain()
        return f"{when} UTC, for {format_window_duration(self.duration)}: {self.reason}"

    def last_start(self, at: datetime) -> datetime:
        """The latest occurrence that started at or before `at` (naive times are UTC)."""
        from cronsim import CronSim

        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        # cronsim's reverse iteration yields occurrences strictly before its start (whole
        # seconds): one second on, so an occurrence at `at` itself counts, and no later one
        moment = at.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)
        return next(CronSim(self.cron, moment, reverse=True))

    def active_at(self, at: datetime) -> bool:
        """Whether `at` falls inside an occurrence of this window."""
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        start = self.last_start(at)
        return start <= at < start + timedelta(seconds=self.duration)


def format_window_duration(seconds: int) -> str:
    """9000 -> `2h30m`."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    text = "".join(f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "m")) if n)
    return text or f"{seconds}s"
