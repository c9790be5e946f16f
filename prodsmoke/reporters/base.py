"""The reporter contract, and publishing a run to several reporters without one hiding another."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from prodsmoke import redact

if TYPE_CHECKING:
    from collections.abc import Iterable

    from prodsmoke.results import RunResult


class Reporter(Protocol):
    """Somewhere a run's result goes. `report` may raise; `publish` contains it."""

    name: str

    def report(self, run: RunResult) -> None:
        """Deliver `run`."""


def publish(run: RunResult, reporters: Iterable[Reporter], *, kind: str = "reporter") -> list[str]:
    """Call every reporter in turn; return one redacted line per reporter that failed, named
    `<kind> <name>` (the notifiers are published the same way, as `notifier <name>`)."""
    errors: list[str] = []
    for reporter in reporters:
        try:
            reporter.report(run)
        except Exception as exc:  # noqa: BLE001 - a failing backend must not hide the others
            errors.append(redact.redact(f"{kind} {reporter.name}: {type(exc).__name__}: {exc}"))
    return errors
