"""Results are values: what a check and a run produced, as frozen dataclasses.

Reporters receive a `RunResult` and nothing else. `RunResult.to_dict()` is the
`prodsmoke/results/v1` document written to results.json (SPEC §4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

SCHEMA = "prodsmoke/results/v1"


class Status(StrEnum):
    """Outcome of a check or a run."""

    PASS = "pass"  # noqa: S105 - a status, not a password
    WARN = "warn"  # works, but over a warning threshold ("degraded")
    FAIL = "fail"
    SKIP = "skip"  # not run: disabled, budget exhausted, deadline hit before start

    @property
    def ok(self) -> bool:
        """True when this status does not fail the run (pass, warn, skip)."""
        return self is not Status.FAIL

    @classmethod
    def worst(cls, statuses: Iterable[Status]) -> Status:
        """The run's status: the worst of the checks that ran; `skip` only if none ran."""
        ran = [s for s in statuses if s is not Status.SKIP]
        if not ran:
            return cls.SKIP
        order = (cls.PASS, cls.WARN, cls.FAIL)
        return max(ran, key=order.index)


class Trigger(StrEnum):
    """Who started a run: the schedule, a person (`--check` subsets, `repro`, `--adhoc`), or a
    deploy (`--trigger deploy`, SPEC §17)."""

    SCHEDULED = "scheduled"
    ADHOC = "adhoc"  # kept in the history, left out of pass rates and the gate
    DEPLOY = "deploy"  # verifies one version: judged by `smoke gate --version`, not pass rates


class CheckKind(StrEnum):
    """The three kinds of check (SPEC §1)."""

    HEALTH = "health"
    API = "api"
    JOURNEY = "journey"


class FailureClass(StrEnum):
    """Why a check failed: the product, the network to it, or our own infrastructure."""

    PRODUCT = "product"  # assertion, 5xx, wrong content
    NETWORK = "network"  # DNS, connect, timeout
    INFRASTRUCTURE = "infrastructure"  # browser crash, account locked, budget, deadline


class RefusalKind(StrEnum):
    """Which rule of the guard refused a request (SPEC §6)."""

    WRITE = "write"  # a method other than GET/HEAD/OPTIONS, not in allowed_writes
    HOST = "host"  # a host that is neither the target's nor in allowed_hosts
    SCHEME = "scheme"  # not http(s) or ws(s)
    WEBSOCKET = "websocket"  # a WebSocket not in allowed_websockets
    DOWNLOAD = "download"  # downloads are refused
    BROWSER_API = "browser_api"  # what no route sees: shared/service workers, WebRTC, …
    BUDGET = "budget"  # the rate budget is spent


@dataclass(frozen=True, slots=True)
class Refusal:
    """The guard's decision not to send a request: which rule, and why in words."""

    kind: RefusalKind
    reason: str


@dataclass(frozen=True, slots=True)
class BlockRecord:
    """One request the guard refused to send (or, under `unrouted`, could not stop).

    `kind` is None for an unrouted request the policy allows.
    """

    check: str
    method: str
    url: str
    reason: str
    kind: RefusalKind | None = None
    resource: str | None = None  # what asked: document, fetch, xhr, ping, … or api

    def to_dict(self) -> dict[str, str | None]:
        """The results.json form."""
        return {
            "check": self.check,
            "method": self.method,
            "url": self.url,
            "reason": self.reason,
            "kind": str(self.kind) if self.kind else None,
        }


