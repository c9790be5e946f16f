"""Run history: every run kept in SQLite, and what is built from it (report, release gate)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from prodsmoke.history.store import History, HistoryError, StoredRun

if TYPE_CHECKING:
    from prodsmoke.config.monitoring import Monitoring
    from prodsmoke.results import RunResult

__all__ = ["History", "HistoryError", "HistoryReporter", "StoredRun", "open_history"]


def open_history(monitoring: Monitoring, output_dir: Path, override: Path | None = None) -> History:
    """The configured history: `history.path`, relative to the results folder unless absolute."""
    path = override or Path(monitoring.history.path)
    if not path.is_absolute() and override is None:
        path = output_dir / path
    return History(path, monitoring.history.retention_days)


class HistoryReporter:
    """Appends every run to the history (right after results.json)."""

    name = "history"

    def __init__(self, history: History, output_dir: Path) -> None:
        self.history = history
        self.output_dir = output_dir

    def report(self, run: RunResult) -> None:
        """Store the run; prune what is past the retention."""
        self.history.append(run, self.output_dir)
