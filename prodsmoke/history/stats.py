"""Numbers built from stored runs: percentiles, pass rates, streaks, latency trends."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from prodsmoke.results import CheckResult, Status

if TYPE_CHECKING:
    from prodsmoke.history.rows import StoredRun

# The latency that best describes a check, in order of preference (console.HEADLINE's keys).
LATENCY_KEYS = ("page_load_ms", "enhancement_ms", "login_ms", "response_time_ms")
TREND_BUCKETS = 30  # the slices a report's latency and vitals trends are drawn in


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0-100) by linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_ms(check: CheckResult) -> float:
    """The check's headline latency: its own timing metric, else its duration."""
    for key in LATENCY_KEYS:
        if key in check.metrics:
            return float(check.metrics[key])
    return float(check.duration_ms)


@dataclass(frozen=True, slots=True)
class Observation:
    """One check's result in one run."""

    at: datetime
    run_id: str
    region: str
    artifacts_url: str | None
    check: CheckResult
    maintenance: str | None = None


def observations(runs: Iterable[StoredRun]) -> dict[str, list[Observation]]:
    """Each check's results, oldest first, in the order checks first appear."""
    out: dict[str, list[Observation]] = {}
    for run in runs:
        for check in run.checks:
            out.setdefault(check.id, []).append(
                Observation(
                    run.started_at,
                    run.run_id,
                    run.region,
                    run.artifacts_url,
                    check,
                    run.maintenance,
                )
            )
    return out


def pass_rate(statuses: Iterable[Status]) -> float | None:
    """Share of pass/warn among the statuses that ran; None when nothing ran."""
    ran = [s for s in statuses if s is not Status.SKIP]
    return sum(s.ok for s in ran) / len(ran) if ran else None


def failing_streak(results: Sequence[Observation]) -> list[Observation]:
    """The latest unbroken run of failures (newest last); empty when the latest ran fine."""
    streak: list[Observation] = []
    for item in reversed(results):
        if item.check.status is Status.SKIP:
            continue
        if item.check.status is not Status.FAIL:
            break
        streak.append(item)
    return streak[::-1]


@dataclass(frozen=True, slots=True)
class Bucket:
    """Latency percentiles over one slice of time."""

    start: datetime
    p50: float
    p95: float
    samples: int


def bucketed(
    points: Iterable[tuple[datetime, float]], *, end: datetime, span: timedelta, buckets: int
) -> list[Bucket]:
    """p50/p95 of `points` in `buckets` equal slices of `span` ending at `end` (empty ones out)."""
    size = span / buckets
    start = end - span
    slices: list[list[float]] = [[] for _ in range(buckets)]
    for at, value in points:
        if start <= at <= end:
            slices[min(int((at - start) / size), buckets - 1)].append(value)
    return [
        Bucket(start + size * i, percentile(v, 50), percentile(v, 95), len(v))
        for i, v in enumerate(slices)
        if v
    ]


def trend(
    results: Sequence[Observation], *, end: datetime, span: timedelta, buckets: int
) -> list[Bucket]:
    """p50/p95 of the headline latency in `buckets` equal slices of `span` ending at `end`."""
    ran = (item for item in results if item.check.status is not Status.SKIP)
    points = ((item.at, latency_ms(item.check)) for item in ran)
    return bucketed(points, end=end, span=span, buckets=buckets)
