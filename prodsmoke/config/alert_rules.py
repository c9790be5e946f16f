"""`alert-rules.yaml`: one environment's alert rules, SLOs, gate, rollback and uptime settings.

A rule watches one of six things: a metric over (`above`) or under (`below`) a threshold, or
slower than the version before (`slower_than_previous: 20%`, judged by `smoke gate --version`:
its median, p75 for a Web Vital, against the previous version's);
`failures` (N failed runs in the window: a one-off failure need not page); `failing_regions` (K
regions failing); `failing_checks` (N checks failing); `failing_share` (more than a share of the
checks failing); `warning_checks` (N checks in `warn`). `check:` (ids) or `check_kind:` (health,
api, journey, critical_journey) narrow a rule to some checks; `step:` and `page:` go with the step
and Web Vitals metrics. Severities follow the runbook: critical, high, medium, low (plus
`warning`, the older name between medium and low). Recipients are e-mail addresses or
`service:target` handles.

The file may hold one environment or several: `prodsmoke.config.alert_file.load_alert_rules`
reads it, and `AlertRulesFile.for_env(name)` gives the `AlertRules` below.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from prodsmoke.config.fields import StrictModel
from prodsmoke.config.maintenance import MaintenanceWindow
from prodsmoke.config.monitoring import RUN_METRICS, Duration, Name

ALERT_RULES_FILE = "alert-rules.yaml"

Severity = Literal["critical", "high", "medium", "warning", "low"]
# Datadog monitor priorities (P1 pages at once … P4 waits for working hours).
PRIORITY: Mapping[Severity, int] = {"critical": 1, "high": 2, "medium": 3, "warning": 3, "low": 4}
Selector = Literal["health", "api", "journey", "critical_journey"]
RuleKind = Literal[
    "metric",
    "regression",
    "failures",
    "regions",
    "failing_checks",
    "failing_share",
    "warning_checks",
]
BOUNDS = ("below", "above", "slower_than_previous")
FORMS = (
    "metric",
    "failures",
    "failing_regions",
    "failing_checks",
    "failing_share",
    "warning_checks",
)
CHECK_FORMS = frozenset({"failing_checks", "failing_share", "warning_checks"})

_RECIPIENT = re.compile(
    r"^([^@\s:]+@[^@\s]+\.[^@\s]+|(slack|pagerduty|opsgenie|webhook|teams):\S+)$"
)
EnvName = Annotated[
    str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$", description="an environment name, e.g. staging")
]


def _recipient(value: str) -> str:
    if not _RECIPIENT.match(value):
        raise ValueError(
            "expected an e-mail address, or slack:#channel, pagerduty:SERVICE, "
            "opsgenie:TEAM, webhook:NAME, teams:CHANNEL"
        )
    return value


def _one_or_many(value: object) -> object:
    return (value,) if isinstance(value, str) else value


_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
PERCENT_FORM = "a percentage like 20%"


def _percent(value: object) -> object:
    """`20%` -> 0.2 (a bare number is refused: 0.2 and 20 would both be plausible)."""
    match = _PERCENT.match(value) if isinstance(value, str) else None
    share = float(match.group(1)) / 100 if match else 0.0
    if not 0 < share <= MAX_SLOWER:
        raise ValueError(f"expected {PERCENT_FORM} (more than 0%, at most 1000%)")
    return share


MAX_SLOWER = 10.0  # 1000%: more is a typo
Percent = Annotated[float, BeforeValidator(_percent), Field(description=PERCENT_FORM)]
# Metrics that are no timing: "slower" means nothing for them.
NOT_TIMINGS = (".success", ".failures", ".retries", ".console_errors")
# A regression rule needs no window of its own (it compares versions); `window` then bounds how
# long ago the previous version's runs may be.
REGRESSION_WINDOW = "30d"


Recipient = Annotated[str, AfterValidator(_recipient)]
CheckIds = Annotated[
    tuple[Name, ...],
    BeforeValidator(_one_or_many),
    Field(description="a check id or a list of them, e.g. [login_flow]"),
]


class Rule(StrictModel):
    """One alert: a metric, failed runs, failing regions, or failing / warning checks."""

    id: Name
    severity: Severity
    title: str | None = None
    description: str = ""
    metric: str | None = Field(None, description="a metric name, e.g. smoke_test.success")
    aggregation: Literal["avg", "min", "max", "sum"] = "avg"
    below: float | None = None
    above: float | None = None
    slower_than_previous: Percent | None = None
    failures: int | None = Field(None, ge=1, le=1000, description="a whole number of failures")
    failing_regions: int | None = Field(None, ge=1, le=50, description="a whole number")
    failing_checks: int | None = Field(None, ge=1, le=1000, description="a whole number")
    failing_share: float | None = Field(None, ge=0, lt=1, description="a share 0-1, e.g. 0.3")
    warning_checks: int | None = Field(None, ge=1, le=1000, description="a whole number")
    check: CheckIds = ()
    check_kind: Selector | None = None
    step: str | None = Field(None, min_length=1, description="a step name of the one check")
    page: str | None = Field(None, min_length=1, description="a page path, e.g. /pricing")
    window: Duration
    scope: Literal["run", "check"] | None = None
    group_by: tuple[Literal["region", "check"], ...] = ()
    notify: tuple[Recipient, ...]

    @model_validator(mode="before")
    @classmethod
    def _regression_defaults(cls, data: object) -> object:
        # `smoke gate --version` alone judges a regression rule: it needs no window of its own,
        # and nobody to page
        if isinstance(data, dict) and data.get("slower_than_previous") is not None:
            return {"window": REGRESSION_WINDOW, "notify": (), **data}
        return data

    @field_validator("notify")
    @classmethod
    def _someone(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        if not value and info.data.get("slower_than_previous") is None:
            raise ValueError(
                "expected at least one recipient: an e-mail address, or slack:#channel, "
                "pagerduty:SERVICE, opsgenie:TEAM, webhook:NAME, teams:CHANNEL"
            )
        return value

    @model_validator(mode="after")
    def _one_condition(self) -> Rule:
        forms = [k for k in FORMS if getattr(self, k) is not None]
        if len(forms) != 1:
            raise ValueError(
                "expected exactly one of metric, failures or failing_regions (runs), or "
                "failing_checks, failing_share or warning_checks (checks)"
            )
        bounds = [b for b in BOUNDS if getattr(self, b) is not None]
        if self.metric and len(bounds) != 1:
            raise ValueError(
                "expected exactly one of below, above or slower_than_previous with a metric"
            )
        if not self.metric and bounds:
            raise ValueError(f"{bounds[0]} goes with a metric; the other forms hold their own")
        if self.slower_than_previous is not None:
            metric = self.metric or ""
            if metric.endswith(NOT_TIMINGS):
                raise ValueError(
                    f"slower_than_previous compares timings; {metric} is not one "
                    "(give it below or above)"
                )
            if self.group_by:
                raise ValueError("slower_than_previous compares each check; drop group_by")
        if self.check and self.check_kind:
            raise ValueError("expected check or check_kind, not both: each selects checks")
        if (self.check or self.check_kind) and forms[0] in ("failures", "failing_regions"):
            raise ValueError(f"{forms[0]} counts runs; to count checks use failing_checks")
        metric = self.metric or ""
        if self.step and (not metric.endswith(".step.duration") or len(self.check) != 1):
            raise ValueError("step goes with metric smoke_test.step.duration and one check")
        if self.page and ".web_vitals." not in metric:
            raise ValueError("page goes with a smoke_test.web_vitals.* metric")
        if self.group_by and forms[0] in CHECK_FORMS:
            raise ValueError(f"group_by goes with metric and failures rules, not {forms[0]}")
        return self

    @property
    def kind(self) -> RuleKind:
        """Which of the forms this rule takes (a metric's regression form apart)."""
        if self.metric:
            return "regression" if self.slower_than_previous is not None else "metric"
        if self.failures:
            return "failures"
        if self.failing_regions:
            return "regions"
        if self.failing_checks:
            return "failing_checks"
        return "failing_share" if self.failing_share is not None else "warning_checks"

    @property
    def op(self) -> Literal["<", ">", ">="]:
        """The comparison that breaches."""
        if self.kind == "metric":
            return "<" if self.below is not None else ">"
        return ">" if self.kind in ("failing_share", "regression") else ">="

    @property
    def threshold(self) -> float:
        """The breaching threshold (for a regression: the share slower, 0.2 for 20%)."""
        for name in (*BOUNDS, *FORMS[1:]):
            value = getattr(self, name)
            if value is not None:
                return float(value)
        raise AssertionError("validated: a rule has a threshold")  # pragma: no cover

    @property
    def counts_checks(self) -> bool:
        """Whether the rule counts checks (failing, warning) rather than a metric or runs."""
        return self.kind in CHECK_FORMS

    @property
    def monitored(self) -> bool:
        """Whether the rule becomes a monitor or alarm (`smoke alerts`) and counts in the window
        gate; a regression rule is judged by `smoke gate --version` alone."""
        return self.kind != "regression"

    def scope_for(self, prefix: str) -> Literal["run", "check"]:
        """Run-level metrics (duration, success, failures) default to `run`, the rest `check`."""
        if self.scope:
            return self.scope
        if self.counts_checks:
            return "check"
        if self.kind != "metric":
            return "run"
        suffix = (self.metric or "").removeprefix(prefix + ".")
        selective = self.check or "check" in self.group_by
        return "run" if suffix in RUN_METRICS and not selective else "check"

    def selects(self, check_id: str, step: str | None = None, page: str | None = None) -> bool:
        """Whether a point from `check_id` (and `step`, `page`) counts for this rule.

        `check_kind` is resolved into `check` when the file is loaded, so this needs no catalog.
        """
        return (
            (not self.check or check_id in self.check)
            and (self.step is None or step == self.step)
            and (self.page is None or page == self.page)
        )

    @property
    def priority(self) -> int:
        """Datadog priority: 1 (critical) to 4 (low)."""
        return PRIORITY[self.severity]

    @property
    def name(self) -> str:
        """What people see as the alert's title."""
        return self.title or self.id.replace("_", " ").capitalize()


class LatencySlo(StrictModel):
    """A p95 objective for one metric, optionally of some checks, one step or one page."""

    metric: str = Field(description="a metric name, e.g. smoke_test.step.duration")
    check: CheckIds = ()
    step: str | None = Field(None, min_length=1, description="a step name of the one check")
    page: str | None = Field(None, min_length=1, description="a page path, e.g. /pricing")
    p95_ms: float = Field(gt=0, description="milliseconds, a number > 0")


class Slos(StrictModel):
    """Service-level objectives the release gate holds a window of history to."""

    success_rate: float = Field(0.9, gt=0, le=1, description="a share 0-1 of passing runs")
    max_consecutive_failures: int = Field(3, ge=1, le=100, description="a whole number >= 1")
    latency_p95_ms: dict[str, float] = Field(
        default_factory=dict, description="metric name -> milliseconds"
    )
    latency: tuple[LatencySlo, ...] = ()


class Gate(StrictModel):
    """`smoke gate` defaults."""

    window: Duration = 1800
    require_data: bool = True


class Rollback(StrictModel):
    """When `smoke gate` says roll back (the runbook's automated rollback triggers).

    Each condition is judged over the gate window by `prodsmoke.history.rollback`.
    """

    failure_rate_above: float | None = Field(
        None, ge=0, lt=1, description="a share 0-1 of the runs, e.g. 0.5"
    )
    health_check_failing: bool = False
    critical_journey_failing: bool = False

    @property
    def enabled(self) -> bool:
        """Whether any condition is set."""
        return (
            self.failure_rate_above is not None
            or self.health_check_failing
            or self.critical_journey_failing
        )


class Uptime(StrictModel):
    """External uptime checks (Pingdom, StatusCake): one per health check."""

    every: Duration | None = Field(
        None, description="a duration like 5m; at most the schedule's period (the default)"
    )
    checks: CheckIds = ()
    notify: tuple[Recipient, ...] = ()


class CloudWatchAlarms(StrictModel):
    """What CloudWatch alarms need beyond the rules."""

    sns_topics: dict[str, str] = Field(
        default_factory=dict, description="recipient -> SNS topic ARN or name"
    )


class PingdomContacts(StrictModel):
    """Who Pingdom alerts for one recipient (API 3.1 userids, teamids, integrationids)."""

    users: tuple[int, ...] = ()
    teams: tuple[int, ...] = ()
    integrations: tuple[int, ...] = ()


class PingdomSettings(StrictModel):
    """Pingdom uptime checks: recipient -> Pingdom contacts."""

    contacts: dict[str, PingdomContacts] = Field(
        default_factory=dict, description="recipient -> {users: [ids], teams: [ids]}"
    )


ContactGroupId = Annotated[
    str,
    BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v),
    Field(pattern=r"^\d+$", description="a StatusCake contact group id, e.g. 123456"),
]


