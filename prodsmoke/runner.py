"""One run, end to end, and the one place a run is assembled: every entry point (`smoke run`,
`smoke demo`, `smoke repro`, the Lambda handler, the pytest plugin) describes what to run as a
`Request`, and this module builds the rest: the engine, the console, the configured reporters
and the history's stamp; then engine + pytest frame → RunResult → results.json, junit.xml,
console, reporters.

results.json is written before any other reporter runs, so a failing backend never loses a run;
junit.xml is written by the pytest frame under a unique name and moved into place next, so two
runs sharing `--output` never interleave it. Either one failing is exit code 3, with everything
else still written. A SIGTERM or SIGINT while the engine works stops it (`prodsmoke.interrupt`):
the run is reported like any other, its unfinished checks `skip`, and the exit code is 143 / 130.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from prodsmoke import interrupt
from prodsmoke.e2e import artifacts
from prodsmoke.e2e.engine import Engine
from prodsmoke.e2e.warmup import Warmup
from prodsmoke.errors import SuiteError
from prodsmoke.reporters.base import publish
from prodsmoke.reporters.json_file import JsonFileReporter, JunitFileReporter
from prodsmoke.results import CheckKind
from prodsmoke.timeline import mark

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from concurrent.futures import Future

    from prodsmoke.config.models import Settings
    from prodsmoke.config.monitoring import Monitoring
    from prodsmoke.e2e.plan import PlannedCheck
    from prodsmoke.e2e.plugin import SuiteRun
    from prodsmoke.options import RunOptions
    from prodsmoke.reporters.base import Reporter
    from prodsmoke.reporters.console import ConsoleReporter
    from prodsmoke.results import RunResult

PYTEST_INI = Path(__file__).parent / "e2e" / "pytest.ini"


@dataclass(frozen=True, slots=True)
class Request:
    """What an entry point asks to run: the environment, the checks, how, and where config is."""

    config_dir: Path
    env_file: Path
    settings: Settings
    checks: Sequence[PlannedCheck]
    options: RunOptions
    adhoc: bool = False  # a run by hand (SPEC §12): kept, counted in no pass rate or gate
    monitoring: Monitoring | None = None  # config/monitoring-integration.yaml, read when None


@dataclass(frozen=True, slots=True)
class Reporting:
    """Where a run's result goes besides results.json and junit.xml."""

    console: ConsoleReporter
    reporters: tuple[Reporter, ...]
    stamp: Callable[[RunResult], RunResult]


