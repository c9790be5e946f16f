"""Named, timed steps inside a journey: what `smoke.step(name)` and the built-ins record.

A step is a block: it passes when the block ends normally and fails when an error leaves it,
and the first step that failed names the journey's failure ("step 'log in': …"). Steps nest;
a nested step's name is its path ("log in > submit"). Time outside every step is not a step.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from prodsmoke import redact
from prodsmoke.results import Status, StepResult

MAX_STEPS = 100  # a journey that loops over steps must not grow results.json without end


@dataclass
class StepRecorder:
    """The steps of one attempt, in the order they ended."""

    results: list[StepResult] = field(default_factory=list)
    failed: str | None = None  # the first step an error left
    _open: list[str] = field(default_factory=list)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block as step `name`; an error leaving it fails the step (and is re-raised)."""
        name = " ".join(str(name).split()) or "step"
        path = " > ".join([*self._open, name])
        self._open.append(name)
        started = time.perf_counter()
        try:
            yield
        except BaseException as exc:
            self.failed = self.failed or path
            self._record(path, started, Status.FAIL, _first_line(exc))
            raise
        else:
            self._record(path, started, Status.PASS, None)
        finally:
            self._open.pop()

    @property
    def current(self) -> str | None:
        """The innermost open step's path, or None outside every step."""
        return " > ".join(self._open) if self._open else None

    def blame(self, message: str) -> str:
        """`message`, prefixed with the step that failed (or is open), when there is one."""
        where = self.failed or self.current
        return f"step {where!r}: {message}" if where else message

    def _record(self, path: str, started: float, status: Status, error: str | None) -> None:
        if len(self.results) < MAX_STEPS:
            elapsed = round((time.perf_counter() - started) * 1000)
            self.results.append(StepResult(path, elapsed, status, error))


def _first_line(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return redact.redact(text)[:300]
