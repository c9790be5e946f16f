"""Which maintenance window covers a moment: a stored one, or a recurring one from config.

Recurring windows are an input here (`config.maintenance.MaintenanceWindow`, alert-rules.yaml's
`maintenance: [{cron, duration, reason}]`), handed in by whoever read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prodsmoke.config.maintenance import MaintenanceWindow
    from prodsmoke.history.windows import StoredWindow


def covering(
    when: datetime,
    *,
    stored: Sequence[StoredWindow] = (),
    repeating: Sequence[MaintenanceWindow] = (),
) -> str | None:
    """The reason of the window covering `when` (stored windows first), else None."""
    for window in reversed(stored):
        if window.covers(when):
            return window.reason
    for every in repeating:
        if every.active_at(when):
            return every.reason
    return None
