"""python: one pass of a team's pytest test through pytest's set-up, call and teardown.

Its settings, and the test the plan binds to them, are `prodsmoke.config.kinds.python`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from prodsmoke.e2e import second_factor
from prodsmoke.errors import CheckFailure
from prodsmoke.results import FailureClass

if TYPE_CHECKING:
    from prodsmoke.config.kinds.python import PythonJourney
    from prodsmoke.e2e.journeys.base import JourneyRun


async def run(j: JourneyRun, spec: PythonJourney) -> None:
    """One pass of the test through pytest; then its `max_ms`, if it has one."""
    test = spec.bound
    if test is None:
        raise CheckFailure(
            "no pytest test is bound to this journey", failure_class=FailureClass.INFRASTRUCTURE
        )
    started = time.perf_counter()
    with second_factor.attempt_typing_codes():  # account.totp() then a failure: not retried
        await test.attempt(j)
    j.within("the journey", (time.perf_counter() - started) * 1000, spec.max_ms)
