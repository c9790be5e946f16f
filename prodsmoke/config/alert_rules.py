"""`alert-rules.yaml`: the schema of alert rules, SLOs and gate defaults, and its loader.

A rule is one of three forms: a metric over (`above`) or under (`below`) a threshold, `failures`
(N failed runs within the window: a one-off failure need not page), or `failing_regions` (K regions
failing within the window). Recipients are e-mail addresses or `service:target` handles. The file
is optional; without it there are no rules and the gate checks the SLO defaults.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from prodsmoke.config.models import StrictModel
from prodsmoke.config.monitoring import (
    METRICS,
    RUN_METRICS,
    Duration,
    Monitoring,
    Name,
    _load,
)
from prodsmoke.errors import ConfigError

ALERT_RULES_FILE = "alert-rules.yaml"

_RECIPIENT = re.compile(
    r"^([^@\s:]+@[^@\s]+\.[^@\s]+|(slack|pagerduty|opsgenie|webhook|teams):\S+)$"
)


def _recipient(value: str) -> str:
    if not _RECIPIENT.match(value):
        raise ValueError(
            "expected an e-mail address, or slack:#channel, pagerduty:SERVICE, "
            "opsgenie:TEAM, webhook:NAME, teams:CHANNEL"
        )
    return value


Recipient = Annotated[str, AfterValidator(_recipient)]


class Rule(StrictModel):
    """One alert: a metric over a threshold, N failures in a window, or K regions failing."""

    id: Name
    severity: Literal["critical", "warning"]
    title: str | None = None
    description: str = ""
    metric: str | None = Field(None, description="a metric name, e.g. smoke_test.success")
    aggregation: Literal["avg", "min", "max", "sum"] = "avg"
    below: float | None = None
    above: float | None = None
    failures: int | None = Field(None, ge=1, le=1000, description="a whole number of failures")
    failing_regions: int | None = Field(None, ge=1, le=50, description="a whole number")
    window: Duration
    scope: Literal["run", "check"] | None = None
    group_by: tuple[Literal["region", "check"], ...] = ()
    notify: tuple[Recipient, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_condition(self) -> Rule:
        kinds = [k for k in ("metric", "failures", "failing_regions") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError("expected exactly one of metric, failures or failing_regions")
        bounds = [b for b in ("below", "above") if getattr(self, b) is not None]
        if self.metric and len(bounds) != 1:
            raise ValueError("expected exactly one of below or above with a metric")
        if not self.metric and bounds:
            raise ValueError(f"{bounds[0]} goes with a metric; failures counts need none")
        return self

    @property
    def kind(self) -> Literal["metric", "failures", "regions"]:
        """Which of the three forms this rule takes."""
        if self.metric:
            return "metric"
        return "failures" if self.failures else "regions"

    @property
    def op(self) -> Literal["<", ">", ">="]:
        """The comparison that breaches."""
        if self.kind != "metric":
            return ">="
        return "<" if self.below is not None else ">"

    @property
    def threshold(self) -> float:
        """The breaching threshold."""
        for value in (self.below, self.above, self.failures, self.failing_regions):
            if value is not None:
                return float(value)
        raise AssertionError("validated: a rule has a threshold")  # pragma: no cover

    def scope_for(self, prefix: str) -> Literal["run", "check"]:
        """Run-level metrics (duration, success, failures) default to `run`, the rest `check`."""
        if self.scope:
            return self.scope
        if self.kind != "metric":
            return "run"
        suffix = (self.metric or "").removeprefix(prefix + ".")
        return "run" if suffix in RUN_METRICS and "check" not in self.group_by else "check"

    @property
    def name(self) -> str:
        """What people see as the alert's title."""
        return self.title or self.id.replace("_", " ").capitalize()


class Slos(StrictModel):
    """Service-level objectives the release gate holds a window of history to."""

    success_rate: float = Field(0.9, gt=0, le=1, description="a share 0-1 of passing runs")
    max_consecutive_failures: int = Field(3, ge=1, le=100, description="a whole number >= 1")
    latency_p95_ms: dict[str, float] = Field(
        default_factory=dict, description="metric name -> milliseconds"
    )


class Gate(StrictModel):
    """`smoke gate` defaults."""

    window: Duration = 1800
    require_data: bool = True


class CloudWatchAlarms(StrictModel):
    """What CloudWatch alarms need beyond the rules."""

    sns_topics: dict[str, str] = Field(
        default_factory=dict, description="recipient -> SNS topic ARN or name"
    )


class AlertRules(StrictModel):
    """Alert rules, SLOs and gate defaults: the one source of thresholds and recipients."""

    env: str = Field("production", pattern=r"^[a-z][a-z0-9_-]{0,31}$", description="an env name")
    expect_data_every: Duration = 1800
    regions: tuple[str, ...] = Field((), description="regions runs report from")
    checks: tuple[Name, ...] = Field((), description="check ids, for per-check CloudWatch alarms")
    rules: tuple[Rule, ...] = ()
    slos: Slos = Slos()
    gate: Gate = Gate()
    cloudwatch: CloudWatchAlarms = CloudWatchAlarms()


def load_alert_rules(
    config_dir: Path, monitoring: Monitoring, *, environ: Mapping[str, str] | None = None
) -> AlertRules:
    """`alert-rules.yaml` (no rules when absent), with metric names checked against the prefix."""
    file = config_dir / ALERT_RULES_FILE
    rules = _load(file, AlertRules, environ)
    known = [monitoring.metric(m) for m in METRICS]
    seen: set[str] = set()
    for i, rule in enumerate(rules.rules):
        if rule.id in seen:
            raise ConfigError(str(file), f"rules[{i}].id", f"duplicate rule id {rule.id!r}")
        seen.add(rule.id)
        if rule.metric and rule.metric not in known:
            raise ConfigError(
                str(file), f"rules[{i}].metric", f"got {rule.metric!r}, expected one of: {known}"
            )
    for name in rules.slos.latency_p95_ms:
        if name not in known:
            raise ConfigError(
                str(file), f"slos.latency_p95_ms.{name}", f"unknown metric; expected one of {known}"
            )
    return rules
