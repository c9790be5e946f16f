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
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from prodsmoke import redact
from prodsmoke.accounts import AccountBroker, Credentials, is_locked
from prodsmoke.config.models import HomepageJourney, HttpCheck
from prodsmoke.e2e import browser as browsers
from prodsmoke.e2e import http, http_checks
from prodsmoke.e2e.artifacts import ArtifactPolicy, new_run_id
from prodsmoke.e2e.attempts import OWN_TIMEOUT_LEAD_S, Attempt, AttemptFn, Room, run_attempts
from prodsmoke.e2e.guard import BUDGET_EXHAUSTED, Guard
from prodsmoke.e2e.journeys import JOURNEYS, JourneyRun
from prodsmoke.e2e.journeys.base import browser_failure
from prodsmoke.e2e.observe import PageObserver
from prodsmoke.errors import CheckFailure, SuiteError
from prodsmoke.results import CheckKind, CheckResult, FailureClass, RunResult, Status
from prodsmoke.timeline import mark

if TYPE_CHECKING:
    import httpx
    from playwright.async_api import Browser, Page

    from prodsmoke.config.models import Settings
    from prodsmoke.e2e.plan import PlannedCheck
    from prodsmoke.e2e.warmup import Launched

REPORT_RESERVE_S = 3.0  # kept back from the deadline for results.json and reporters
SAVE_MARGIN_S = 1.5  # inside each journey attempt, for screenshot/trace after a timeout
ARTIFACT_GRACE_S = 2.0  # how long saving may overrun when the deadline cuts an attempt off
MAX_JOURNEYS_AT_ONCE = 3
LEAD_WAIT_S = 2.0  # how long other journeys wait for the timed page's journey, at most
RECANCEL_S = 0.25  # after interrupt(), checks still running are cancelled again this often


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run, as opposed to what to check (that is the Settings)."""

    region: str = "local"
    output_dir: Path = Path("smoke-results")
    headed: bool = False
    slow_mo_ms: float = 0
    trace: str = "retain-on-failure"
    repro: str = "smoke repro --env {env} {check}"
    run_id: str = field(default_factory=new_run_id)  # known from the start: names its folder


@dataclass
class Engine:
    """One run of the suite: schedule, guard, deadline, verdicts."""

    settings: Settings
    options: RunOptions
    checks: list[PlannedCheck]
    on_result: Callable[[CheckResult], None] | None = None
    launched: Callable[[], Awaitable[Launched]] | None = None  # driver + browser started early
    guard: Guard = field(init=False)
    browser_label: str | None = field(init=False, default=None)
    suite_error: SuiteError | None = field(init=False, default=None)
    _results: dict[str, asyncio.Future[CheckResult]] = field(init=False, default_factory=dict)
    _tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)  # for interrupt()
    _interrupted: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.guard = Guard(self.settings)
        self._rng = random.Random()
        self._artifacts = ArtifactPolicy(
            self.options.output_dir, self.options.run_id, trace=self.options.trace
        )

    def result_of(self, check_id: str) -> asyncio.Future[CheckResult]:
        """The future that resolves with `check_id`'s verdict (create within the loop)."""
        if check_id not in self._results:
            self._results[check_id] = asyncio.get_running_loop().create_future()
        return self._results[check_id]

    async def run(self) -> RunResult:
        """Run every planned check; always returns a result, whatever failed."""
        mark("engine started")
        started_at = datetime.now(UTC)
        t0 = self._t0 = time.monotonic()
        self._deadline = t0 + self.settings.deadline_s - REPORT_RESERVE_S
        for check in self.checks:
            self.result_of(check.id)
        async with AsyncExitStack() as stack:
            stack.callback(self._artifacts.tidy)  # last: after the browser has closed
            client = http.client(self.guard)
            stack.push_async_callback(client.aclose)
            self._accounts = _Accounts(AccountBroker(self.settings), client)
            tasks = [
                asyncio.create_task(self._check(c, self._http_attempt(client, c.spec)))
                for c in self.checks
                if isinstance(c.spec, HttpCheck)
            ]
            journeys = [c for c in self.checks if c.kind is CheckKind.JOURNEY]
            # The journey that times a page load leads: the others set up their pages alongside
            # it but navigate only once it has taken its timing (LEAD_WAIT_S at most), so the
            # load time it reports is the target's, not our own journeys crowding two cores. (A slow
            # homepage also slows the enhancement's own homepage, so letting them overlap made
            # the reported time move less than the target did: bench/RESULTS.md.)
            self._leader = next(
                (c.id for c in journeys if isinstance(c.spec, HomepageJourney)), None
            )
            self._lead = asyncio.Event()
            if journeys:
                self._browser = asyncio.create_task(self._launch(stack))
                self._slots = asyncio.Semaphore(MAX_JOURNEYS_AT_ONCE)
                tasks += [asyncio.create_task(self._journey_check(c)) for c in journeys]
            self._tasks = tasks
            if self._interrupted is not None:  # it came before the checks had started
                self.interrupt(self._interrupted)
            await self._until_deadline(tasks)
        mark("engine finished (browser closed)")
        results = tuple(self._results[c.id].result() for c in self.checks)
        return RunResult(
            run_id=self.options.run_id,
            env=self.settings.name,
            region=self.options.region,
            target=self.settings.base_url,
            started_at=started_at,
            duration_ms=round((time.monotonic() - t0) * 1000),
            checks=results,
            safety=self.guard.report(),
            browser=self.browser_label,
        )

    async def _until_deadline(self, tasks: list[asyncio.Task[None]]) -> None:
        """Wait for the checks; at the deadline, cut the unfinished ones off as `fail`."""
        if not tasks:
            return
        _, pending = await asyncio.wait(
            tasks, timeout=max(0.0, self._deadline - time.monotonic()) + 1
        )
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for check in self.checks:
            if not self._results[check.id].done() and self._interrupted is not None:
                self._finish(check, self._skipped(check, self._interrupted))
            elif not self._results[check.id].done():
                reason = f"unfinished at the run deadline ({self.settings.deadline_s:g} s)"
                self._finish(check, self._infrastructure_failure(check, reason))

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

    def _skipped(self, check: PlannedCheck, reason: str) -> CheckResult:
        return CheckResult(
            id=check.id,
            kind=check.kind,
            status=Status.SKIP,
            duration_ms=round((time.monotonic() - self._t0) * 1000),
            error=reason,
            artifacts=self._artifacts.collect(check.id),
            repro=self._repro(check.id),
        )

    async def _follow(self) -> None:
        """Wait (at most LEAD_WAIT_S) for the leading journey to take its timing."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._lead.wait(), LEAD_WAIT_S)

    def _infrastructure_failure(self, check: PlannedCheck, reason: str) -> CheckResult:
        return CheckResult(
            id=check.id,
            kind=check.kind,
            status=Status.FAIL,
            duration_ms=round((time.monotonic() - self._t0) * 1000),
            error=redact.redact(reason),
            failure_class=FailureClass.INFRASTRUCTURE,
            artifacts=self._artifacts.collect(check.id),
            repro=self._repro(check.id),
        )

    async def _check(self, check: PlannedCheck, attempt: AttemptFn) -> None:
        budget = self.guard.budget
        verdict = await run_attempts(
            attempt,
            retry=self.settings.retry,
            timeout_s=check.timeout_s,
            room=Room(
                deadline=self._deadline,
                reserve=lambda n: budget.reserve(check.id, n),
                release=lambda: budget.release(check.id),
                budget_left=budget.remaining,
                spent=lambda: self.guard.sent_to(check.id),
                expected=check.expected_requests,
            ),
            rng=self._rng,
        )
        last = verdict.last
        self._finish(
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
                artifacts=self._artifacts.collect(check.id),
                repro=self._repro(check.id),
            ),
        )

    def _finish(self, check: PlannedCheck, result: CheckResult) -> None:
        mark(f"{check.id}: {result.status}")
        if check.id == self._leader:
            self._lead.set()  # however it ended, nobody waits for it any more
        self._results[check.id].set_result(result)
        if self.on_result is not None:
            self.on_result(result)

    def _repro(self, check_id: str) -> str:
        return self.options.repro.format(env=self.settings.name, check=check_id)

    # -- HTTP checks -------------------------------------------------------------------------------

    def _http_attempt(self, client: httpx.AsyncClient, spec: HttpCheck) -> AttemptFn:
        async def attempt(number: int, timeout_s: float) -> Attempt:
            verdict = await http_checks.run(
                client,
                spec,
                base_url=self.settings.base_url,
                warn_ratio=self.settings.thresholds.warn_ratio,
                timeout_s=timeout_s - OWN_TIMEOUT_LEAD_S,
                evidence=lambda text: self._artifacts.save_text(
                    spec.id, number, "response.txt", text
                ),
            )
            message = redact.redact(verdict.message) if verdict.message else None
            return Attempt(verdict.status, verdict.metrics, message, verdict.failure_class)

        return attempt

    # -- journeys ----------------------------------------------------------------------------------

    async def _launch(self, stack: AsyncExitStack) -> Browser:
        if self.launched is not None:
            pw, browser, self.browser_label = await self.launched()
            stack.push_async_callback(pw.stop)
            stack.push_async_callback(browser.close)
            return browser
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
        )
        stack.push_async_callback(browser.close)
        return browser

    async def _journey_check(self, check: PlannedCheck) -> None:
        """Wait for the browser (its launch is not the journey's time), then run the attempts."""
        try:
            async with asyncio.timeout(max(0.0, self._deadline - time.monotonic())):
                browser = await asyncio.shield(self._browser)
        except (SuiteError, TimeoutError) as exc:
            if isinstance(exc, SuiteError):
                self.suite_error = exc
            reason = str(exc) or "the browser did not start before the run deadline"
            self._finish(check, self._infrastructure_failure(check, reason))
            return

        async def attempt(number: int, timeout_s: float) -> Attempt:
            async with self._slots:
                return await self._journey(browser, check, number, timeout_s)

        await self._check(check, attempt)

    async def _journey(
        self, browser: Browser, check: PlannedCheck, number: int, timeout_s: float
    ) -> Attempt:
        work_s = max(0.5, timeout_s - SAVE_MARGIN_S)
        context = await browsers.new_context(browser, self.guard, check.id)
        following = self._leader not in (None, check.id)
        waited = 0.0

        async def follow() -> None:
            nonlocal waited
            began = time.monotonic()
            await self._follow()
            waited = time.monotonic() - began

        observer = PageObserver()
        observer.attach(context)
        context.set_default_timeout((work_s - OWN_TIMEOUT_LEAD_S) * 1000)
        page: Page | None = None
        metrics: dict[str, float] = {}
        failed = True
        blocked_before = len(self.guard.blocked(check.id))
        try:
            await self._artifacts.start(context, check.id, number)
            page = await context.new_page()
            run = JourneyRun(
                check=check.id,
                page=page,
                base_url=self.settings.base_url,
                guard=self.guard,
                observer=observer,
                warn_ratio=self.settings.thresholds.warn_ratio,
                timeout_ms=work_s * 1000,
                accounts=self._accounts,
                metrics=metrics,
                before_navigation=follow if following else None,
                on_measured=self._lead.set if check.id == self._leader else None,
            )
            try:
                async with asyncio.timeout(work_s):
                    await JOURNEYS[check.id](run, check.spec)
            except TimeoutError:
                hint = observer.failures_hint()
                raise CheckFailure(
                    f"did not finish within {work_s:.1f} s (at {run.where()}){hint}",
                    failure_class=FailureClass.NETWORK,
                ) from None
            except PlaywrightError as exc:
                raise browser_failure(exc, check.id) from exc
            failed = False
            status = Status.WARN if run.warnings else Status.PASS
            return Attempt(status, metrics, "; ".join(run.warnings) or None, waited_s=waited)
        except CheckFailure as failure:
            # What the attempt measured before it failed (a slow page's load time) is evidence.
            metrics.setdefault("console_errors", float(len(observer.console_errors)))
            starved = any(
                b.reason.startswith(BUDGET_EXHAUSTED)
                for b in self.guard.blocked(check.id)[blocked_before:]
            )
            if starved:  # we refused our own requests: not the product's fault
                failure = CheckFailure(
                    f"the rate budget ran out during the attempt; {failure.message}",
                    failure_class=FailureClass.INFRASTRUCTURE,
                )
            attempt = Attempt.failed(failure, metrics)
            attempt.waited_s = waited
            return attempt
        finally:
            if check.id == self._leader:
                self._lead.set()  # if it failed before measuring: nobody waits for cleanup
            saving = asyncio.ensure_future(
                self._artifacts.finish(
                    context, page, observer, check=check.id, attempt=number, failed=failed
                )
            )
            await _finish_even_if_cut_off(saving)


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
