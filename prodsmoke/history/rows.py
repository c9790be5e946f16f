"""A run as history rows, and back.

`payload` is the JSON form of one run's rows (the spool keeps it when the database cannot be
reached, and the next run inserts it as is); `stored_run` reads rows back into a `StoredRun`.
A journey's pages (Web Vitals, issue 14) are `page_vitals` rows; a payload spooled by an older
prodsmoke has none. Revision 0003 (issue 22) adds the run's `commit_sha` and `version` and each
failed check's error `fingerprint`; a payload spooled before them gets them when it is inserted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prodsmoke import redact
from prodsmoke.config.vitals import VITALS
from prodsmoke.history.fingerprint import fingerprint
from prodsmoke.outcomes import run_failure_class
from prodsmoke.results import CheckKind, CheckResult, FailureClass, PageVitals, Status, Trigger

if TYPE_CHECKING:
    from collections.abc import Sequence

    from prodsmoke.results import RunResult


@dataclass(frozen=True, slots=True)
class StoredRun:
    """One run as the history keeps it."""

    run_id: str
    env: str
    region: str
    target: str
    started_at: datetime
    duration_ms: int
    status: Status
    failure_class: FailureClass | None
    artifacts_url: str | None
    checks: tuple[CheckResult, ...]
    trigger: Trigger = Trigger.SCHEDULED
    maintenance: str | None = None
    commit: str | None = None
    version: str | None = None
    fingerprints: Mapping[str, str] = field(default_factory=dict)  # failed check -> fingerprint

    @property
    def counts(self) -> bool:
        """True when the run counts in pass rates and the gate: scheduled, outside maintenance
        (ad-hoc and deploy runs do not)."""
        return self.trigger is Trigger.SCHEDULED and self.maintenance is None


def payload(run: RunResult, artifacts_url: str | None) -> dict[str, Any]:
    """The run's rows as JSON values (times as ISO 8601), already redacted."""
    run_class = run_failure_class(run)
    row = {
        "run_id": run.run_id,
        "env": run.env,
        "region": run.region,
        "trigger": str(run.trigger),
        "maintenance": redact.redact(run.maintenance) if run.maintenance else None,
        "target": redact.redact(run.target),
        "started_at": run.started_at.isoformat(),
        "duration_ms": run.duration_ms,
        "status": str(run.status),
        "failure_class": str(run_class) if run_class else None,
        "artifacts_url": redact.redact(artifacts_url) if artifacts_url else None,
        "requests": run.safety.requests,
        "blocked": len(run.safety.blocked),
        "commit_sha": run.commit,
        "version": run.version,
    }
    checks = [
        {
            "run_id": run.run_id,
            "check_id": c.id,
            "position": i,
            "kind": str(c.kind),
            "status": str(c.status),
            "duration_ms": c.duration_ms,
            "attempts": c.attempts,
            "flaky": c.flaky,
            "metrics": dict(c.metrics),
            "error": redact.redact(c.error) if c.error else None,
            "failure_class": str(c.failure_class) if c.failure_class else None,
            "artifacts": list(c.artifacts),
            "repro": c.repro,
            "fingerprint": _fingerprint(c),
        }
        for i, c in enumerate(run.checks)
    ]
    pages = [
        {
            "run_id": run.run_id,
            "check_id": c.id,
            "page": p.path,
            "position": i,
            "loads": p.loads,
            **{v: p.vitals.get(v) for v in VITALS},
        }
        for c in run.checks
        for i, p in enumerate(c.pages)
    ]
    return {"run": row, "checks": checks, "pages": pages}


def _fingerprint(check: CheckResult) -> str | None:
    if check.status is not Status.FAIL or not check.error:
        return None
    return fingerprint(check.id, redact.redact(check.error))


def page_rows(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A payload's `page_vitals` rows (none in a payload from before they were kept)."""
    return [dict(page) for page in doc.get("pages") or ()]


def insertable(doc: Mapping[str, Any], recorded_at: datetime) -> tuple[dict[str, Any], list[Any]]:
    """A payload's run row (times as datetimes) and check rows, ready for an INSERT."""
    row = dict(doc["run"])
    row["started_at"] = datetime.fromisoformat(row["started_at"])
    row["recorded_at"] = recorded_at
    row.setdefault("commit_sha", None)  # spooled before revision 0003
    row.setdefault("version", None)
    checks = [_with_fingerprint(dict(c)) for c in doc["checks"]]
    return row, checks


def _with_fingerprint(check: dict[str, Any]) -> dict[str, Any]:
    if "fingerprint" not in check:  # spooled before revision 0003
        failed = check.get("status") == "fail" and check.get("error")
        check["fingerprint"] = fingerprint(check["check_id"], check["error"]) if failed else None
    return check


# Enum members by value: a report reads tens of thousands of checks, and Enum(value) is slow.
_KINDS = {k.value: k for k in CheckKind}
_STATUSES = {s.value: s for s in Status}
_CLASSES: dict[str | None, FailureClass | None] = {c.value: c for c in FailureClass} | {None: None}


def check_result(row: Mapping[str, Any], pages: Sequence[PageVitals] = ()) -> CheckResult:
    """A stored check (with its pages' Web Vitals, when it has any)."""
    return CheckResult(
        id=row["check_id"],
        kind=_KINDS[row["kind"]],
        status=_STATUSES[row["status"]],
        duration_ms=row["duration_ms"],
        attempts=row["attempts"],
        flaky=bool(row["flaky"]),
        metrics=row["metrics"],
        error=row["error"],
        failure_class=_CLASSES[row["failure_class"]],
        artifacts=tuple(row["artifacts"]),
        repro=row["repro"],
        pages=tuple(pages),
    )


def stored_page(row: Mapping[str, Any]) -> PageVitals:
    """A stored page (its NULL vitals were not measured)."""
    vitals = {v: _number(v, row[v]) for v in VITALS if row[v] is not None}
    return PageVitals(row["page"], vitals, row["loads"])


def _number(vital: str, value: float) -> float:
    # Whole numbers come back whole (ms, counts, bytes), as results.json has them.
    return float(value) if vital == "cls" else round(value)


def stored_run(
    row: Mapping[str, Any],
    checks: Sequence[CheckResult],
    fingerprints: Mapping[str, str] | None = None,
) -> StoredRun:
    """A stored run with its checks (and their failures' fingerprints, by check id)."""
    return StoredRun(
        run_id=row["run_id"],
        env=row["env"],
        region=row["region"],
        target=row["target"],
        started_at=row["started_at"],
        duration_ms=row["duration_ms"],
        status=Status(row["status"]),
        failure_class=FailureClass(row["failure_class"]) if row["failure_class"] else None,
        artifacts_url=row["artifacts_url"],
        checks=tuple(checks),
        trigger=Trigger(row["trigger"]),
        maintenance=row["maintenance"],
        commit=row.get("commit_sha"),
        version=row.get("version"),
        fingerprints=dict(fingerprints or {}),
    )
