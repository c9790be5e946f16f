"""Drive the suite with plain pytest and pytest-playwright's own flags.

    pytest -p prodsmoke.pytest_plugin e2e/ --smoke-env demo --headed --slowmo 200 --tracing on
    pytest -p prodsmoke.pytest_plugin config/environments/demo.yaml -k homepage

With this plugin active, every test function pytest collects is a prodsmoke journey: it becomes a
check the engine runs like the built-ins (a guarded context, the rate budget, retries, the
deadline, artifacts, steps) and its verdict is the test's outcome and lands in results.json. No
test gets an unguarded context from pytest-playwright: its fixtures are never set up. An
environment file among the test paths brings its own checks too; pytest-playwright's option
group picks headed/headless, slow motion, tracing and the browser channel. The run is reported
like any other (`runner.report`): results.json and artifacts in `--smoke-results` (default
`smoke-results/`), the console, and every reporter `config/monitoring-integration.yaml` names
(the run history among them; a pytest run is a run by hand, `adhoc`). `smoke run` does not go
through this module: it starts the engine before pytest is even imported.
"""

from __future__ import annotations

import inspect
import signal
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from prodsmoke import interrupt, runner
from prodsmoke.e2e.engine import Engine
from prodsmoke.e2e.environment import load as load_settings
from prodsmoke.e2e.journeys.python import PythonJourney
from prodsmoke.e2e.journeys.sources import from_function
from prodsmoke.e2e.loop import LoopThread
from prodsmoke.e2e.plan import PlannedCheck, all_checks
from prodsmoke.e2e.plugin import CheckItem, SmokePlugin, SuiteRun
from prodsmoke.errors import SmokeError
from prodsmoke.options import RunOptions, TraceMode
from prodsmoke.results import CheckKind

if TYPE_CHECKING:
    from prodsmoke.config.models import Settings
    from prodsmoke.results import RunResult


def pytest_addoption(parser: pytest.Parser) -> None:
    """The prodsmoke option group (browser options are pytest-playwright's)."""
    group = parser.getgroup(
        "prodsmoke",
        "prodsmoke: every test is a journey; pass --smoke-env or config/environments/<env>.yaml",
    )
    group.addoption(
        "--smoke-env", metavar="NAME", help="environment: CONFIG/environments/NAME.yaml"
    )
    group.addoption(
        "--smoke-config", default="config", metavar="DIR", help="config root (default: config)"
    )
    group.addoption(
        "--smoke-results", default="smoke-results", metavar="DIR", help="results folder"
    )
    group.addoption("--smoke-region", default="local", metavar="R", help="region label for results")


def pytest_configure(config: pytest.Config) -> None:
    """Set the suite up for the environment named by a test path or by --smoke-env."""
    files = [Path(a) for a in config.args if _is_environment_file(Path(a))]
    if len(files) > 1:
        raise pytest.UsageError("prodsmoke: pass one config/environments/<env>.yaml at a time")
    env = config.getoption("smoke_env")
    if files:
        config_dir, env_name, env_file = files[0].parent.parent, files[0].stem, files[0]
    elif env:
        config_dir = Path(config.getoption("smoke_config"))
        env_name, env_file = env, config_dir / "environments" / f"{env}.yaml"
    else:
        raise pytest.UsageError(
            "prodsmoke: name the environment the journeys run against: --smoke-env NAME "
            "(CONFIG/environments/NAME.yaml, --smoke-config CONFIG) or pass that file"
        )
    try:
        settings = load_settings(config_dir, env_name)
    except SmokeError as exc:
        raise pytest.UsageError(f"prodsmoke: {exc}") from exc
    checks = all_checks(settings) if files else []  # what the environment file brings
    request = runner.Request(
        config_dir=config_dir,
        env_file=env_file,
        settings=settings,
        checks=checks,
        options=_options(config, settings),
        adhoc=True,  # SPEC §12: started by hand, counted in no pass rate or gate
    )
    standalone = Standalone(request)
    config.pluginmanager.register(standalone.frame, "prodsmoke-frame")
    config.pluginmanager.register(standalone, "prodsmoke-standalone")


