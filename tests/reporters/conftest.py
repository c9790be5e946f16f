"""Local intakes for the metrics backends, and runs built by hand (no browser needed)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from prodsmoke.results import (
    BudgetReport,
    CheckKind,
    CheckResult,
    FailureClass,
    RunResult,
    SafetyReport,
    Status,
    StepResult,
)
from tests.reporters.metrics_intake import DD_KEY, NR_KEY, Intake, serve_intake


@pytest.fixture(scope="session")
def intake_server() -> Iterator[Intake]:
    with serve_intake() as intake:
        yield intake


@pytest.fixture
def intake(intake_server: Intake) -> Intake:
    """The Datadog + New Relic intake, emptied and answering normally."""
    intake_server.reset()
    return intake_server


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL nothing listens on: a backend that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def check(
    check_id: str,
    kind: CheckKind = CheckKind.HEALTH,
    status: Status = Status.PASS,
    duration_ms: int = 40,
    attempts: int = 1,
    **metrics: float,
) -> CheckResult:
    failed = status is Status.FAIL
    return CheckResult(
        id=check_id,
        kind=kind,
        status=status,
        duration_ms=duration_ms,
        attempts=attempts,
        flaky=attempts > 1 and not failed,
        metrics=metrics,
        error=f"{check_id}: answered HTTP 503" if failed else None,
        failure_class=FailureClass.PRODUCT if failed else None,
        artifacts=(f"artifacts/{check_id}/screenshot.png",) if failed else (),
        repro=f"smoke repro --env production {check_id}",
    )


def build_run(
    *,
    login: Status = Status.PASS,
    started_at: datetime | None = None,
    region: str = "us-east-1",
    run_id: str = "20261121T100000Z-abc123",
    extra_checks: int = 0,
) -> RunResult:
    checks = [
        check("health", response_time_ms=31.5, status_code=200),
        check("api_health", CheckKind.API, duration_ms=25, response_time_ms=123.4),
        check("homepage_load", CheckKind.JOURNEY, duration_ms=812, page_load_ms=640),
        check("anonymous_enhancement", CheckKind.JOURNEY, duration_ms=1200, attempts=2),
        check("login_flow", CheckKind.JOURNEY, status=login, duration_ms=2100, attempts=3),
        check("api_v1_status", CheckKind.HEALTH, status=Status.SKIP, duration_ms=0),
    ]
    checks.append(  # a team's journey: named steps and a metric of its own
        replace(
            check("pricing_plans", CheckKind.JOURNEY, duration_ms=900, plans_ms=412.0),
            steps=(
                StepResult("Open pricing", 212, Status.PASS),
                StepResult("read the plans", 150, Status.PASS),
            ),
        )
    )
    checks += [check(f"extra_{i:04d}") for i in range(extra_checks)]
    return RunResult(
        run_id=run_id,
        env="production",
        region=region,
        target="https://app.example.com",
        started_at=started_at or datetime.now(UTC).replace(microsecond=0),
        duration_ms=4210,
        checks=tuple(checks),
        safety=SafetyReport(
            requests=57,
            blocked=(),
            budget=BudgetReport(600, 57, 0.095, 60, advertised=True),
        ),
    )


@pytest.fixture
def make_run() -> Callable[..., RunResult]:
    """A realistic production run (6 checks, one skipped); `login=Status.FAIL` fails it."""
    return build_run


@pytest.fixture
def minutes_ago() -> Callable[[float], datetime]:
    return lambda minutes: datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=minutes)


@pytest.fixture
def monitoring_config(tmp_path: Path, intake: Intake) -> Callable[..., Path]:
    """A config root whose monitoring-integration.yaml points at the local intakes."""

    def write(
        *,
        cloudwatch: str = "",
        reporters: str = "[history, datadog, newrelic, cloudwatch]",
        extra: str = "",
    ) -> Path:
        root = tmp_path / "config"
        root.mkdir(exist_ok=True)
        (root / "monitoring-integration.yaml").write_text(
            f"""
reporters: {reporters}
metric_prefix: smoke_test
tags: {{service: prodsmoke}}
delivery: {{attempts: 3, initial_delay_s: 0.05, max_delay_s: 0.2, timeout_s: 2}}
datadog: {{host: "{intake.url}", api_key: "{DD_KEY}"}}
newrelic: {{endpoint: "{intake.url}/metric/v1", license_key: "{NR_KEY}"}}
cloudwatch: {{namespace: Prodsmoke/Test, mode: api, region: us-east-1{cloudwatch}}}
{extra}
""",
            encoding="utf-8",
        )
        return root

    return write
