"""Recurring maintenance windows: 5-field cron, durations, and when a moment is inside one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from prodsmoke.config.maintenance import MaintenanceWindow, parse_window_duration

SUNDAY_3AM = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # a Sunday


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800), ("1h", 3600), ("2h30m", 9000), ("1d", 86400), ("1d2h", 93600), (90, 90)],
)
def test_durations(text: object, seconds: int) -> None:
    assert parse_window_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "90", "1.5h", "30 minutes", "2m30h"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="expected a duration like 30m, 1h or 2h30m"):
        parse_window_duration(text)


def test_a_window_covers_its_occurrences_and_nothing_else() -> None:
    window = MaintenanceWindow(cron="0 3 * * SUN", duration="2h30m", reason="db upgrade")

    assert window.duration == 9000
    assert window.active_at(SUNDAY_3AM)
    assert window.active_at(SUNDAY_3AM + timedelta(hours=2, minutes=29, seconds=59))
    assert not window.active_at(SUNDAY_3AM + timedelta(hours=2, minutes=30))
    assert not window.active_at(SUNDAY_3AM - timedelta(seconds=1))
    assert not window.active_at(SUNDAY_3AM + timedelta(days=1))  # Monday
    assert window.active_at(SUNDAY_3AM + timedelta(days=7, minutes=5))  # next Sunday
    assert window.last_start(SUNDAY_3AM + timedelta(hours=1)) == SUNDAY_3AM
    # naive times are UTC
    assert window.active_at(datetime(2026, 11, 22, 4, 0))
    assert window.explain() == "At 03:00 on Sunday UTC, for 2h30m: db upgrade"


def test_a_window_spanning_midnight() -> None:
    window = MaintenanceWindow(cron="30 23 * * *", duration="1h", reason="nightly backup")

    assert window.active_at(datetime(2026, 11, 22, 0, 15, tzinfo=UTC))
    assert not window.active_at(datetime(2026, 11, 22, 0, 30, tzinfo=UTC))


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"cron": "0 3 * * SUN *"}, "expected 5 fields"),
        ({"cron": "61 3 * * *"}, "Bad minute"),
        ({"duration": "8d"}, "less than or equal to 604800"),
        ({"reason": "x"}, "at least 3 characters"),
    ],
)
def test_invalid_windows(fields: dict[str, str], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        MaintenanceWindow.model_validate(
            {"cron": "0 3 * * SUN", "duration": "1h", "reason": "patching"} | fields
        )


def test_the_minute_before_the_next_occurrence_still_belongs_to_the_last_one() -> None:
    # A day-long nightly window covers 02:59:30; the next occurrence (03:00) has not begun.
    window = MaintenanceWindow(cron="0 3 * * *", duration="1d", reason="always in maintenance")
    almost = SUNDAY_3AM - timedelta(seconds=30)
    assert window.last_start(almost) == SUNDAY_3AM - timedelta(days=1)
    assert window.active_at(almost)
