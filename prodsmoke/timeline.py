"""Where a run's wall time goes, for people tuning it: `PRODSMOKE_TIMELINE=1 smoke run …`.

Each `mark()` prints one line to stderr, seconds since the `prodsmoke` package was imported
(about the process's start). Without the variable, `mark()` does nothing.
"""

from __future__ import annotations

import os
import sys
import time

_STARTED = time.perf_counter()
ENABLED = bool(os.environ.get("PRODSMOKE_TIMELINE"))


def mark(event: str) -> None:
    """Note that `event` happened now (only when PRODSMOKE_TIMELINE is set)."""
    if ENABLED:
        sys.stderr.write(f"timeline {time.perf_counter() - _STARTED:7.3f} s  {event}\n")
