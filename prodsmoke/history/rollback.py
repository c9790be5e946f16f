"""The runbook's automated rollback triggers, judged over recent runs: a pure function.

    rollback:                        # in alert-rules.yaml, per environment
      failure_rate_above: 0.5        # more than half the runs in the gate window failed
      health_check_failing: true     # a health check fails in the latest run of a region
      critical_journey_failing: true # a journey in critical_journeys fails there

`rollback_violations(rollback, runs, …)` takes runs as plain values (`RunView`: env, region,
started_at, status, and per check id, kind, status) and answers the violations, each with a
reason, the check it is about and its evidence, the shape `smoke gate` prints. It reads nothing
and writes nothing; which runs to pass (e.g. without ad-hoc or maintenance runs) is the caller's
choice. The failure rate counts the runs that ran (not `skip`); the check conditions look at each
region's latest run only, so a failure that has since recovered does not roll a release back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from prodsmoke.config.monitoring import format_duration

if TYPE_CHECKING:
    from prodsmoke.config.alert_rules import Rollback


class _CheckLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...


class _RunLike(Protocol):
    @property
    def env(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...
    @property
    def checks(self) -> Sequence[_CheckLike]: ...


@dataclass(frozen=True, slots=True)
class CheckView:
    """One check of a run: its id, kind (health, api, journey) and status."""

    id: str
    kind: str
    status: str


@dataclass(frozen=True, slots=True)
class RunView:
    """One run, as plain values."""

    env: str
    region: str
    started_at: datetime
    status: str  # pass, warn, fail, skip
    checks: tuple[CheckView, ...] = ()
    run_id: str = ""

    @classmethod
    def of(cls, run: _RunLike) -> RunView:
        """From anything shaped like a run (a `RunResult`, a stored run)."""
        checks = tuple(CheckView(c.id, str(c.kind), str(c.status)) for c in run.checks)
        run_id = str(getattr(run, "run_id", ""))
        return cls(run.env, run.region, run.started_at, str(run.status), checks, run_id)


@dataclass(frozen=True, slots=True)
class RollbackViolation:
    """One rollback condition that holds."""

    condition: str  # failure_rate_above, health_check_failing, critical_journey_failing
    reason: str
    check: str | None
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, as `smoke gate` prints violations."""
        return {"reason": self.reason, "check": self.check, "evidence": dict(self.evidence)}


def rollback_violations(
    rollback: Rollback,
    runs: Iterable[RunView],
    *,
    env: str,
    now: datetime,
    window_s: int,
    critical_journeys: Sequence[str] = (),
) -> list[RollbackViolation]:
    """Every rollback condition that holds for `env` over the `window_s` before `now`."""
    now = _utc(now)
    start = now - timedelta(seconds=window_s)
    recent = sorted(
        (r for r in runs if r.env == env and start <= _utc(r.started_at) <= now),
        key=lambda r: _utc(r.started_at),
    )
    window = format_duration(window_s)
    found: list[RollbackViolation] = []
    if rollback.failure_rate_above is not None:
        found += _failure_rate(rollback.failure_rate_above, recent, window)
    latest: dict[str, RunView] = {}
    for run in recent:
        if run.status != "skip":
            latest[run.region] = run
    if rollback.health_check_failing:
        found += _failing(
            "health_check_failing", latest, lambda c: c.kind == "health", "health check", window
        )
    if rollback.critical_journey_failing:
        critical = frozenset(critical_journeys)
        found += _failing(
            "critical_journey_failing",
            latest,
            lambda c: c.kind == "journey" and c.id in critical,
            "critical journey",
            window,
        )
    return found


def _failure_rate(limit: float, runs: list[RunView], window: str) -> list[RollbackViolation]:
    ran = [r for r in runs if r.status != "skip"]
    failed = [r for r in ran if r.status == "fail"]
    if not ran or len(failed) / len(ran) <= limit:
        return []
    rate = len(failed) / len(ran)
    evidence = {
        "failure_rate": round(rate, 4),
        "limit": limit,
        "failed": len(failed),
        "ran": len(ran),
        "window": window,
        "runs": [r.run_id for r in failed if r.run_id][-10:],
    }
    reason = f"rollback: {rate:.0%} of runs failed (more than {limit:.0%}) over {window}"
    return [RollbackViolation("failure_rate_above", reason, None, evidence)]


def _failing(
    condition: str,
    latest: Mapping[str, RunView],
    wanted: Any,
    what: str,
    window: str,
) -> list[RollbackViolation]:
    regions: dict[str, list[RunView]] = {}
    for run in latest.values():
        for check in run.checks:
            if wanted(check) and check.status == "fail":
                regions.setdefault(check.id, []).append(run)
    out = []
    for check_id, failing in sorted(regions.items()):
        evidence = {
            "regions": sorted(r.region for r in failing),
            "latest_runs": sorted(r.run_id for r in failing if r.run_id),
            "window": window,
        }
        where = ", ".join(evidence["regions"])
        reason = f"rollback: {what} {check_id} fails in the latest run ({where})"
        out.append(RollbackViolation(condition, reason, check_id, evidence))
    return out


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