class StatusCakeSettings(StrictModel):
    """StatusCake uptime checks: recipient -> contact group id."""

    contact_groups: dict[str, ContactGroupId] = Field(
        default_factory=dict, description="recipient -> contact group id"
    )


class AlertRules(StrictModel):
    """One environment's rules, SLOs, gate and rollback settings, maintenance and uptime."""

    env: EnvName
    expect_data_every: Duration = 1800
    missing_data: Literal["alert", "ignore"] = "alert"
    regions: tuple[str, ...] = Field((), description="regions runs report from")
    checks: tuple[Name, ...] = Field((), description="check ids, for per-check CloudWatch alarms")
    critical_journeys: CheckIds = ()
    rules: tuple[Rule, ...] = ()
    slos: Slos = Slos()
    gate: Gate = Gate()
    rollback: Rollback = Rollback()
    maintenance: tuple[MaintenanceWindow, ...] = ()
    uptime: Uptime = Uptime()
    cloudwatch: CloudWatchAlarms = CloudWatchAlarms()
    pingdom: PingdomSettings | None = None
    statuscake: StatusCakeSettings | None = None

    def maintenance_at(self, at: datetime) -> MaintenanceWindow | None:
        """The recurring maintenance window `at` falls in, if any."""
        return next((w for w in self.maintenance if w.active_at(at)), None)

    def monitored_only(self) -> AlertRules:
        """These rules without the regression ones (`smoke gate --version` judges those; no
        monitor, alarm or window gate can)."""
        if all(r.monitored for r in self.rules):
            return self
        return self.model_copy(update={"rules": tuple(r for r in self.rules if r.monitored)})

    def rules_for(self, check_id: str) -> tuple[Rule, ...]:
        """The rules that name `check_id` (by id or kind)."""
        return tuple(r for r in self.rules if r.check and check_id in r.check)
