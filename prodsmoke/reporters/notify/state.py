"""When a check's state changes, from the run history (SPEC §17): what the notifiers send.

A scheduled run outside any maintenance window is judged, check by check, on the environment's
recent counted runs (every region's; this run included even when its history row had to be
spooled):

- **failing** starts when the check failed on its latest run in some region — or, when the alert
  rules have N-of-M forms (`failures: N` failed runs, `failing_regions: K` regions, each over its
  window), once one of them holds for this check. The first runner to see it (alert_states'
  compare-and-set) sends `trigger`; every later failing run is the steady state: nothing.
- **resolved** is when the check's latest run passes in every region it was seen in: `resolve`,
  once.

Ad-hoc and deploy runs, and runs inside a maintenance window, change nothing and send nothing
(a deploy's verdict goes to the deployment's checks: `reporters.github_checks`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from prodsmoke import redact
from prodsmoke.history.alert_states import AlertLog
from prodsmoke.history.fingerprint import fingerprint
from prodsmoke.history.rows import StoredRun
from prodsmoke.history.stats import Observation, observations
from prodsmoke.outcomes import run_failure_class
from prodsmoke.results import Status, Trigger

if TYPE_CHECKING:
    from collections.abc import Sequence

    from prodsmoke.config.alert_rules import AlertRules, Rule
    from prodsmoke.history.store import History
    from prodsmoke.results import CheckResult, RunResult

MIN_LOOKBACK = timedelta(hours=1)
SEVERITY_ORDER = ("critical", "high", "medium", "warning", "low")
_STEP = re.compile(r"^step '([^']+)'")


@dataclass(frozen=True, slots=True)
class Change:
    """One check starting to fail (`trigger`) or passing again (`resolve`)."""

    action: Literal["trigger", "resolve"]
    env: str
    check: str
    check_kind: str
    regions: tuple[str, ...]  # failing (trigger) or passing again (resolve)
    since: datetime  # when the failure began
    at: datetime  # the run that changed the state
    run_id: str
    target: str
    repro: str
    step: str | None = None
    error: str | None = None  # redacted
    failure_class: str | None = None
    fingerprint: str | None = None
    new: bool = False  # a fingerprint the history had never seen
    severity: str | None = None  # the alert rule's, when one asked for more than one failure
    rule: str | None = None
    artifacts_url: str | None = None  # of the run the evidence comes from
    artifacts: tuple[str, ...] = ()
    evidence_run: str | None = None

    @property
    def dedup_key(self) -> str:
        """One incident per environment and check (PagerDuty's `dedup_key`)."""
        return f"prodsmoke/{self.env}/{self.check}"

    @property
    def failing_for_s(self) -> float:
        """How long the check has been (or was) failing."""
        return max((self.at - self.since).total_seconds(), 0.0)


@dataclass
class Evaluation:
    """The state changes one run brings, evaluated once and shared by every notifier."""

    history: History
    rules: AlertRules | None
    artifacts_url: str | None = None
    _done: dict[str, list[Change]] = field(default_factory=dict)

    def changes(self, run: RunResult) -> list[Change]:
        """The changes `evaluate` found for `run` (none when it was not, or could not be)."""
        return self._done.get(run.run_id, [])

    def evaluate(self, run: RunResult) -> list[Change]:
        """Judge `run`, change the alert states it changes, and return those changes."""
        self._done[run.run_id] = []
        if run.trigger is not Trigger.SCHEDULED or run.maintenance is not None:
            return []
        rules = self.rules
        lookback = max(
            MIN_LOOKBACK,
            timedelta(seconds=2 * (rules.expect_data_every if rules else 1800)),
            *(timedelta(seconds=r.window) for r in _n_of_m(rules)),
        )
        stored = self.history.runs(env=run.env, since=run.started_at - lookback)
        mine = next((r for r in stored if r.run_id == run.run_id), None)
        if mine is None:  # its history row was spooled: judge it all the same
            mine = _as_stored(run, self.artifacts_url)
            stored.append(mine)
        counted = sorted((r for r in stored if r.counts), key=lambda r: r.started_at)
        timeline = observations(counted)
        states = AlertLog(self.history).states(run.env)
        found: list[Change] = []
        for check in run.checks:
            if check.status is Status.SKIP:
                continue
            seen = timeline.get(check.id, [])
            state = states.get(check.id)
            change = self._judge(run, check, seen, firing=bool(state and state.firing))
            if change is not None:
                found.append(change)
        self._done[run.run_id] = found
        return found

    def _judge(
        self, run: RunResult, check: CheckResult, seen: list[Observation], *, firing: bool
    ) -> Change | None:
        latest = _latest_by_region(seen)
        failing = sorted(region for region, o in latest.items() if o.check.status is Status.FAIL)
        if firing and not failing:
            ended = AlertLog(self.history).resolve(run.env, check.id, run_id=run.run_id)
            if ended is None:
                return None  # another runner resolved it first
            return Change(
                "resolve",
                run.env,
                check.id,
                str(check.kind),
                tuple(sorted(latest)),
                ended.since,
                run.started_at,
                run.run_id,
                redact.redact(run.target),
                check.repro,
                severity=ended.severity,
            )
        if firing or not failing:
            return None  # the steady state
        rule = _breached(self.rules, seen, run.started_at)
        if rule is False:
            return None  # failing, but not yet as often as a rule asks
        since = min(_streak_start(seen, region) for region in failing)
        severity = rule.severity if rule else None
        if not AlertLog(self.history).fire(
            run.env, check.id, since=since, run_id=run.run_id, severity=severity
        ):
            return None  # another runner sent it
        evidence = _evidence(run, check, latest, failing)
        return self._trigger(run, evidence, failing, since, rule)

    def _trigger(
        self,
        run: RunResult,
        evidence: Observation,
        failing: list[str],
        since: datetime,
        rule: Rule | None,
    ) -> Change:
        check = evidence.check
        error = redact.redact(check.error) if check.error else None
        print_ = fingerprint(check.id, error)
        new = False
        if print_ is not None:
            seen = self.history.seen_fingerprints(run.env, [print_], besides=evidence.run_id)
            new = not seen
        step = next((s.name for s in check.steps if s.status is Status.FAIL), None)
        if step is None and error and (match := _STEP.match(error)):
            step = match.group(1)
        return Change(
            "trigger",
            run.env,
            check.id,
            str(check.kind),
            tuple(failing),
            since,
            run.started_at,
            run.run_id,
            redact.redact(run.target),
            check.repro,
            step=step,
            error=error,
            failure_class=str(check.failure_class) if check.failure_class else None,
            fingerprint=print_,
            new=new,
            severity=rule.severity if rule else None,
            rule=rule.id if rule else None,
            artifacts_url=evidence.artifacts_url,
            artifacts=tuple(check.artifacts),
            evidence_run=evidence.run_id,
        )


def _n_of_m(rules: AlertRules | None) -> list[Rule]:
    """The rules that say how many failures page: `failures` (runs) and `failing_regions`."""
    if rules is None:
        return []
    return [r for r in rules.rules if r.kind in ("failures", "regions")]


def _breached(
    rules: AlertRules | None, seen: Sequence[Observation], now: datetime
) -> Rule | Literal[False] | None:
    """None: no rule asks for more than the first failure. The most severe rule that holds for
    this check's failures, or False when none does yet."""
    asking = _n_of_m(rules)
    if not asking:
        return None
    held = []
    for rule in asking:
        recent = [o for o in seen if o.at >= now - timedelta(seconds=rule.window)]
        failed = [o for o in recent if o.check.status is Status.FAIL]
        count = len({o.region for o in failed}) if rule.kind == "regions" else len(failed)
        if count >= rule.threshold:
            held.append(rule)
    if not held:
        return False
    return min(held, key=lambda r: SEVERITY_ORDER.index(r.severity))


def _latest_by_region(seen: Sequence[Observation]) -> dict[str, Observation]:
    latest: dict[str, Observation] = {}
    for item in seen:  # oldest first
        if item.check.status is not Status.SKIP:
            latest[item.region] = item
    return latest


def _streak_start(seen: Sequence[Observation], region: str) -> datetime:
    start = None
    for item in reversed([o for o in seen if o.region == region]):
        if item.check.status is Status.SKIP:
            continue
        if item.check.status is not Status.FAIL:
            break
        start = item.at
    if start is None:  # pragma: no cover - called for failing regions only
        raise AssertionError(region)
    return start


def _evidence(
    run: RunResult, check: CheckResult, latest: dict[str, Observation], failing: list[str]
) -> Observation:
    """The failure to show: this run's when it failed here (it has its steps), else the latest
    failing region's."""
    if check.status is Status.FAIL and run.region in failing:
        mine = latest[run.region]
        return Observation(mine.at, mine.run_id, mine.region, mine.artifacts_url, check)
    return max((latest[r] for r in failing), key=lambda o: o.at)


def _as_stored(run: RunResult, artifacts_url: str | None) -> StoredRun:
    return StoredRun(
        run_id=run.run_id,
        env=run.env,
        region=run.region,
        target=run.target,
        started_at=run.started_at,
        duration_ms=run.duration_ms,
        status=run.status,
        failure_class=run_failure_class(run),
        artifacts_url=artifacts_url,
        checks=run.checks,
        trigger=run.trigger,
        maintenance=run.maintenance,
        commit=run.commit,
        version=run.version,
    )
