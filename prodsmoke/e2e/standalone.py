"""Drive the suite with plain pytest and pytest-playwright's own flags.

    pytest -p prodsmoke.e2e.standalone config/environments/demo.yaml --headed --tracing on

The environment file is the test file: each check is an item (`-k homepage` selects one), and
pytest-playwright's option group chooses headed/headless, slow motion and tracing. results.json
and artifacts go to `--smoke-results` (default `smoke-results/`). `smoke run` does not go through
this module: it starts the engine before pytest is even imported.
"""

from __future__ import annotations

import sys
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from prodsmoke.e2e.engine import Engine, RunOptions
from prodsmoke.e2e.environment import load as load_settings
from prodsmoke.e2e.loop import LoopThread
from prodsmoke.e2e.plan import all_checks
from prodsmoke.e2e.plugin import CheckItem, SmokePlugin, SuiteRun
from prodsmoke.errors import SmokeError
from prodsmoke.reporters.base import publish
from prodsmoke.reporters.console import ConsoleReporter
from prodsmoke.reporters.json_file import JsonFileReporter

if TYPE_CHECKING:
    from prodsmoke.results import RunResult


def pytest_addoption(parser: pytest.Parser) -> None:
    """The prodsmoke option group (browser options are pytest-playwright's)."""
    group = parser.getgroup(
        "prodsmoke", "prodsmoke: pass config/environments/<env>.yaml as the test path"
    )
    group.addoption(
        "--smoke-results", default="smoke-results", metavar="DIR", help="results folder"
    )
    group.addoption("--smoke-region", default="local", metavar="R", help="region label for results")


def pytest_configure(config: pytest.Config) -> None:
    """Set the suite up when an environment file is among the test paths."""
    files = [Path(a) for a in config.args if _is_environment_file(Path(a))]
    if not files:
        return
    if len(files) > 1:
        raise pytest.UsageError("prodsmoke: pass one config/environments/<env>.yaml at a time")
    file = files[0]
    try:
        settings = load_settings(file.parent.parent, file.stem)
    except SmokeError as exc:
        raise pytest.UsageError(f"prodsmoke: {exc}") from exc
    options = RunOptions(
        region=config.getoption("smoke_region"),
        output_dir=Path(config.getoption("smoke_results")),
        headed=bool(config.getoption("headed", False)),
        slow_mo_ms=float(config.getoption("slowmo", 0) or 0),
        trace=str(config.getoption("tracing", None) or "retain-on-failure"),
    )
    engine = Engine(settings, options, all_checks(settings))
    standalone = Standalone(engine, file)
    config.pluginmanager.register(standalone.frame, "prodsmoke-frame")
    config.pluginmanager.register(standalone, "prodsmoke-standalone")
    config.pluginmanager.getplugin("prodsmoke-frame").pytest_configure(config)


def _is_environment_file(path: Path) -> bool:
    return (
        path.suffix in (".yaml", ".yml") and path.parent.name == "environments" and path.is_file()
    )


class Standalone:
    """Starts the engine once pytest knows which checks were selected; reports at the end."""

    def __init__(self, engine: Engine, env_file: Path) -> None:
        self.engine = engine
        self.thread: LoopThread | None = None
        self.main: Future[RunResult] | None = None
        self.suite = SuiteRun(engine, loop=None, env_file=env_file)  # type: ignore[arg-type]
        self.frame = SmokePlugin(self.suite)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if session.config.option.collectonly:
            return
        self.engine.checks = [i.check for i in session.items if isinstance(i, CheckItem)]
        self.thread = LoopThread()
        self.suite.loop = self.thread.loop
        self.main = self.thread.submit(self.engine.run())

    @pytest.hookimpl
    def pytest_terminal_summary(self) -> None:
        if self.main is None or self.thread is None:
            return
        try:
            result = self.main.result()
        finally:
            self.thread.close()
        output = self.engine.options.output_dir
        console = ConsoleReporter(stream=sys.stdout, output_dir=output)
        for error in publish(result, [JsonFileReporter(output / "results.json"), console]):
            console.error(error)
