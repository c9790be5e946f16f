"""python: a team's `test_<id>` function, sync or async, run as a journey (SPEC §11a).

The function gets `page` (a page in the journey's guarded context, `base_url` set; sync or
async API to match the function) and `smoke` (`handle.Smoke`). It runs sealed (`e2e.seal`):
anything that would get round the guard fails the check as `infrastructure`, even if the
function catches the error. `max_ms` in the environment file bounds how long it may take.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, PrivateAttr, model_validator

from prodsmoke import redact
from prodsmoke.config.journeys import JourneySpec
from prodsmoke.e2e import bridge, seal
from prodsmoke.e2e.journeys.handle import Smoke
from prodsmoke.e2e.journeys.registry import register
from prodsmoke.e2e.journeys.sources import JourneySource
from prodsmoke.errors import CheckFailure
from prodsmoke.results import FailureClass

if TYPE_CHECKING:
    from prodsmoke.e2e.journeys.base import JourneyRun


class PythonJourney(JourneySpec):
    """Settings of a Python journey found in `journey_paths` (the function is the journey)."""

    kind: Literal["python"] = "python"
    max_ms: int | None = Field(
        None, gt=0, description="milliseconds the journey may take at most, a whole number > 0"
    )
    _source: JourneySource | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _fits(self) -> PythonJourney:
        self._attempt_fits(self.max_ms)
        return self

    @property
    def source(self) -> JourneySource | None:
        """The function, once the plan has found it."""
        return self._source

    def found(self, source: JourneySource) -> PythonJourney:
        """A copy bound to the function that is this journey."""
        bound = self.model_copy()
        bound._source = source
        return bound

    def summary(self) -> str:
        """E.g. 'e2e/test_pricing.py:7 (sync) · within 5000 ms'."""
        where = self._source.where() if self._source else "not found"
        flavour = "async" if self._source and self._source.is_async else "sync"
        limit = f" · within {self.max_ms} ms" if self.max_ms else ""
        return f"{where} ({flavour}){limit}"


@register(PythonJourney)
async def run(j: JourneyRun, spec: PythonJourney) -> None:
    """Call the journey's function with the fixtures it asks for, sealed; time it."""
    source = spec.source
    if source is None:
        raise CheckFailure(
            "no Python function is bound to this journey", failure_class=FailureClass.INFRASTRUCTURE
        )
    seal.install()
    redact.protect_standard_streams()  # a journey that prints a leased password prints a mask
    fixtures: dict[str, Any] = {"smoke": Smoke(j)}
    if source.is_async:
        fixtures["page"] = j.page
    else:
        try:
            fixtures["page"] = bridge.sync_wrapper(j.page)
        except bridge.BridgeUnavailable as exc:
            raise CheckFailure(
                f"sync journeys cannot run with this Playwright: {exc}",
                failure_class=FailureClass.INFRASTRUCTURE,
            ) from exc
    arguments = {name: fixtures[name] for name in source.fixtures}
    with seal.sealed() as violations:
        context = contextvars.copy_context()
    started = time.perf_counter()
    try:
        if source.is_async:
            await asyncio.get_running_loop().create_task(
                source.function(**arguments),  # type: ignore[arg-type]
                context=context,
            )
        else:
            await bridge.call_sync(lambda: source.function(**arguments), context=context)
    except Exception:
        if violations:  # the refusal is the reason, whatever the journey did with it
            raise violations[0] from None
        raise
    if violations:  # refused, even though the journey caught the error and went on
        raise violations[0]
    j.within("the journey", (time.perf_counter() - started) * 1000, spec.max_ms)