@dataclass(frozen=True, slots=True)
class BudgetReport:
    """How much of the target's rate limit a run used.

    `limit_per_minute` is the limit the target advertised (or, when it advertised none, the
    configured `max_requests_per_minute`); `share` is `used / limit_per_minute`; `budget_per_minute`
    is the cap the run held itself to.
    """

    limit_per_minute: int
    used: int
    share: float
    budget_per_minute: int
    advertised: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The results.json form."""
        return {
            "limit_per_minute": self.limit_per_minute,
            "used": self.used,
            "share": round(self.share, 4),
            "budget_per_minute": self.budget_per_minute,
            "advertised": self.advertised,
        }


@dataclass(frozen=True, slots=True)
class SafetyReport:
    """What the guard saw and did during a run.

    `unrouted` lists requests the browser sent that no route could intercept (a GET redirect's
    follow-up), each with the verdict the policy gives it ("allowed" or the reason it would have
    been refused).
    """

    requests: int
    blocked: tuple[BlockRecord, ...]
    budget: BudgetReport
    unrouted: tuple[BlockRecord, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The results.json form."""
        return {
            "requests": self.requests,
            "blocked": [b.to_dict() for b in self.blocked],
            "unrouted": [u.to_dict() for u in self.unrouted],
            "budget": self.budget.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class StepResult:
    """One named, timed step of a journey (SPEC §11)."""

    name: str
    duration_ms: int
    status: Status
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The results.json form."""
        out: dict[str, Any] = {
            "name": self.name,
            "duration_ms": self.duration_ms,
            "status": str(self.status),
        }
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(frozen=True, slots=True)
class PageVitals:
    """The Web Vitals of one page a journey loaded (SPEC §13).

    `path` is a low-cardinality template (`/items/:id`, no query string); `vitals` holds what was
    measured, by name (`ttfb_ms fcp_ms lcp_ms cls inp_ms requests transfer_bytes`; `inp_ms` only
    when the journey interacted with the page); `loads` counts the documents behind it, each
    value being the worst of them.
    """

    path: str
    vitals: Mapping[str, float]
    loads: int = 1

    def to_dict(self) -> dict[str, Any]:
        """The results.json form."""
        return {"path": self.path, "vitals": dict(self.vitals), "loads": self.loads}


def step_tag(name: str) -> str:
    """A step name as a metric tag value: lower case, words joined by `_` ("Open pricing" →
    "open_pricing"), so a rule can name it and every backend accepts it."""
    words = "".join(c if c.isalnum() else " " for c in name.lower()).split()
    return "_".join(words)[:100] or "step"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict on one check, after all its attempts."""

    id: str
    kind: CheckKind
    status: Status
    duration_ms: int
    attempts: int = 1
    flaky: bool = False
    metrics: Mapping[str, float] = field(default_factory=dict)
    error: str | None = None
    failure_class: FailureClass | None = None
    artifacts: tuple[str, ...] = ()
    repro: str = ""
    steps: tuple[StepResult, ...] = ()
    pages: tuple[PageVitals, ...] = ()  # journeys: the verdict's attempt's pages

    def to_dict(self) -> dict[str, Any]:
        """The results.json form (`steps` and `pages` for journeys only)."""
        out: dict[str, Any] = {
            "id": self.id,
            "kind": str(self.kind),
            "status": str(self.status),
            "duration_ms": self.duration_ms,
            "attempts": self.attempts,
            "flaky": self.flaky,
            "metrics": dict(self.metrics),
            "error": self.error,
            "failure_class": str(self.failure_class) if self.failure_class else None,
            "artifacts": list(self.artifacts),
            "repro": self.repro,
        }
        if self.kind is CheckKind.JOURNEY:
            out["steps"] = [step.to_dict() for step in self.steps]
            out["pages"] = [page.to_dict() for page in self.pages]
        return out


@dataclass(frozen=True, slots=True)
class RunResult:
    """One execution of the suite against one environment from one region."""

    run_id: str
    env: str
    region: str
    target: str
    started_at: datetime
    duration_ms: int
    checks: tuple[CheckResult, ...]
    safety: SafetyReport
    browser: str | None = None
    trigger: Trigger = Trigger.SCHEDULED
    maintenance: str | None = None  # the reason of the maintenance window the run fell in
    commit: str | None = None  # the deployed commit the run checked (SPEC §17)
    version: str | None = None  # the deployed version the run checked

    @property
    def status(self) -> Status:
        """The worst status among the checks."""
        return Status.worst(c.status for c in self.checks)

    @property
    def exit_code(self) -> int:
        """0 when every check passed or warned (or was skipped), 1 when any failed (SPEC §3);
        0 as well inside a maintenance window (SPEC §12: nobody is paged, nothing goes red)."""
        return 0 if self.status.ok or self.maintenance is not None else 1

    def check(self, check_id: str) -> CheckResult:
        """The result of one check, by id."""
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(check_id)

    def to_dict(self) -> dict[str, Any]:
        """The `prodsmoke/results/v1` document."""
        return {
            "schema": SCHEMA,
            "run_id": self.run_id,
            "env": self.env,
            "region": self.region,
            "target": self.target,
            "started_at": self.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration_ms": self.duration_ms,
            "status": str(self.status),
            "browser": self.browser,
            "trigger": str(self.trigger),
            "maintenance": self.maintenance,
            "commit": self.commit,
            "version": self.version,
            "checks": [c.to_dict() for c in self.checks],
            "safety": self.safety.to_dict(),
        }
