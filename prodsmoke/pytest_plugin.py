"""prodsmoke's pytest plugin: installed with prodsmoke, inert until a run asks for it.

Without `--smoke-env` (plain pytest, pytest-playwright's fixtures as usual): only a `smoke`
fixture, so a journey file stays a pytest file — `smoke.step(...)` times and prints its steps,
`smoke.metric(...)` prints its measurements, `smoke.account(...)` says it needs a run.

With `--smoke-env NAME` (or an environment file among the test paths), every test collected is a
prodsmoke journey, run by pytest's own machinery under the guard:

    pytest e2e/ --smoke-env production [--smoke-config DIR] [--smoke-results DIR]
    pytest config/environments/demo.yaml e2e/ -k pricing --headed --slowmo 300 --tracing on

pytest-playwright's fixture layers hand out guarded objects only (`prodsmoke.suite.fixtures`),
tests run at once on prodsmoke's engine with retries, the rate budget and the deadline, and the
run is reported like `smoke run`'s (`prodsmoke.runner`): results.json, junit.xml and artifacts in
`--smoke-results` (default `smoke-results/`), the console, every reporter of
`config/monitoring-integration.yaml` (a run by hand: `adhoc`). An environment file among the
paths brings its own checks (health, API, YAML journeys) as items too. pytest's terminal shows
each check's verdict once it is final; failed attempts keep trace.zip and network.har (pytest-
playwright's `--tracing on|off` overrides that).
"""

from __future__ import annotations

import asyncio
import signal
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from prodsmoke.config.models import Settings
    from prodsmoke.options import RunOptions
    from prodsmoke.results import CheckResult
    from prodsmoke.runner import Outcome

