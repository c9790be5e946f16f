"""One run, in four stages, the same for every entry point (`smoke run`, `smoke demo`, `smoke
repro`, the Lambda handler, `pytest --smoke-env`):

    prepare   load and validate everything the run reads — the environment, the monitoring
              file, this environment's recurring maintenance windows, the team's pytest files
              (collected by pytest) — and plan the checks. A mistake there is a ConfigError
              (exit 2) and nothing has been sent. What the run does not need (another
              environment's alert rules) is checked meanwhile and is at most a warning.
    execute   the engine: every check concurrently under the guard; the console prints each
              check as it finishes.
    annotate  a pure function: the run marked adhoc or scheduled, and with the maintenance
              window it fell in (stored by `smoke maintenance start`, or recurring).
    publish   results.json first, then junit.xml (both from the RunResult, each written whole),
              then the console's summary and every reporter, each in its own `try`; then the
              notifiers (SPEC §17), which judge the run on the history just written.

results.json or junit.xml not written is exit code 3, with everything else still written. A
SIGTERM or SIGINT while the engine works stops it (`prodsmoke.interrupt`): the run is reported
like any other, its unfinished checks `skip`, and the exit code is 143 / 130.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from prodsmoke import interrupt
from prodsmoke.e2e import artifacts
from prodsmoke.errors import SuiteError
from prodsmoke.options import Release
from prodsmoke.reporters.base import publish as publish_to
from prodsmoke.results import CheckKind, Trigger
from prodsmoke.timeline import mark

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from prodsmoke.config.maintenance import MaintenanceWindow
    from prodsmoke.config.models import Settings
    from prodsmoke.config.monitoring import Monitoring
    from prodsmoke.e2e.engine import Engine
    from prodsmoke.e2e.plan import PlannedCheck
    from prodsmoke.e2e.warmup import Warmup
    from prodsmoke.history.windows import StoredWindow
    from prodsmoke.options import RunOptions
    from prodsmoke.reporters.base import Reporter
    from prodsmoke.reporters.console import ConsoleReporter
    from prodsmoke.results import RunResult
    from prodsmoke.suite import TeamSuite


@dataclass(frozen=True, slots=True)
class Prepared:
    """A run ready to execute: everything it reads, validated; nothing sent yet."""

    config_dir: Path
    settings: Settings
    checks: tuple[PlannedCheck, ...]
    options: RunOptions
    monitoring: Monitoring
    recurring: tuple[MaintenanceWindow, ...]  # this environment's, from alert-rules.yaml
    adhoc: bool  # a run by hand (SPEC §12): kept, counted in no pass rate or gate
    suite: TeamSuite | None  # the team's pytest tests, collected
    rules_problem: Future[str | None]  # alert-rules.yaml as a whole, checked meanwhile
    notes: tuple[str, ...] = ()  # warnings for a person, said before the run starts

    @property
    def env_file(self) -> Path:
        """The environment file the run is of."""
        return Path(self.settings.file)


def prepare(
    config_dir: Path,
    settings: Settings,
    options: RunOptions,
    *,
    only: Sequence[str] = (),
    adhoc: bool = False,
    suite: TeamSuite | None = None,
    collect: bool = True,
    partial: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Prepared:
    """Stage 1 (see the module docstring). `suite`: tests pytest has collected already (the
    pytest plugin); else, with `collect`, the environment's `journey_paths` are collected here.
    `partial`: the suite holds some of the environment's tests only (pytest given one file):
    settings of the others are not an error.
    """
    from prodsmoke.config.alert_file import maintenance_windows, problem_in_whole
    from prodsmoke.config.monitoring import load_monitoring
    from prodsmoke.e2e.plan import plan

    monitoring = load_monitoring(config_dir, environ=environ)
    recurring = maintenance_windows(config_dir, settings.name, environ=environ)
    mark("config loaded")
    if suite is None and collect and not _configured_only(settings, only):
        from prodsmoke.config.journey_files import journey_files

        if journey_files(Path(p) for p in settings.journey_paths or ()):
            from prodsmoke.suite import TeamSuite  # pytest: imported only when there are tests

            suite = TeamSuite.collect(settings)
            mark("pytest files collected")
    try:
        found = suite.journeys(settings) if suite is not None else {}
        # a `--check` of configured checks only: the tests were not collected, nor needed
        skipped = suite is None and collect and _configured_only(settings, only)
        checks = plan(settings, only, None if skipped else found, partial=partial)
    except BaseException:
        if suite is not None:
            suite.close()
        raise
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prodsmoke-rules")
    problem = pool.submit(problem_in_whole, config_dir, monitoring, environ=environ)
    pool.shutdown(wait=False)
    return Prepared(
        config_dir=config_dir,
        settings=settings,
        checks=tuple(checks),
        options=options,
        monitoring=monitoring,
        recurring=recurring,
        adhoc=adhoc,
        suite=suite,
        rules_problem=problem,
        notes=tuple(suite.notes()) if suite is not None else (),
    )


def _configured_only(settings: Settings, only: Sequence[str]) -> bool:
    """True when `only` names checks the environment file defines itself (no pytest test among
    them): the team's files need not be collected for such a run."""
    from prodsmoke.config.kinds.python import PythonJourney

    defined = {c.id for c in settings.http_checks}
    defined |= {i for i, spec in settings.journeys.items() if not isinstance(spec, PythonJourney)}
    return bool(only) and set(only) <= defined


