"""Runs for a history: hand-made timelines and a week of realistic scheduled runs."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from prodsmoke.results import (
    BudgetReport,
    CheckKind,
    CheckResult,
    FailureClass,
    RunResult,
    SafetyReport,
    Status,
)

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
CHECKS = (
    ("health", CheckKind.HEALTH, "response_time_ms", 30),
    ("api_health", CheckKind.API, "response_time_ms", 140),
    ("homepage_load", CheckKind.JOURNEY, "page_load_ms", 650),
    ("anonymous_enhancement", CheckKind.JOURNEY, "enhancement_ms", 900),
    ("login_flow", CheckKind.JOURNEY, "login_ms", 420),
)


def result(
    check_id: str,
    status: Status = Status.PASS,
    latency: float = 100,
    *,
    kind: CheckKind = CheckKind.HEALTH,
    key: str = "response_time_ms",
    attempts: int = 1,
) -> CheckResult:
    failed = status is Status.FAIL
    return CheckResult(
        id=check_id,
        kind=kind,
        status=status,
        duration_ms=round(latency * 1.2),
        attempts=attempts,
        metrics={key: latency},
        error=f"{check_id}: GET /health answered HTTP 503" if failed else None,
        failure_class=FailureClass.PRODUCT if failed else None,
        artifacts=(
            f"artifacts/{check_id}/screenshot.png",
            f"artifacts/{check_id}/trace.zip",
        )
        if failed and kind is CheckKind.JOURNEY
        else (),
        repro=f"smoke repro --env production {check_id}",
    )


def run(
    at: datetime,
    checks: tuple[CheckResult, ...],
    *,
    region: str = "us-east-1",
    env: str = "production",
    run_id: str | None = None,
) -> RunResult:
    return RunResult(
        run_id=run_id or f"{at:%Y%m%dT%H%M%S}Z-{region}",
        env=env,
        region=region,
        target="https://app.betterprompts.example",
        started_at=at,
        duration_ms=3800 + len(checks) * 10,
        checks=checks,
        safety=SafetyReport(40, (), BudgetReport(600, 40, 0.067, 60, advertised=True)),
    )


def simple(at: datetime, status: Status = Status.PASS, **kwargs: object) -> RunResult:
    """A run of two checks; `status` is the login check's."""
    checks = (
        result("health", latency=30),
        result("login_flow", status, 420, kind=CheckKind.JOURNEY, key="login_ms"),
    )
    return run(at, checks, **kwargs)  # type: ignore[arg-type]


def week(seed: int = 7) -> list[RunResult]:
    """Seven days of runs every 30 minutes from three regions: a slow afternoon, an outage of
    the login flow, a few flaky one-offs."""
    rng = random.Random(seed)
    runs = []
    start = NOW - timedelta(days=7)
    for step in range(7 * 48):
        at = start + timedelta(minutes=30 * step)
        for r, region in enumerate(("us-east-1", "us-west-2", "eu-west-1")):
            stamp = at + timedelta(seconds=20 * r + rng.randint(0, 9))
            hours_ago = (NOW - stamp).total_seconds() / 3600
            checks = []
            for check_id, kind, key, base in CHECKS:
                slow = 1.0 + (0.8 if 50 < hours_ago < 56 else 0) + (0.15 if r == 2 else 0)
                latency = base * slow * rng.lognormvariate(0, 0.18)
                status = Status.PASS
                outage = check_id == "login_flow" and 20 < hours_ago < 21.6
                if outage or rng.random() < 0.006:
                    status = Status.FAIL
                elif key == "page_load_ms" and latency > 2400:
                    status = Status.WARN
                checks.append(result(check_id, status, round(latency, 1), kind=kind, key=key))
            runs.append(run(stamp, tuple(checks), region=region))
    return runs
