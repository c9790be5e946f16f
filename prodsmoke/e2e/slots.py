"""How many browser journeys are in flight at once: a fixed number, or one that widens while the
machine waits.

A journey against a site across a real network spends most of its time waiting for answers: on a
2-core runner three in flight leave the CPUs idle, and eight finish a suite of 40 journeys in three
quarters of the time. Against a target that answers at once the CPUs are the limit, more in flight
only cost memory (bench/RESULTS.md, issue 24). So `journeys_at_once: auto`, the default, starts at
`FLOOR` and, while a journey waits for a slot, opens one more whenever the machine's CPUs were at
most `WIDEN_BELOW` busy over the last `WINDOW_S`, up to `CEILING`; a slot given back while they are
`NARROW_FROM` busy or more is closed again (never below `FLOOR`). One change a window at most, so
each is judged by the CPUs it left; none while `hold()` says the journeys in flight are held by the
run itself (followers waiting for the leaders' timing: idle CPUs that say nothing of the site). The
CPUs are read from /proc/stat; where there is none, it stays at `FLOOR`. A number in the config is
used as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path

FLOOR = 3
CEILING = 7  # 30 remote-like journeys: up to 8 peaked at 594-605 MB (PSS); up to 7, 582-590
WINDOW_S = 0.5
WIDEN_BELOW = 0.85  # remote-like target, 3 in flight: 55-90% busy; loopback: 95-98%
NARROW_FROM = 0.93
_STAT = Path("/proc/stat")


class CpuMeter:
    """How busy the machine's CPUs were since the last reading at least `WINDOW_S` ago."""

    def __init__(
        self, read: Callable[[], tuple[int, int] | None] | None = None, window_s: float = WINDOW_S
    ) -> None:
        self._read = read or _proc_stat
        self._window_s = window_s
        self._mark = self._read()
        self._at = time.monotonic()
        self._busy: float | None = None

    def busy(self) -> float | None:
        """The share of CPU time not idle (0-1) over the last window; None until one has passed
        (or where the machine does not say)."""
        now = time.monotonic()
        if self._mark is None or now - self._at < self._window_s:
            return self._busy
        reading = self._read()
        if reading is None:
            return None
        total, idle = reading[0] - self._mark[0], reading[1] - self._mark[1]
        if total > 0:
            self._busy = 1 - idle / total
        self._mark, self._at = reading, now
        return self._busy


def _proc_stat() -> tuple[int, int] | None:
    """(all, idle) CPU ticks since boot, from /proc/stat's first line; None without it."""
    try:
        fields = [int(x) for x in _STAT.read_text().split("\n", 1)[0].split()[1:8]]
    except (OSError, ValueError):
        return None
    return sum(fields), fields[3] + fields[4]  # idle + iowait


class Slots:
    """`async with slots:` holds one of the browser slots for the journey inside."""

    def __init__(
        self,
        fixed: int | None,
        meter: CpuMeter | None = None,
        window_s: float = WINDOW_S,
        hold: Callable[[], bool] = lambda: False,
    ) -> None:
        self.limit = fixed or FLOOR
        self._hold = hold
        self._window_s = window_s
        # Only `auto` has a meter: a fixed number never changes.
        self._meter = (meter or CpuMeter(window_s=window_s)) if fixed is None else None
        self._in_use = 0
        self._changed = asyncio.Condition()
        self._last_change = float("-inf")

    @classmethod
    def configured(cls, at_once: int | str, hold: Callable[[], bool]) -> Slots:
        """The slots `journeys_at_once` asks for: a number as it is, `auto` widening."""
        return cls(at_once if isinstance(at_once, int) else None, hold=hold)

    async def __aenter__(self) -> None:
        recheck_s = self._window_s if self._meter is not None else None  # a fixed cap just waits
        async with self._changed:
            while self._in_use >= self.limit and not self._widened():
                with contextlib.suppress(TimeoutError):  # then look at the CPUs again
                    await asyncio.wait_for(self._changed.wait(), recheck_s)
            self._in_use += 1

    async def __aexit__(self, *exc: object) -> None:
        async with self._changed:
            self._in_use -= 1
            if self._meter is not None and self.limit > FLOOR and self._may_change():
                busy = self._meter.busy()
                if busy is not None and busy >= NARROW_FROM:
                    self.limit -= 1
                    self._last_change = time.monotonic()
            self._changed.notify()

    def _may_change(self) -> bool:
        return time.monotonic() - self._last_change >= self._window_s

    def _widened(self) -> bool:
        if self._meter is None or self.limit >= CEILING or not self._may_change() or self._hold():
            return False
        busy = self._meter.busy()
        if busy is None or busy > WIDEN_BELOW:
            return False
        self.limit += 1
        self._last_change = time.monotonic()
        return True