@dataclass(frozen=True, slots=True)
class Reporting:
    """Where a run's result goes besides results.json and junit.xml."""

    console: ConsoleReporter
    reporters: tuple[Reporter, ...]
    stored_windows: Callable[[], Sequence[StoredWindow]]  # `smoke maintenance start` windows
    notifiers: tuple[Reporter, ...] = ()  # SPEC §17: after the reporters (the history first)


def reporting(prepared: Prepared, console: ConsoleReporter) -> Reporting:
    """The configured reporters and notifiers (SDKs are imported here, while the engine
    already works)."""
    from prodsmoke.reporters.history import HistoryReporter
    from prodsmoke.reporters.registry import configured_notifiers, configured_reporters, time_share

    share = time_share(prepared.settings, prepared.monitoring)
    reporters = tuple(
        configured_reporters(
            prepared.config_dir,
            prepared.settings,
            prepared.options,
            monitoring=prepared.monitoring,
            share=share,
        )
    )
    notifiers = tuple(
        configured_notifiers(
            prepared.config_dir,
            prepared.settings,
            prepared.options,
            monitoring=prepared.monitoring,
            share=share,
        )
    )
    history = next((r for r in reporters if isinstance(r, HistoryReporter)), None)
    stored: Callable[[], Sequence[StoredWindow]] = (
        history.stored_windows if history is not None else tuple
    )
    return Reporting(console, reporters, stored, notifiers)


@dataclass(frozen=True, slots=True)
class Executed:
    """What the engine produced, and what reports it."""

    result: RunResult
    reporting: Reporting
    suite_error: SuiteError | None


def execute(prepared: Prepared, *, warmup: Warmup | None = None) -> Executed:
    """Stage 2: the engine, on the warm loop; reporters assembled while it works."""
    from prodsmoke.e2e.engine import Engine
    from prodsmoke.e2e.warmup import Warmup
    from prodsmoke.reporters.console import ConsoleReporter

    settings, options = prepared.settings, prepared.options
    interrupt.check()  # a signal during the set-up: nothing has been sent, nothing to report
    open_run(prepared)
    warmup = warmup or Warmup()
    try:
        launched = None
        if any(c.kind is CheckKind.JOURNEY for c in prepared.checks):
            warmup.launch(
                settings.browser, headless=not options.headed, slow_mo_ms=options.slow_mo_ms
            )
            launched = warmup.launched
        console = ConsoleReporter(output_dir=options.output_dir)
        for note in prepared.notes:
            console.warning(note)
        suite = prepared.suite
        if suite is not None:
            suite.start(c.id for c in prepared.checks)
        engine = Engine(
            settings,
            options,
            list(prepared.checks),
            on_result=console.progress,
            launched=launched,
            finishers=(suite.finish,) if suite is not None else (),
        )
        moved = options.release.target_note  # SPEC §17: a --base-url run says where, and why
        console.header(
            env=settings.name,
            target=f"{settings.base_url} ({moved})" if moved else settings.base_url,
            region=options.region,
            checks=len(prepared.checks),
            deadline_s=settings.deadline_s,
        )
        # Before the engine starts: from here on a signal stops the run instead of losing it.
        interrupt.set_stop(_stopper(engine, warmup.thread.loop))
        main = warmup.thread.submit(engine.run())
        try:
            assembled = reporting(prepared, console)
            result = main.result()
        except BaseException:
            interrupt.set_stop(None)
            warmup.thread.loop.call_soon_threadsafe(main.cancel)
            artifacts.close_run(options.output_dir, options.run_id)
            raise
    finally:
        warmup.close()  # Chromium and Playwright's driver stopped here
    interrupt.set_stop(interrupt.ignore)  # from here a signal lets the reporting finish
    return Executed(result, assembled, engine.suite_error)