RUN = pytest.StashKey["SmokeRun"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The prodsmoke option group (browser options are pytest-playwright's)."""
    group = parser.getgroup(
        "prodsmoke", "prodsmoke: with --smoke-env every test is a guarded journey"
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


def _environment_files(args: list[str]) -> list[Path]:
    return [Path(a) for a in args if _is_environment_file(Path(a))]


def _is_environment_file(path: Path) -> bool:
    return (
        path.suffix in (".yaml", ".yml") and path.parent.name == "environments" and path.is_file()
    )


def _wanted(config: pytest.Config) -> bool:
    namespace = getattr(config, "known_args_namespace", config.option)
    return bool(getattr(namespace, "smoke_env", None)) or bool(
        _environment_files([str(a) for a in config.invocation_params.args])
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> Iterator[None]:
    """In a prodsmoke run, the guarded fixture layer goes in now: after pytest-playwright's
    fixtures (which it replaces), before any conftest (which may still override it); the
    environment's `base_url` once the conftests are in."""
    wanted = _wanted(early_config)
    if wanted:
        from prodsmoke.suite import fixture_plugins

        for plugin in fixture_plugins():
            early_config.pluginmanager.register(plugin)
    yield
    if wanted:
        from prodsmoke.suite import registered_last

        for plugin in registered_last():
            early_config.pluginmanager.register(plugin)


def pytest_configure(config: pytest.Config) -> None:
    """In a prodsmoke run: load the environment (a mistake is a usage error, one line)."""
    if not _wanted(config):
        return
    from prodsmoke.errors import SmokeError

    files = _environment_files([str(a) for a in config.args])
    if len(files) > 1:
        raise pytest.UsageError("prodsmoke: pass one config/environments/<env>.yaml at a time")
    if files:
        config_dir, env = files[0].parent.parent, files[0].stem
    else:
        config_dir, env = Path(config.getoption("smoke_config")), config.getoption("smoke_env")
    if config.pluginmanager.has_plugin("asyncio"):  # async tests run on prodsmoke's own loop
        config.pluginmanager.unregister(name="asyncio")
    _no_capture(config)
    from prodsmoke.config import load_settings

    try:
        settings = load_settings(config_dir, env)
    except SmokeError as exc:
        raise pytest.UsageError(f"prodsmoke: {exc}") from exc
    run = SmokeRun(config_dir, settings, _options(config, settings), bool(files))
    config.stash[RUN] = run
    config.pluginmanager.register(run, "prodsmoke-run")


def _no_capture(config: pytest.Config) -> None:
    """As with -s: tests run at once, so no output is one test's to capture, and the console's
    progress lines (printed from the engine's thread) must reach the terminal, not a report."""
    from _pytest.capture import _get_multicapture

    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is None or capture._method == "no":
        return
    capture.stop_global_capturing()
    capture._method = "no"
    capture._global_capturing = _get_multicapture("no")
    capture._global_capturing.start_capturing()


def _options(config: pytest.Config, settings: Settings) -> RunOptions:
    from prodsmoke.options import RunOptions, TraceMode

    asked = any(str(a).startswith("--tracing") for a in config.invocation_params.args)
    tracing = str(config.getoption("tracing", None) or "") if asked else ""
    return RunOptions(
        region=config.getoption("smoke_region"),
        output_dir=Path(config.getoption("smoke_results")),
        headed=bool(config.getoption("headed", False)),
        slow_mo_ms=float(config.getoption("slowmo", 0) or 0),
        trace=TraceMode(tracing) if tracing in set(TraceMode) else TraceMode.RETAIN_ON_FAILURE,
        channel=config.getoption("browser_channel", None),
        repro=f"smoke repro --env {settings.name} {{check}}",
    )


class CheckItem(pytest.Item):
    """A check of the environment file (health, API, YAML journey): run by the engine."""

    def __init__(self, *, check_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check_id = check_id

    def runtest(self) -> None:  # pragma: no cover - the engine runs it, not pytest
        """Run by `SmokeRun`, never by pytest itself."""

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the check is defined."""
        return self.path, None, f"check {self.check_id}"


class EnvironmentFile(pytest.File):
    """`environments/<env>.yaml`: one item per check it defines."""

    def collect(self) -> Iterator[pytest.Item]:
        """The environment's health, API and YAML journey checks."""
        from prodsmoke.e2e.plan import all_checks

        run = self.config.stash[RUN]
        for check in all_checks(run.settings):
            item = CheckItem.from_parent(self, name=check.id, check_id=check.id)
            item.add_marker(str(check.kind))
            yield item


class SmokeRun:
    """The pytest session as one prodsmoke run (see the module docstring)."""

    def __init__(
        self, config_dir: Path, settings: Settings, options: RunOptions, with_file: bool
    ) -> None:
        self.config_dir = config_dir
        self.settings = settings
        self.options = options
        self.with_file = with_file
        self.outcome: Outcome | None = None

    @pytest.hookimpl
    def pytest_configure(self, config: pytest.Config) -> None:
        """The markers the environment file's items carry."""
        for kind in ("health", "api", "journey"):
            config.addinivalue_line("markers", f"{kind}: a prodsmoke {kind} check")

    def pytest_collect_file(
        self, file_path: Path, parent: pytest.Collector
    ) -> pytest.Collector | None:
        """The environment file is collected for its checks."""
        if _is_environment_file(file_path) and file_path.stem == self.settings.name:
            return EnvironmentFile.from_parent(parent, path=file_path)
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        """Run the selected items as one prodsmoke run; then tell pytest each verdict."""
        if session.testsfailed and not session.config.option.continue_on_collection_errors:
            raise session.Interrupted(
                f"{session.testsfailed} error{'s' if session.testsfailed > 1 else ''} during "
                "collection: nothing was run or recorded"
            )
        if session.config.option.collectonly:
            return True
        from prodsmoke import interrupt, runner
        from prodsmoke.errors import SmokeError
        from prodsmoke.suite import TeamSuite

        suite = TeamSuite.of_session(session)
        by_id = {t.item.nodeid: i for i, t in suite.tests.items()}
        wanted = [
            i.check_id if isinstance(i, CheckItem) else by_id[i.nodeid]
            for i in session.items
            if isinstance(i, CheckItem) or i.nodeid in by_id
        ]
        try:
            prepared = runner.prepare(
                self.config_dir,
                self.settings,
                self.options,
                only=wanted,
                adhoc=True,  # SPEC §12: started by hand, counted in no pass rate or gate
                suite=suite,
                partial=True,
            )
            with _signals_stop_the_run():
                self.outcome = runner.run(prepared)
        except SmokeError as exc:
            raise pytest.UsageError(f"prodsmoke: {exc}") from exc
        results = {c.id: c for c in self.outcome.result.checks}
        for item in session.items:
            check_id = item.check_id if isinstance(item, CheckItem) else by_id.get(item.nodeid)
            if check_id in results:
                _log(item, results[check_id])
        if interrupt.received() is not None:
            raise KeyboardInterrupt
        return True

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """results.json or junit.xml not written: exit code 3, as for `smoke run`."""
        if self.outcome is not None and self.outcome.exit_code == 3:  # noqa: PLR2004 - SPEC §3
            session.exitstatus = 3


@contextmanager
def _signals_stop_the_run() -> Iterator[None]:
    """Ctrl-C (or SIGTERM) during the run stops the checks in flight; the run is reported."""
    from prodsmoke import interrupt

    saved = {s: signal.getsignal(s) for s in interrupt.SIGNALS}
    interrupt.install()
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def _log(item: pytest.Item, result: CheckResult) -> None:
    """Tell pytest (its terminal, junitxml, other plugins) the check's final verdict."""
    from prodsmoke.results import Status

    hook = item.ihook
    hook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    keywords: dict[str, Literal[1]] = dict.fromkeys(item.keywords, 1)
    now = time.time()

    def report(when: Literal["setup", "call", "teardown"], outcome: Any, **extra: Any) -> Any:
        extra.setdefault("longrepr", None)
        extra.setdefault("start", now)
        return pytest.TestReport(
            nodeid=item.nodeid,
            location=item.location,
            keywords=keywords,
            outcome=outcome,
            when=when,
            stop=now,
            **extra,
        )

    if result.status is Status.SKIP:
        path, line, _ = item.location
        skipped = (str(path), (line or 0) + 1, f"Skipped: {result.error or 'skipped'}")
        reports = [report("setup", "skipped", longrepr=skipped)]
    else:
        failed = result.status is Status.FAIL
        seconds = result.duration_ms / 1000
        reports = [
            report("setup", "passed"),
            report(
                "call",
                "failed" if failed else "passed",
                longrepr=f"[{result.failure_class}] {result.error}" if failed else None,
                duration=seconds,
                user_properties=[("status", str(result.status)), ("attempts", result.attempts)],
                start=now - seconds,
            ),
            report("teardown", "passed"),
        ]
    for report in reports:
        hook.pytest_runtest_logreport(report=report)
    hook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)


# -- plain pytest: the inert `smoke` ----------------------------------------------------------


class InertSmoke:
    """`smoke` under plain pytest: steps timed and printed, metrics and warnings printed."""

    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url or ""
        self.env = ""
        self.region = "local"

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block and print it."""
        began = time.perf_counter()
        try:
            yield
        finally:
            print(f"smoke step {name!r}: {(time.perf_counter() - began) * 1000:.0f} ms")

    def metric(self, name: str, value: float) -> None:
        """Print a measurement (`smoke_test.journey.<name>` in a prodsmoke run)."""
        print(f"smoke metric {name}: {value:g}")

    def warn(self, message: str) -> None:
        """Print a degradation (the check would be `warn` in a prodsmoke run)."""
        print(f"smoke warn: {message}")

    def expect_aria(self, locator: Any, name: str) -> Any:
        """Baselines are compared in a prodsmoke run only (SPEC §18): printed here."""
        return self._not_compared("expect_aria", name, locator)

    def expect_screenshot(self, locator: Any, name: str, **options: Any) -> Any:
        """Baselines are compared in a prodsmoke run only (SPEC §18): printed here."""
        return self._not_compared("expect_screenshot", name, locator)

    def _not_compared(self, what: str, name: str, locator: Any) -> Any:
        print(f"smoke {what} {name!r}: compared in a prodsmoke run (--smoke-env NAME) only")
        if type(locator).__module__.startswith("playwright.async_api"):
            return asyncio.sleep(0)  # an async journey awaits it
        return None

    def account(self, name: str) -> Any:
        """Test accounts come from an environment: this needs a prodsmoke run."""
        raise pytest.UsageError(
            f"smoke.account({name!r}) leases a test account from an environment's accounts: "
            "run with --smoke-env NAME (or `smoke run`)"
        )


@pytest.fixture
def smoke(request: pytest.FixtureRequest) -> InertSmoke:
    """The journey handle, inert outside a prodsmoke run (see InertSmoke)."""
    base_url = None
    with suppress(pytest.FixtureLookupError):
        base_url = request.getfixturevalue("base_url")
    return InertSmoke(base_url)
