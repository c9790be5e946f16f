"""Which test a greenlet is running, for the fixtures and hooks that run inside it."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

    from prodsmoke.e2e.journey_attempt import JourneyAttempt
    from prodsmoke.e2e.journeys.base import JourneyRun


@dataclass
class Running:
    """One attempt of one test: its journey, its flavour, what its phases raised."""

    item: pytest.Item
    j: JourneyRun
    is_async: bool
    raised: dict[str, BaseException] = field(default_factory=dict)  # by phase: setup, call…

    @property
    def attempt(self) -> JourneyAttempt:
        """The attempt's contexts and guard."""
        return self.j.attempt


CURRENT: contextvars.ContextVar[Running | None] = contextvars.ContextVar(
    "prodsmoke_running_test", default=None
)


class NotInARun(RuntimeError):
    """A prodsmoke fixture was used outside a prodsmoke run."""


def current(what: str = "this fixture") -> Running:
    """The test this code runs for; a clear error outside a run."""
    running = CURRENT.get()
    if running is None:
        raise NotInARun(
            f"{what} is prodsmoke's: run the tests with `smoke run` or `pytest --smoke-env NAME`"
        )
    return running


def flavoured(async_obj: Any) -> Any:
    """`async_obj` as the running test expects it: itself for an async test, else sync."""
    from prodsmoke.e2e import bridge

    return async_obj if current().is_async else bridge.sync_wrapper(async_obj)
