"""python: a team's pytest test, run by pytest's own machinery as a journey (SPEC §11a).

The test is found by pytest's collection of the files `journey_paths` names (`prodsmoke.suite`),
with its conftests, fixtures, parametrization and markers; each collected test is one journey,
its id from the node id (`prodsmoke.suite.ids`). This kind's settings are what the environment
file may say about it (`journeys: {pricing_plans: {max_ms: 5000}}`); the run binds each one to
its test (`bound`), and one attempt is one pass of pytest's set-up, call and teardown of it,
sealed (`e2e.seal`): every context it makes is guarded, and what would get round the guard fails
the check as `infrastructure`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from pydantic import Field, PrivateAttr, model_validator

from prodsmoke.config.journeys import JourneySpec

if TYPE_CHECKING:
    from pathlib import Path


class BoundTest(Protocol):
    """One collected test, as the engine sees it (`prodsmoke.suite` makes these)."""

    @property
    def file(self) -> Path:
        """The test's file."""

    @property
    def line(self) -> int:
        """Its line (1-based)."""

    @property
    def nodeid(self) -> str:
        """pytest's node id, e.g. tests/test_todo.py::test_add[one]."""

    @property
    def is_async(self) -> bool:
        """An `async def` test."""

    async def attempt(self, j: Any) -> None:  # the runtime's JourneyRun: config cannot name it
        """Run set-up, call and teardown once for the attempt `j`; raise to fail (or
        `JourneySkipped`)."""

    async def release(self) -> None:
        """No more attempts: tear down what only this test still needed."""

    def where(self) -> str:
        """`file:line`."""


class PythonJourney(JourneySpec):
    """Settings of a pytest test found in `journey_paths` (the test is the journey)."""

    opens_page: ClassVar[bool] = False  # its fixtures open what it needs
    action_lead_s: ClassVar[float] = 1.5  # pytest formats a failure before its report: 0.3-1 s
    kind: Literal["python"] = "python"
    max_ms: int | None = Field(
        None, gt=0, description="milliseconds the journey may take at most, a whole number > 0"
    )
    # Issue 21: the account the test runs as. With a `session:`, every context its fixtures make
    # starts signed in; with a passkey, it is installed in them. `smoke.account(name)` still
    # gives the credentials.
    account: str | None = Field(None, min_length=1, description="a key under accounts:, e.g. mfa")
    _bound: BoundTest | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _fits(self) -> PythonJourney:
        self._attempt_fits(self.max_ms)
        return self

    @property
    def bound(self) -> BoundTest | None:
        """The test, once the plan has found it."""
        return self._bound

    def found(self, test: BoundTest) -> PythonJourney:
        """A copy bound to the test that is this journey."""
        bound = self.model_copy()
        bound._bound = test
        return bound

    async def after_check(self) -> None:
        """The check is over (every attempt, or none): its test lets go of its fixtures."""
        if self._bound is not None:
            await self._bound.release()

    def summary(self) -> str:
        """E.g. 'e2e/test_pricing.py:7 (sync) · within 5000 ms'."""
        where = self._bound.where() if self._bound else "not found"
        flavour = "async" if self._bound and self._bound.is_async else "sync"
        limit = f" · within {self.max_ms} ms" if self.max_ms else ""
        who = f" · as {self.account}" if self.account else ""
        return f"{where} ({flavour}){who}{limit}"