def annotate(
    result: RunResult,
    *,
    adhoc: bool,
    stored: Sequence[StoredWindow] = (),
    recurring: Sequence[MaintenanceWindow] = (),
    release: Release | None = None,
) -> RunResult:
    """Stage 3: `result` marked adhoc, deploy or scheduled, with the deploy it checked (SPEC
    §17: commit, version) and the maintenance window it fell in (stored windows first, then
    recurring ones)."""
    from prodsmoke.maintenance.windows import covering

    reason = covering(result.started_at, stored=stored, repeating=recurring)
    release = release or Release()
    trigger = Trigger.ADHOC if adhoc else Trigger.DEPLOY if release.deploy else Trigger.SCHEDULED
    return replace(
        result,
        trigger=trigger,
        maintenance=reason,
        commit=release.commit,
        version=release.version,
    )


@dataclass(frozen=True, slots=True)
class Published:
    """What publishing said: every reporter's error line, and the files not written."""

    errors: tuple[str, ...]
    unwritten: tuple[str, ...]


def publish(result: RunResult, prepared: Prepared, reporting: Reporting) -> Published:
    """Stage 4: results.json, junit.xml, then the console and every reporter, each in its own
    `try`; close the run's artifact folder."""
    from prodsmoke.reporters.json_file import JsonFileReporter
    from prodsmoke.reporters.junit import JunitReporter

    output = prepared.options.output_dir
    files: list[Reporter] = [
        JsonFileReporter(output / "results.json"),
        JunitReporter(output / "junit.xml", classname=prepared.env_file.name),
    ]
    unwritten = publish_to(result, files)
    console = reporting.console
    errors = unwritten + publish_to(result, [console, *reporting.reporters])
    errors += publish_to(result, reporting.notifiers, kind="notifier")
    for error in errors:
        console.error(error)
    problem = _rules_problem(prepared)
    if problem is not None:
        console.warning(f"not needed by this run, fix for smoke alerts and gate: {problem}")
    if result.maintenance is not None and not result.status.ok:
        console.console.print(f"maintenance window ({result.maintenance}): failures kept, exit 0")
    artifacts.close_run(output, prepared.options.run_id)
    mark("results published")
    return Published(tuple(errors), tuple(unwritten))


def _rules_problem(prepared: Prepared) -> str | None:
    try:
        return prepared.rules_problem.result(timeout=5)
    except Exception:  # noqa: BLE001 - a check that could not finish is no news for this run
        return None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run produced and how the process should end."""

    result: RunResult
    exit_code: int
    reporter_errors: tuple[str, ...]


def run(prepared: Prepared, *, warmup: Warmup | None = None) -> Outcome:
    """The four stages in order; the exit code (SPEC §3, plus 143 / 130 for a signal)."""
    try:
        executed = execute(prepared, warmup=warmup)
    finally:
        if prepared.suite is not None:
            prepared.suite.close()
    stored = executed.reporting.stored_windows()
    result = annotate(
        executed.result,
        adhoc=prepared.adhoc,
        stored=stored,
        recurring=prepared.recurring,
        release=prepared.options.release,
    )
    published = publish(result, prepared, executed.reporting)
    failed_to_run = executed.suite_error is not None or bool(published.unwritten)
    exit_code = interrupt.exit_code(3 if failed_to_run else result.exit_code)
    return Outcome(result, exit_code, published.errors)


def open_run(prepared: Prepared) -> None:
    """Before the engine starts: the output folder must be writable, and the run gets its
    artifact folder (marked as running; the oldest beyond `keep_runs` pruned)."""
    options = prepared.options
    _ensure_writable(options.output_dir)
    artifacts.open_run(options.output_dir, options.run_id, keep=prepared.settings.keep_runs)


def _stopper(engine: Engine, loop: asyncio.AbstractEventLoop) -> Callable[[str], None]:
    """`engine.interrupt`, scheduled on its loop: quick and safe to call from a signal handler."""

    def stop(reason: str) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: the engine is done
            loop.call_soon_threadsafe(engine.interrupt, reason)

    return stop


def _ensure_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # A unique name: runs sharing the folder must not delete each other's probe.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".prodsmoke-write-test-"):
            pass
    except OSError as exc:
        raise SuiteError(f"output folder {folder} is not writable: {exc.strerror}") from exc
