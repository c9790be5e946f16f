"""Run history: every run kept in SQLite or PostgreSQL, and what is built from it (report, gate).

The `history` reporter that appends each run lives in `prodsmoke.reporters.history`: reporters
depend on the history, never the other way round.
"""

from __future__ import annotations

from prodsmoke.errors import CorruptHistory, HistoryError
from prodsmoke.history.database import Location
from prodsmoke.history.rows import StoredRun
from prodsmoke.history.store import History, Written
from prodsmoke.history.windows import MaintenanceLog, StoredWindow

__all__ = [
    "CorruptHistory",
    "History",
    "HistoryError",
    "Location",
    "MaintenanceLog",
    "StoredRun",
    "StoredWindow",
    "Written",
]
