"""The engine: runs the planned checks concurrently on one event loop, under one guard.

HTTP checks start at once; the browser launches alongside them and each journey gets its own
guarded context in that one browser. Every check's attempts fit inside the run deadline, which
keeps `REPORT_RESERVE_S` back so results and reports are always written.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from playwright.async_api import async_playwright

from prodsmoke import redact
from prodsmoke.accounts import AccountBroker, Credentials, is_locked
from prodsmoke.config.journeys import JourneySpec
from prodsmoke.config.models import HttpCheck
from prodsmoke.e2e import browser as browsers
from prodsmoke.e2e import failures, http, http_checks
from prodsmoke.e2e.artifacts import ArtifactPolicy
from prodsmoke.e2e.attempts import OWN_TIMEOUT_LEAD_S, Attempt, AttemptFn, Room, run_attempts
from prodsmoke.e2e.baselines.store import BaselineStore
from prodsmoke.e2e.guard import Guard
from prodsmoke.e2e.journey_attempt import JourneyAttempt, RunContexts
from prodsmoke.e2e.journeys import JourneyRun, runner_for
from prodsmoke.e2e.lead import Lead
from prodsmoke.e2e.sessions import Sessions
from prodsmoke.e2e.slots import Slots
from prodsmoke.e2e.vitals import VitalsCollector
from prodsmoke.errors import CheckFailure, JourneySkipped, SuiteError
from prodsmoke.results import (
    CheckKind,
    CheckResult,
    RunResult,
    Status,
)
from prodsmoke.timeline import mark

if TYPE_CHECKING:
    import httpx
    from playwright.async_api import Browser, Playwright

    from prodsmoke.config.models import Settings
    from prodsmoke.e2e.plan import PlannedCheck
    from prodsmoke.e2e.warmup import Launched
    from prodsmoke.options import RunOptions

REPORT_RESERVE_S = 3.0  # kept back from the deadline for results.json and reporters
SAVE_MARGIN_S = 1.5  # inside each journey attempt, for screenshot/trace after a timeout
ARTIFACT_GRACE_S = 2.0  # how long saving may overrun when the deadline cuts an attempt off
RECANCEL_S = 0.25  # after interrupt(), checks still running are cancelled again this often


@dataclass
class _Run:
    """What one run holds while it runs; built by `Engine.run`, gone when it returns."""

    run_id: str
    started_at: datetime
    t0: float  # monotonic seconds
    deadline: float  # monotonic seconds: checks stop here, REPORT_RESERVE_S before the end
    guard: Guard
    artifacts: ArtifactPolicy
    accounts: _Accounts
    lead: Lead
    rng: random.Random
    slots: Slots  # journeys in flight at once (`journeys_at_once`)
    browser: asyncio.Task[Browser] | None = None
    shared: RunContexts = field(default_factory=RunContexts)  # wider-scoped fixtures' contexts
    playwright: Playwright | None = None  # the driver's connection, once the browser is up
    begun: set[str] = field(default_factory=set)  # journeys that got a browser slot
    sessions: Sessions | None = None  # issue 21: one sign-in per account per run

    def elapsed_ms(self) -> int:
        """Milliseconds since the run started."""
        return round((time.monotonic() - self.t0) * 1000)


@dataclass
class Engine:
    """One run of the suite: schedule, guard, deadline, verdicts. Single use."""

    settings: Settings
    options: RunOptions
    checks: list[PlannedCheck]
    on_result: Callable[[CheckResult], None] | None = None
    launched: Callable[[], Awaitable[Launched]] | None = None  # driver + browser started early
    # Run after the last check, while the browser is still up (a team suite's wider-scoped
    # fixtures are torn down there).
    finishers: Sequence[Callable[[], Awaitable[None]]] = ()
    browser_label: str | None = field(init=False, default=None)
    suite_error: SuiteError | None = field(init=False, default=None)
    # The verdicts, one future per check: how the pytest frame (another thread) waits for them.
    _verdicts: dict[str, asyncio.Future[CheckResult]] = field(init=False, default_factory=dict)
    _ran: bool = field(init=False, default=False)
    _tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)  # for interrupt()
    _interrupted: str | None = field(init=False, default=None)

    def result_of(self, check_id: str) -> asyncio.Future[CheckResult]:
        """The future that resolves with `check_id`'s verdict (create within the loop)."""
        if check_id not in self._verdicts:
            self._verdicts[check_id] = asyncio.get_running_loop().create_future()
        return self._verdicts[check_id]

    async def run(self) -> RunResult:
        """Run every planned check; always returns a result, whatever failed."""
        if self._ran:
            raise RuntimeError("an Engine runs once; make a new one")
        self._ran = True
        mark("engine started")
        started_at = datetime.now(UTC)
        t0 = time.monotonic()
        for check in self.checks:
            self.result_of(check.id)
        guard = Guard(self.settings)
        # Page-load journeys first (they lead), then the costliest: with a few browser slots, a
        # long journey started last would finish alone, after the rest (bench/RESULTS.md, Scale).
        journeys = sorted(
            (c for c in self.checks if c.kind is CheckKind.JOURNEY),
            key=lambda c: (not c.leads, -c.expected_requests),
        )
        async with AsyncExitStack() as stack:
            artifacts = ArtifactPolicy(
                self.options.output_dir, self.options.run_id, trace=self.options.trace
            )
            stack.callback(artifacts.tidy)  # last: after the browser has closed
            client = http.client(guard)
            stack.push_async_callback(client.aclose)
            lead = Lead(c.id for c in journeys if c.leads)
            run = _Run(
                run_id=self.options.run_id,
                started_at=started_at,
                t0=t0,
                deadline=t0 + self.settings.deadline_s - REPORT_RESERVE_S,
                guard=guard,
                artifacts=artifacts,
                accounts=_Accounts(AccountBroker(self.settings), client),
                lead=lead,
                rng=random.Random(),
                # Not widened while followers wait for the leaders: idle, but not on the site.
                slots=Slots.configured(self.settings.journeys_at_once, hold=lead.holding),
            )
            run.sessions = Sessions(  # issue 21: sign in once per account (e2e.sessions)
                self.settings,
                run.accounts.broker,
                run.accounts,
                guard,
                artifacts,
                run.deadline,
                env=self.settings.name,
                region=self.options.region,
                playwright=lambda: run.playwright,
            )
            tasks = [
                asyncio.create_task(self._check(run, c, self._http_attempt(run, client, c.spec)))
                for c in self.checks
                if isinstance(c.spec, HttpCheck)
            ]
            if journeys:
                run.browser = asyncio.create_task(self._launch(run, stack))
                tasks += [asyncio.create_task(self._journey_check(run, c)) for c in journeys]
            self._tasks = tasks
            if self._interrupted is not None:  # it came before the checks had started
                self.interrupt(self._interrupted)
            await self._until_deadline(run, tasks)
        mark("engine finished (browser closed)")
        return RunResult(
            run_id=run.run_id,
            env=self.settings.name,
            region=self.options.region,
            target=self.settings.base_url,
            started_at=started_at,
            duration_ms=run.elapsed_ms(),
            checks=tuple(self._verdicts[c.id].result() for c in self.checks),
            safety=guard.report(),
            browser=self.browser_label,
        )

    async def _until_deadline(self, run: _Run, tasks: list[asyncio.Task[None]]) -> None:
        """Wait for the checks; at the deadline, cut the unfinished ones off as `fail`."""
        if not tasks:
            return
        _, pending = await asyncio.wait(
            tasks, timeout=max(0.0, run.deadline - time.monotonic()) + 1
        )
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for check in self.checks:
            if self._verdicts[check.id].done():
                continue
            if self._interrupted is not None:
                self._finish(run, check, self._skipped(run, check, self._interrupted))
            elif check.kind is CheckKind.JOURNEY and check.id not in run.begun:
                reason = (
                    f"not started: the run deadline ({self.settings.deadline_s:g} s) came while "
                    f"it waited for one of the {run.slots.limit} browser slots"
                )
                self._finish(run, check, self._skipped(run, check, reason, started=False))
            else:
                reason = f"unfinished at the run deadline ({self.settings.deadline_s:g} s)"
                self._finish(run, check, self._infrastructure_failure(run, check, reason))

    # -- interruption (issue 9: a signal ends the run as an outcome) ---------------------------

    def interrupt(self, reason: str) -> None:
        """Stop the run now (call it on the engine's loop, e.g. `loop.call_soon_threadsafe`).

        The checks in flight are cancelled; every check without a verdict becomes `skip` with
        `reason`; verdicts already given stand; `run()` then returns its result as usual.
        """
        self._interrupted = reason
        pending = [task for task in self._tasks if not task.done()]
        for task in pending:
            task.cancel()
        if pending:  # Python 3.11's wait_for can swallow a cancel (gh-86296): ask again soon
            asyncio.get_running_loop().call_later(RECANCEL_S, self.interrupt, reason)

    def _skipped(
        self, run: _Run, check: PlannedCheck, reason: str, *, started: bool = True
    ) -> CheckResult:
        """A `skip` verdict: stopped (interrupted) or, with `started=False`, never begun."""
        return CheckResult(
            id=check.id,
            kind=check.kind,
            status=Status.SKIP,
            duration_ms=run.elapsed_ms() if started else 0,
            attempts=1 if started else 0,
            error=reason,
            artifacts=run.artifacts.collect(check.id) if started else (),
            repro=self._repro(check.id),
        )

    def _infrastructure_failure(self, run: _Run, check: PlannedCheck, reason: str) -> CheckResult:
        failure = failures.suite(reason)
        return CheckResult(
            id=check.id,
            kind=check.kind,
            status=Status.FAIL,
            duration_ms=run.elapsed_ms(),
            error=failure.message,
            failure_class=failure.failure_class,
            artifacts=run.artifacts.collect(check.id),
            repro=self._repro(check.id),
        )

    async def _check(self, run: _Run, check: PlannedCheck, attempt: AttemptFn) -> None:
        budget = run.guard.budget
        verdict = await run_attempts(
            attempt,
            retry=self.settings.retry,
            timeout_s=check.timeout_s,
            room=Room(
                deadline=run.deadline,
                reserve=lambda n: budget.reserve(check.id, n),
                release=lambda: budget.release(check.id),
                budget_left=budget.remaining,
                spent=lambda: run.guard.sent_to(check.id),
                expected=check.expected_requests,
            ),
            rng=run.rng,
        )
        last = verdict.last
        self._finish(
            run,
            check,
            CheckResult(
                id=check.id,
                kind=check.kind,
                status=last.status,
                duration_ms=verdict.duration_ms,
                attempts=verdict.attempts,
                flaky=verdict.flaky,
                metrics=last.metrics,
                error=last.error,
                failure_class=last.failure_class if last.status is Status.FAIL else None,
                artifacts=run.artifacts.collect(check.id),
                repro=self._repro(check.id),
                steps=last.steps,
                pages=last.pages,  # Web Vitals (issue 14): the verdict's attempt's pages
            ),
        )

    def _finish(self, run: _Run, check: PlannedCheck, result: CheckResult) -> None:
        mark(f"{check.id}: {result.status}")
        run.lead.measured(check.id)  # however it ended, nobody waits for it any more
        self._verdicts[check.id].set_result(result)
        if self.on_result is not None:
            self.on_result(result)

    def _repro(self, check_id: str) -> str:
        return self.options.repro.format(env=self.settings.name, check=check_id)

    # -- HTTP checks -------------------------------------------------------------------------------

    def _http_attempt(self, run: _Run, client: httpx.AsyncClient, spec: HttpCheck) -> AttemptFn:
        async def attempt(number: int, timeout_s: float) -> Attempt:
            verdict = await http_checks.run(
                client,
                spec,
                base_url=self.settings.base_url,
                warn_ratio=self.settings.thresholds.warn_ratio,
                timeout_s=timeout_s - OWN_TIMEOUT_LEAD_S,
                evidence=lambda text: run.artifacts.save_text(
                    spec.id, number, "response.txt", text
                ),
            )
            message = redact.redact(verdict.message) if verdict.message else None
            return Attempt(verdict.status, verdict.metrics, message, verdict.failure_class)

        return attempt

    # -- journeys ----------------------------------------------------------------------------------

    async def _launch(self, run: _Run, stack: AsyncExitStack) -> Browser:
        if self.launched is not None:
            pw, browser, self.browser_label = await self.launched()
            stack.push_async_callback(pw.stop)
            stack.push_async_callback(browser.close)
        else:
            try:
                pw = await async_playwright().start()
            except Exception as exc:
                raise SuiteError(f"cannot start Playwright: {exc}") from exc
            stack.push_async_callback(pw.stop)
            browser, self.browser_label = await browsers.launch(
                pw,
                self.settings.browser.executable_path,
                headless=not self.options.headed,
                slow_mo_ms=self.options.slow_mo_ms,
                extra_args=self.settings.browser.args,
                channel=self.options.channel,
            )
            stack.push_async_callback(browser.close)
        run.playwright = pw
        # Before the browser closes (LIFO): what the run's wider-scoped fixtures hold.
        stack.push_async_callback(run.shared.close)
        if run.sessions is not None:  # issue 21: sign out at the end, also when interrupted
            stack.push_async_callback(run.sessions.close)
        for finish in reversed(self.finishers):
            stack.push_async_callback(finish)
        return browser

    async def _journey_check(self, run: _Run, check: PlannedCheck) -> None:
        """Wait for the browser (its launch is not the journey's time), then run the attempts."""
        assert run.browser is not None
        try:
            async with asyncio.timeout(max(0.0, run.deadline - time.monotonic())):
                browser = await asyncio.shield(run.browser)
        except (SuiteError, TimeoutError) as exc:
            if isinstance(exc, SuiteError):
                self.suite_error = exc
            reason = str(exc) or "the browser did not start before the run deadline"
            self._finish(run, check, self._infrastructure_failure(run, check, reason))
            return

        # Issue 21: an account's session (signed in once) and passkey; or the sign-in's failure.
        start = None if run.sessions is None else await run.sessions.start_for(check.spec, browser)

        async def attempt(number: int, timeout_s: float) -> Attempt:
            if isinstance(start, CheckFailure):  # one verdict for every journey on the account
                failed = Attempt.failed(start)
                failed.final = True
                return failed
            return await self._journey(run, browser, check, number, timeout_s, start)

        # A slot for all of the check's attempts: its time starts once it has one.
        try:
            async with run.slots:
                run.begun.add(check.id)
                mark(f"{check.id}: has a browser slot ({run.slots.limit} open)")
                await self._check(run, check, attempt)
        finally:
            spec = check.spec
            assert isinstance(spec, JourneySpec)
            await spec.after_check()

    async def _journey(  # noqa: PLR0913, PLR0917 - issue 21's `start` joined the five
        self,
        run: _Run,
        browser: Browser,
        check: PlannedCheck,
        number: int,
        timeout_s: float,
        start: dict[str, Any] | None = None,
    ) -> Attempt:
        work_s = max(0.5, timeout_s - SAVE_MARGIN_S)
        guard = run.guard
        spec = check.spec
        assert isinstance(spec, JourneySpec)
        attempt = JourneyAttempt(
            browser=browser,
            guard=guard,
            check=check.id,
            number=number,
            base_url=self.settings.base_url,
            work_s=work_s,
            artifacts=run.artifacts,
            vitals=VitalsCollector.for_check(spec, self.settings.base_url),  # every page's
            shared=run.shared,
            action_lead_s=type(spec).action_lead_s,
            playwright=run.playwright,
            storage_state=start,  # issue 21: the account's session and passkey
        )
        failed = True
        before = failures.Before.of(guard, check.id)
        follow, on_measured = run.lead.hooks(check.id)
        waited_s = 0.0  # for the leaders' timing (`e2e.lead`): not this journey's own time
        j = JourneyRun(
            check=check.id,
            attempt=attempt,
            base_url=self.settings.base_url,
            guard=guard,
            warn_ratio=self.settings.thresholds.warn_ratio,
            timeout_ms=work_s * 1000,
            accounts=run.accounts,
            env=self.settings.name,
            region=self.options.region,
            on_measured=on_measured,
            baseline_store=BaselineStore.of(self.settings, self.options),  # issue 23: baselines
        )
        try:
            if type(spec).opens_page:
                await attempt.open_page()
            if follow is not None:  # the page-load journeys navigate first
                waited_s = await follow()
            await self._drive(j, check, work_s)
            await attempt.vitals.judge(j)  # the journey's vitals limits: may warn, or fail it
            failed = False
            status = Status.WARN if j.warnings else Status.PASS
            warnings = redact.redact("; ".join(j.warnings)) or None
            return Attempt(
                status,
                j.metrics,
                warnings or j.note,
                waited_s=waited_s,
                steps=tuple(j.steps.results),
                pages=attempt.vitals.pages(),
            )
        except JourneySkipped as skipped:
            failed = False
            return Attempt(Status.SKIP, j.metrics, redact.redact(skipped.reason), final=True)
        except CheckFailure as failure:
            metrics = j.metrics
            # What the attempt measured before it failed (a slow page's load time) is evidence.
            metrics.setdefault("console_errors", float(len(attempt.observer.console_errors)))
            verdict = failures.journey_attempt(failure, before.since(guard, check.id))
            failure = CheckFailure(
                j.steps.blame(verdict.failure.message),
                failure_class=verdict.failure.failure_class,
            )
            result = Attempt.failed(failure, metrics)
            result.final = verdict.final
            result.waited_s = waited_s
            result.steps = tuple(j.steps.results)
            await attempt.vitals.read(failed=True)  # what the pages showed before it failed
            result.pages = attempt.vitals.pages()
            return result
        finally:
            if on_measured is not None:
                on_measured()  # if it failed before measuring: nobody waits for its cleanup
            saving = asyncio.ensure_future(attempt.close(failed=failed))
            await _finish_even_if_cut_off(saving)

    async def _drive(self, j: JourneyRun, check: PlannedCheck, work_s: float) -> None:
        """Run the kind's implementation; every error leaves here as a classified CheckFailure."""
        spec = check.spec
        assert isinstance(spec, JourneySpec)
        implementation = runner_for(spec)
        if implementation is None:
            raise failures.suite(f"no implementation is registered for journey kind {spec.kind!r}")
        try:
            async with asyncio.timeout(work_s):
                await implementation(j, spec)
        except TimeoutError:
            where = j.where()
            raise failures.timed_out(
                f"did not finish within {work_s:.1f} s (at {where}){j.observer.failures_hint()}",
                j.observer,
            ) from None
        except (CheckFailure, JourneySkipped):
            raise
        except Exception as exc:
            raise j.failure(exc) from exc


async def _finish_even_if_cut_off(saving: asyncio.Future[None]) -> None:
    """Await `saving`; if the deadline's backstop cancels us meanwhile, let it finish first.

    Artifacts are what QA gets from a failure, so they are written even when the run is out of
    time; ARTIFACT_GRACE_S bounds how long that may take.
    """
    try:
        await asyncio.shield(saving)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(saving, ARTIFACT_GRACE_S)
        raise


@dataclass
class _Accounts:
    """The test accounts for journeys: leases, lock detection, unlock through the guard."""

    broker: AccountBroker
    client: httpx.AsyncClient

    def lease(self, name: str) -> AbstractAsyncContextManager[Credentials]:
        """Hold the account for the block."""
        return self.broker.lease(name)

    def is_locked(self, name: str, status: int | None, page_text: str) -> bool:
        """HTTP 423 or the account's locked_text."""
        return is_locked(status, page_text, self.broker.account(name))

    async def unlock(self, name: str) -> str | None:
        """The configured unlock step, sent through the guarded client."""
        return await self.broker.unlock(name, self.client)