def _options(config: pytest.Config, settings: Settings) -> RunOptions:
    tracing = str(config.getoption("tracing", None) or TraceMode.RETAIN_ON_FAILURE)
    return RunOptions(
        region=config.getoption("smoke_region"),
        output_dir=Path(config.getoption("smoke_results")),
        headed=bool(config.getoption("headed", False)),
        slow_mo_ms=float(config.getoption("slowmo", 0) or 0),
        trace=TraceMode(tracing) if tracing in set(TraceMode) else TraceMode.RETAIN_ON_FAILURE,
        channel=config.getoption("browser_channel", None),
        repro=f"smoke repro --env {settings.name} {{check}}",
    )


def _is_environment_file(path: Path) -> bool:
    return (
        path.suffix in (".yaml", ".yml") and path.parent.name == "environments" and path.is_file()
    )


class JourneyItem(CheckItem):
    """A test function collected by pytest, run by the engine as a Python journey."""


class Standalone:
    """Turns test functions into journeys; starts the engine on the selected items; reports."""

    def __init__(self, request: runner.Request) -> None:
        self.request = request
        self.settings = request.settings
        self.engine = Engine(request.settings, request.options, list(request.checks))
        self.thread: LoopThread | None = None
        self.main: Future[RunResult] | None = None
        self.reporting: runner.Reporting | None = None
        # the loop is the engine's thread's, made when the items are known
        self.suite = SuiteRun(self.engine, loop=None, env_file=request.env_file)  # type: ignore[arg-type]
        self.frame = SmokePlugin(self.suite)

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makeitem(
        self, collector: pytest.Module | pytest.Class, name: str, obj: object
    ) -> pytest.Item | None:
        """Every test function is a journey; a test class is refused (journeys are functions)."""
        if not name.startswith("test"):
            return None
        if inspect.isclass(obj) or isinstance(collector, pytest.Class):
            raise collector.CollectError(
                f"{name}: with prodsmoke's plugin every test is a journey, a module-level "
                "function test_<id>(page, smoke); test classes are not supported"
            )
        if not inspect.isfunction(obj):
            return None
        try:
            source = from_function(obj, collector.path)
        except SmokeError as exc:
            raise collector.CollectError(str(exc)) from None
        configured = self.settings.journeys.get(source.id)
        spec = configured if isinstance(configured, PythonJourney) else PythonJourney()
        check = PlannedCheck(source.id, CheckKind.JOURNEY, spec.found(source))
        item = JourneyItem.from_parent(collector, name=name, check=check)
        item.add_marker("journey")
        return item

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """A journey collected from its file wins over the same journey from the env file."""
        collected = {i.check.id for i in items if isinstance(i, JourneyItem)}
        items[:] = [
            i
            for i in items
            if isinstance(i, JourneyItem)
            or not (isinstance(i, CheckItem) and i.check.id in collected)
        ]

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if session.config.option.collectonly:
            return
        self.engine.checks = [i.check for i in session.items if isinstance(i, CheckItem)]
        runner.open_run(self.request)  # as for `smoke run`: writable, its folder, old ones pruned
        self.thread = LoopThread()
        self.suite.loop = self.thread.loop
        self.main = self.thread.submit(self.engine.run())
        self.reporting = runner.reporting(self.request)  # while the engine works

    @pytest.hookimpl
    def pytest_keyboard_interrupt(self) -> None:
        """Ctrl-C: the checks in flight stop at once and the unfinished ones are `skip`
        ("interrupted by SIGINT"); the run is still reported below, then pytest exits 2."""
        if self.thread is not None and self.main is not None and not self.main.done():
            reason = interrupt.reason(signal.SIGINT)
            self.thread.loop.call_soon_threadsafe(self.engine.interrupt, reason)

    @pytest.hookimpl
    def pytest_terminal_summary(self) -> None:
        if self.main is None or self.thread is None:
            return
        try:
            result = self.main.result()
        finally:
            self.thread.close()
        if self.reporting is not None:
            runner.report(result, self.reporting, self.request.options)
