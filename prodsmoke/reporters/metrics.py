"""The metric points a run becomes (SPEC §7), before any backend's format.

Per run: `duration` (ms), `success` (1 pass/warn, 0 fail) and `failures` (its complement, so
"N failures in M minutes" is a plain sum). Per check that ran: `success`, `failures`,
`check.duration` (ms) and `retries` (attempts - 1); `homepage_load` from the homepage journey's
`page_load_ms`; `api_response` from API checks' `response_time_ms`. A skipped check has no points.

A journey's steps become `step.duration` (ms, tagged `step`: the step's name as a tag value,
`results.step_tag`), and each of its metrics (the built-ins' `login_ms`…, a team's
`smoke.metric("plans_ms", …)`) becomes `journey.<name>`: milliseconds unless the name ends in
`_count`, `_bytes` or `_ratio` (`console_errors` is a count). Each page a journey loaded
becomes `web_vitals.<v>` for every vital measured there (`ttfb_ms fcp_ms lcp_ms cls inp_ms
requests transfer_bytes`, SPEC §13), tagged `page`: the page's path template (`/items/:id`).

Tags, in this order, empty ones left out: `env`, `region`, `scope` (`run` or `check`, so one
metric name can carry both levels without mixing them), `check`, `status`, `failure_class`,
`step`, `page`; then the configured static tags. Every value is an id, an enum, a step tag or a
page template, never free text or a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from prodsmoke.config.vitals import UNITS as VITAL_UNITS
from prodsmoke.config.vitals import Unit
from prodsmoke.outcomes import check_values, run_failure_class
from prodsmoke.results import CheckKind, CheckResult, RunResult, Status, step_tag

__all__ = ["UNITS", "Point", "points", "run_values"]

UNITS: Mapping[str, Unit] = {
    "duration": "ms",
    "success": "ratio",
    "failures": "count",
    "homepage_load": "ms",
    "api_response": "ms",
    "check.duration": "ms",
    "retries": "count",
    "step.duration": "ms",
}
_COUNTS = frozenset({"console_errors", "status_code"})


@dataclass(frozen=True, slots=True)
class Point:
    """One value of one metric at one time, with its tags."""

    name: str
    value: float
    unit: Unit
    timestamp: float  # POSIX seconds
    tags: tuple[tuple[str, str], ...]

    def tag(self, key: str) -> str | None:
        """The value of tag `key`, or None."""
        return next((v for k, v in self.tags if k == key), None)


def run_values(run: RunResult) -> dict[str, float]:
    """The run-level metric values (by suffix); no success/failures when nothing ran."""
    values = {"duration": float(run.duration_ms)}
    if run.status is not Status.SKIP:
        ok = 1.0 if run.status.ok else 0.0
        values.update(success=ok, failures=1.0 - ok)
    return values


def points(run: RunResult, prefix: str, tags: Mapping[str, str] | None = None) -> list[Point]:
    """Every point for `run`: the run's first, then each check's in run order."""
    timestamp = run.started_at.timestamp()
    static = tuple((k, v) for k, v in (tags or {}).items() if v and k not in _OWN_TAGS)
    run_class = run_failure_class(run)
    run_tags = _tags(
        env=run.env,
        region=run.region,
        scope="run",
        status=str(run.status),
        failure_class=str(run_class) if run_class else "",
    )
    out = [
        Point(f"{prefix}.{suffix}", value, UNITS[suffix], timestamp, run_tags + static)
        for suffix, value in run_values(run).items()
    ]
    for check in run.checks:
        check_tags = _tags(
            env=run.env,
            region=run.region,
            scope="check",
            check=check.id,
            status=str(check.status),
            failure_class=str(check.failure_class) if check.failure_class else "",
        )
        out.extend(
            Point(f"{prefix}.{suffix}", value, UNITS[suffix], timestamp, check_tags + static)
            for suffix, value in check_values(check).items()
        )
        if check.kind is CheckKind.JOURNEY and check.status is not Status.SKIP:
            out.extend(_journey_points(check, prefix, timestamp, check_tags, static))
    return out


def journey_unit(name: str) -> Unit:
    """The unit of a journey metric, from its name (SPEC §11: milliseconds unless it says)."""
    if name in _COUNTS or name.endswith("_count"):
        return "count"
    if name.endswith("_bytes"):
        return "bytes"
    if name.endswith("_ratio"):
        return "ratio"
    return "ms"


def _journey_points(
    check: CheckResult,
    prefix: str,
    timestamp: float,
    tags: tuple[tuple[str, str], ...],
    static: tuple[tuple[str, str], ...],
) -> list[Point]:
    points = [
        Point(f"{prefix}.step.duration", float(step.duration_ms), "ms", timestamp,
              (*tags, ("step", step_tag(step.name)), *static))
        for step in check.steps
    ]  # fmt: skip
    points += [
        Point(f"{prefix}.journey.{name}", float(value), journey_unit(name), timestamp,
              tags + static)
        for name, value in check.metrics.items()
    ]  # fmt: skip
    points += [
        Point(f"{prefix}.web_vitals.{name}", float(value), VITAL_UNITS[name], timestamp,
              (*tags, ("page", page.path), *static))
        for page in check.pages
        for name, value in page.vitals.items()
    ]  # fmt: skip
    return points


_OWN_TAGS = frozenset({"env", "region", "scope", "check", "status", "failure_class", "page"})


def _tags(**values: str) -> tuple[tuple[str, str], ...]:
    return tuple((k, v) for k, v in values.items() if v)
