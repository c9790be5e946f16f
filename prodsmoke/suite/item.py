"""One pytest test as a journey: an attempt is pytest's set-up, call and teardown of it, once.

The attempt runs in a greenlet on the engine's loop (`e2e.bridge`), sealed, with the test's
function-scoped fixtures made anew (`concurrency.fresh_fixtures`). What pytest reports becomes
the verdict:

    set-up or call failed      fail, classified at the one boundary (`e2e.failures`); a
                               `pytest.fail()` is the test's own verdict (product)
    skipped (marker or skip()) skip, with pytest's reason; not retried
    xfail: failed as expected  pass, with the reason; an unexpected pass of a strict xfail fails
    teardown failed            fail ("teardown: …")

Time up: the attempt's limit raises `AttemptStopped` where the test waits, so pytest still
tears its fixtures down.
"""

from __future__ import annotations

import contextvars
import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest
from _pytest.runner import runtestprotocol

from prodsmoke import redact
from prodsmoke.e2e import _playwright_private, bridge, failures, seal
from prodsmoke.errors import CheckFailure, JourneySkipped
from prodsmoke.results import FailureClass
from prodsmoke.suite import concurrency
from prodsmoke.suite.running import CURRENT, Running

if TYPE_CHECKING:
    import asyncio

    from prodsmoke.e2e.journeys.base import JourneyRun


class Suite(Protocol):
    """What a test needs of the suite that runs it (`prodsmoke.suite.TeamSuite`)."""

    @property
    def gate(self) -> asyncio.Semaphore | None:
        """Held around each attempt when tests must run one at a time."""

    async def release(self, test: Test) -> None:
        """`test` is over for good."""


class AttemptStopped(BaseException):  # a BaseException: a test's `except Exception` must not eat it
    """Raised inside a test whose attempt is out of time (or whose run was interrupted)."""


@dataclass(eq=False)
class Test:
    """A collected test, bound to the suite that runs it (`BoundTest` for the engine)."""

    item: pytest.Function
    suite: Suite

    @property
    def nodeid(self) -> str:
        """pytest's node id."""
        return self.item.nodeid

    @property
    def file(self) -> Path:
        """The test's file."""
        return Path(self.item.path)

    @property
    def line(self) -> int:
        """Its line, 1-based."""
        location = self.item.location
        return (location[1] or 0) + 1

    @property
    def is_async(self) -> bool:
        """An `async def` test."""
        return inspect.iscoroutinefunction(getattr(self.item, "obj", None))

    def where(self) -> str:
        """`file:line`."""
        return f"{self.file}:{self.line}"

    async def attempt(self, j: JourneyRun) -> None:
        """One pass of the test (see the module docstring)."""
        seal.install()
        redact.protect_standard_streams()  # a test that prints a leased password prints a mask
        running = Running(self.item, j, self.is_async)
        with seal.sealed(provider=j.attempt) as violations:
            context = contextvars.copy_context()
        context.run(CURRENT.set, running)
        _playwright_private.without_soft_scope(context)
        gate = self.suite.gate
        if gate is not None:
            async with gate:
                reports = await self._run(context, running)
        else:
            reports = await self._run(context, running)
        if violations:  # refused, even if the test caught the error and went on
            raise violations[0]
        verdict(reports, running)

    async def _run(self, context: contextvars.Context, running: Running) -> list[pytest.TestReport]:
        try:
            bridge.install()
        except bridge.BridgeUnavailable as exc:
            raise CheckFailure(
                f"pytest tests cannot run with this Playwright: {exc}",
                failure_class=FailureClass.INFRASTRUCTURE,
            ) from exc
        return await bridge.call_sync(
            _protocol,
            self.item,
            context=context,
            stop=lambda: AttemptStopped("the attempt's time is up"),
        )

    async def release(self) -> None:
        """The test is over for good: what only it still needed is torn down."""
        await self.suite.release(self)


def _protocol(item: pytest.Item) -> list[pytest.TestReport]:
    done = concurrency.running(item)
    try:
        item._initrequest()  # type: ignore[attr-defined]  # a fresh request per attempt
        concurrency.fresh_fixtures(item)
        return runtestprotocol(item, log=False, nextitem=None)
    finally:
        done()


def verdict(reports: list[pytest.TestReport], running: Running) -> None:
    """Raise the attempt's verdict from pytest's reports (see the module docstring)."""
    j = running.j
    for report in reports:
        if report.when == "call" and report.passed and hasattr(report, "wasxfail"):
            j.note = _xfail_note("unexpectedly passed (xpass)", report.wasxfail)
        if report.skipped:
            if hasattr(report, "wasxfail"):  # failed, as expected
                j.note = _xfail_note("failed as expected (xfail)", report.wasxfail)
                continue
            raise JourneySkipped(_skip_reason(report))
        if report.failed:
            raise _failure(report, running)


def _failure(  # noqa: PLR0911 - one return per row of the module docstring's table
    report: pytest.TestReport, running: Running
) -> CheckFailure:
    raised = running.raised.get(report.when)
    prefix = {"setup": "set-up: ", "teardown": "teardown: "}.get(report.when, "")
    text = str(report.longrepr) if report.longrepr else "failed"
    if text.startswith("[XPASS(strict)]"):
        return CheckFailure(f"unexpectedly passed (strict xfail): {text[15:].strip() or '-'}")
    if raised is None:
        return CheckFailure(prefix + _last_line(text), failure_class=FailureClass.INFRASTRUCTURE)
    if isinstance(raised, AttemptStopped):
        return CheckFailure(f"{prefix}{raised}", failure_class=FailureClass.INFRASTRUCTURE)
    if isinstance(raised, pytest.fail.Exception):
        return CheckFailure(prefix + (raised.msg or "pytest.fail()"))
    if isinstance(raised, CheckFailure):
        return CheckFailure(prefix + raised.message, failure_class=raised.failure_class)
    if not isinstance(raised, Exception):
        return CheckFailure(
            f"{prefix}{type(raised).__name__}: {failures.first_line(raised)}",
            failure_class=FailureClass.INFRASTRUCTURE,
        )
    verdict = failures.verdict(raised, running.j.observer)
    return CheckFailure(prefix + verdict.message, failure_class=verdict.failure_class)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr: Any = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)  # noqa: PLR2004
    reason = str(reason).removeprefix("Skipped: ")
    return f"skipped by the test: {reason}"


def _xfail_note(what: str, reason: str) -> str:
    return f"{what}: {reason}" if reason else what


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    errors = [line.removeprefix("E").strip() for line in lines if line.startswith("E ")]
    return redact.redact((errors[-1] if errors else lines[-1] if lines else "failed")[:500])


class RaisedRecorder:
    """Keeps, per phase, the exception a test's phase raised (pytest keeps only its repr)."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        running = CURRENT.get()
        if running is not None and running.item is item and call.excinfo is not None:
            running.raised[call.when] = call.excinfo.value
        return (yield)
