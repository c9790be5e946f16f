"""The pytest frame: one item per planned check, collected from the environment's YAML file.

Items do not run their check themselves: the engine runs all checks concurrently on its own event
loop thread, and each item waits for its check's verdict. So pytest keeps what it is good at
(collection, selection, hooks, `--junitxml`, plugins), the run costs about one browser launch plus
the slowest journey rather than their sum, and nothing pytest does on its thread can stall the
loop that is timing responses.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from prodsmoke import redact
from prodsmoke.errors import CheckFailure
from prodsmoke.results import CheckResult, FailureClass, Status

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from _pytest._code.code import ExceptionInfo, TerminalRepr

    from prodsmoke.e2e.engine import Engine
    from prodsmoke.e2e.plan import PlannedCheck

SUITE = pytest.StashKey["SuiteRun"]()


@dataclass
class SuiteRun:
    """The engine, the loop (on another thread) it runs on, and the file its checks come from."""

    engine: Engine
    loop: asyncio.AbstractEventLoop
    env_file: Path
    on_result: Callable[[CheckResult], None] | None = None

    def wait(self, check_id: str) -> CheckResult:
        """Block until `check_id` has its verdict."""

        async def verdict() -> CheckResult:
            return await self.engine.result_of(check_id)

        return asyncio.run_coroutine_threadsafe(verdict(), self.loop).result()


class SmokePlugin:
    """Registers the suite with pytest and turns verdicts into pytest outcomes."""

    def __init__(self, suite: SuiteRun) -> None:
        self.suite = suite

    @pytest.hookimpl
    def pytest_configure(self, config: pytest.Config) -> None:
        if SUITE in config.stash:
            return
        config.stash[SUITE] = self.suite
        for kind in ("health", "api", "journey"):
            config.addinivalue_line("markers", f"{kind}: a prodsmoke {kind} check")

    @pytest.hookimpl
    def pytest_collect_file(
        self, file_path: Path, parent: pytest.Collector
    ) -> pytest.Collector | None:
        if file_path.resolve() == self.suite.env_file.resolve():
            return EnvironmentFile.from_parent(parent, path=file_path)
        return None

    @pytest.hookimpl
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self._items: dict[str, CheckItem] = {i.nodeid: i for i in items if isinstance(i, CheckItem)}

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        item = self._items.get(report.nodeid)
        result = item.result if item is not None and report.when == "call" else None
        if result is not None and self.suite.on_result is not None:
            self.suite.on_result(result)


class EnvironmentFile(pytest.File):
    """`environments/<env>.yaml`, whose checks are the items."""

    def collect(self) -> Iterator[pytest.Item]:
        suite = self.config.stash[SUITE]
        for check in suite.engine.checks:
            item = CheckItem.from_parent(self, name=check.id, check=check)
            item.add_marker(str(check.kind))
            yield item


class CheckItem(pytest.Item):
    """One check; its outcome is the engine's verdict."""

    def __init__(self, *, check: PlannedCheck, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.result: CheckResult | None = None

    def runtest(self) -> None:
        """Wait for the verdict; fail or skip the item to match it."""
        self.result = result = self.config.stash[SUITE].wait(self.check.id)
        self.user_properties += [(f"metric.{k}", v) for k, v in result.metrics.items()]
        self.user_properties += [("status", str(result.status)), ("attempts", result.attempts)]
        if result.status is Status.FAIL:
            failure_class = result.failure_class or FailureClass.PRODUCT
            raise CheckFailure(result.error or "failed", failure_class=failure_class)
        if result.status is Status.SKIP:
            pytest.skip(result.error or "skipped")

    def repr_failure(
        self, excinfo: ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        """The verdict's one-line, redacted message — never a traceback into our code."""
        if isinstance(excinfo.value, CheckFailure):
            failure = excinfo.value
            return redact.redact(f"[{failure.failure_class}] {failure.message}")
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the check is defined, for pytest's reports (a Python journey: its function)."""
        source = self.check.source
        if source is not None:
            return source.file, source.line - 1, f"journey {self.check.id}"
        return self.path, None, f"{self.check.kind} check {self.check.id}"