def reporting(request: Request) -> Reporting:
    """The console, the configured reporters and the history's stamp for `request`.

    SDKs are imported here, while the engine already works (`start`).
    """
    from prodsmoke.reporters.console import ConsoleReporter
    from prodsmoke.reporters.history import stamper
    from prodsmoke.reporters.registry import configured_reporters

    options = request.options
    reporters = configured_reporters(
        request.config_dir,
        request.settings,
        options,
        monitoring=request.monitoring,
    )
    console = ConsoleReporter(output_dir=options.output_dir)
    return Reporting(console, tuple(reporters), stamper(reporters, adhoc=request.adhoc))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run produced and how the process should end."""

    result: RunResult
    exit_code: int
    reporter_errors: tuple[str, ...]


@dataclass
class Started:
    """A run whose engine is already at work on the warm loop thread."""

    request: Request
    engine: Engine
    warmup: Warmup
    main: Future[RunResult]
    reporting: Reporting


def _abandon(engine: Engine, warmup: Warmup, main: Future[RunResult]) -> None:
    """Stop a run before it is reported (something else failed first)."""
    interrupt.set_stop(None)
    warmup.thread.loop.call_soon_threadsafe(main.cancel)
    warmup.close()
    artifacts.close_run(engine.options.output_dir, engine.options.run_id)


def open_run(request: Request) -> None:
    """Before the engine starts: the output folder must be writable, and the run gets its
    artifact folder (marked as running; the oldest beyond `keep_runs` pruned)."""
    options = request.options
    _ensure_writable(options.output_dir)
    artifacts.open_run(options.output_dir, options.run_id, keep=request.settings.keep_runs)


def start(request: Request, *, warmup: Warmup | None = None) -> Started:
    """Start the engine now, on the warm loop (HTTP checks sent, journeys as Chromium is up),
    then assemble the reporting while it works.

    `warmup` (from `Warmup()`, made as early as possible) lends the run its already-booting
    Playwright driver and loop thread.
    """
    settings, checks, options = request.settings, request.checks, request.options
    interrupt.check()  # a signal during the set-up: nothing has been sent, nothing to report
    open_run(request)
    warmup = warmup or Warmup()
    launched = None
    if any(c.kind is CheckKind.JOURNEY for c in checks):
        warmup.launch(settings.browser, headless=not options.headed, slow_mo_ms=options.slow_mo_ms)
        launched = warmup.launched
    engine = Engine(settings, options, list(checks), launched=launched)
    # Before the engine starts: from here on a signal stops the run instead of losing it.
    interrupt.set_stop(_stopper(engine, warmup.thread.loop))
    main = warmup.thread.submit(engine.run())
    try:
        assembled = reporting(request)
    except BaseException:
        _abandon(engine, warmup, main)
        raise
    return Started(request, engine, warmup, main, assembled)


def _stopper(engine: Engine, loop: asyncio.AbstractEventLoop) -> Callable[[str], None]:
    """`engine.interrupt`, scheduled on its loop: quick and safe to call from a signal handler."""

    def stop(reason: str) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: the engine is done
            loop.call_soon_threadsafe(engine.interrupt, reason)

    return stop


def finish(started: Started) -> Outcome:
    """Drive the pytest frame to the verdicts; report: results.json, junit.xml, the console,
    the reporters."""
    from prodsmoke.e2e.plugin import SuiteRun  # pytest: loaded while the engine already works

    console = started.reporting.console
    engine, warmup = started.engine, started.warmup
    settings, options = engine.settings, engine.options
    console.header(
        env=settings.name,
        target=settings.base_url,
        region=options.region,
        checks=len(engine.checks),
        deadline_s=settings.deadline_s,
    )
    output = options.output_dir
    junit = output / f".junit.xml.{options.run_id}.tmp"  # moved into place after results.json
    try:
        suite = SuiteRun(
            engine, warmup.thread.loop, started.request.env_file, on_result=console.progress
        )
        try:
            pytest_code = _run_pytest(suite, junit)
            result = started.main.result()
        except BaseException:
            interrupt.set_stop(None)
            warmup.thread.loop.call_soon_threadsafe(started.main.cancel)
            junit.unlink(missing_ok=True)
            raise
    finally:
        warmup.close()  # Chromium and Playwright's driver stopped here
    interrupt.set_stop(interrupt.ignore)  # from here a signal lets the reporting finish
    if pytest_code not in (0, 1, 5):
        junit.unlink(missing_ok=True)
        raise SuiteError(f"the pytest frame stopped with exit code {pytest_code}")
    result, errors, unwritten = report(result, started.reporting, options, junit=junit)
    failed_to_run = engine.suite_error is not None or bool(unwritten)
    exit_code = interrupt.exit_code(3 if failed_to_run else result.exit_code)
    return Outcome(result, exit_code, tuple(errors))


def report(
    result: RunResult, reporting: Reporting, options: RunOptions, *, junit: Path | None = None
) -> tuple[RunResult, list[str], list[str]]:
    """Stamp the result, write results.json (and move `junit` into place), then the console and
    every reporter, each in its own `try`; close the run's artifact folder.

    Returns the stamped result, every reporter's error line, and those of the files that could
    not be written (the run cannot be trusted to have been recorded: exit code 3).
    """
    output = options.output_dir
    result = reporting.stamp(result)
    files: list[Reporter] = [JsonFileReporter(output / "results.json")]
    if junit is not None:
        files.append(JunitFileReporter(junit, output / "junit.xml"))
    unwritten = publish(result, files)
    console = reporting.console
    errors = unwritten + publish(result, [console, *reporting.reporters])
    for error in errors:
        console.error(error)
    if result.maintenance is not None and not result.status.ok:
        console.console.print(f"maintenance window ({result.maintenance}): failures kept, exit 0")
    artifacts.close_run(output, options.run_id)
    mark("results published")
    return result, errors, unwritten


def execute(request: Request, *, warmup: Warmup | None = None) -> Outcome:
    """Run the suite and report it (`start` then `finish`)."""
    return finish(start(request, warmup=warmup))


def _run_pytest(suite: SuiteRun, junit: Path) -> int:
    import pytest  # imported here, after the engine has started, so the two overlap

    from prodsmoke.e2e.plugin import SmokePlugin

    args = [
        str(suite.env_file),
        "-c",
        str(PYTEST_INI),
        "--rootdir",
        str(suite.env_file.parent),
        "--noconftest",
        "--capture=no",
        "-p",
        "no:terminal",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:stepwise",
        f"--junitxml={junit}",
    ]
    with _isolated_environment():
        return int(pytest.main(args, plugins=[SmokePlugin(suite)]))


@contextmanager
def _isolated_environment() -> Iterator[None]:
    """Keep the caller's pytest settings and installed plugins out of the run."""
    saved = {k: os.environ.pop(k, None) for k in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    autoload = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is not None:
                os.environ[key] = value
        if autoload is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = autoload


def _ensure_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # A unique name: runs sharing the folder must not delete each other's probe.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".prodsmoke-write-test-"):
            pass
    except OSError as exc:
        raise SuiteError(f"output folder {folder} is not writable: {exc.strerror}") from exc
