"""The automated rollback triggers, as a pure function over runs given as plain values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from prodsmoke.config.alert_rules import Rollback
from prodsmoke.history.rollback import CheckView, RunView, rollback_violations
from prodsmoke.results import (
    BudgetReport,
    CheckKind,
    CheckResult,
    RunResult,
    SafetyReport,
    Status,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ALL = Rollback(failure_rate_above=0.5, health_check_failing=True, critical_journey_failing=True)
CRITICAL = ("login_flow",)


def run(
    minutes_ago: float,
    status: str = "pass",
    *,
    region: str = "us-east-1",
    env: str = "production",
    failing: tuple[str, ...] = (),
    run_id: str = "",
) -> RunView:
    kinds = {
        "health": "health",
        "api_health": "api",
        "login_flow": "journey",
        "homepage_load": "journey",
    }
    checks = tuple(
        CheckView(c, kind, "fail" if c in failing else "pass") for c, kind in kinds.items()
    )
    at = NOW - timedelta(minutes=minutes_ago)
    return RunView(env, region, at, status, checks, run_id or f"{region}-{minutes_ago:g}")


def judge(runs, rollback=ALL, **kwargs):
    found = rollback_violations(
        rollback,
        runs,
        env=kwargs.pop("env", "production"),
        now=kwargs.pop("now", NOW),
        window_s=kwargs.pop("window_s", 1800),
        critical_journeys=kwargs.pop("critical_journeys", CRITICAL),
    )
    return [(v.condition, v.check) for v in found], found


def test_healthy_runs_roll_nothing_back():
    assert judge([run(25), run(15), run(5)])[0] == []


def test_more_than_half_of_the_runs_failing_rolls_back():
    runs = [run(25, "fail", run_id="a"), run(15, "fail", run_id="b"), run(5, "pass")]

    conditions, found = judge(runs)

    assert conditions == [("failure_rate_above", None)]
    assert found[0].to_dict() == {
        "reason": "rollback: 67% of runs failed (more than 50%) over 30m",
        "check": None,
        "evidence": {
            "failure_rate": 0.6667,
            "limit": 0.5,
            "failed": 2,
            "ran": 3,
            "window": "30m",
            "runs": ["a", "b"],
        },
    }


def test_exactly_the_limit_is_not_more_than_it():
    assert judge([run(20, "fail"), run(10, "pass")])[0] == []


def test_skipped_runs_do_not_count_and_old_or_other_environments_runs_are_outside():
    runs = [
        run(20, "fail"),
        run(10, "skip"),
        run(40, "fail"),  # before the window
        run(5, "fail", env="staging"),
        run(-5, "fail"),  # after `now`
        run(3, "pass"),
    ]
    assert judge(runs)[0] == []  # 1 of 2 runs that ran in the window failed: 50%


def test_a_health_check_failing_in_a_regions_latest_run_rolls_back():
    runs = [
        run(20, "fail", failing=("health",), region="eu-west-1"),
        run(10, "pass", region="eu-west-1"),  # recovered: its latest run passes
        run(15, "pass", region="us-east-1"),
        run(5, "fail", failing=("health",), region="us-east-1", run_id="use1-latest"),
        run(6, "fail", failing=("health",), region="us-west-2", run_id="usw2-latest"),
    ]

    conditions, found = judge(runs, Rollback(health_check_failing=True))

    assert conditions == [("health_check_failing", "health")]
    assert found[0].reason == (
        "rollback: health check health fails in the latest run (us-east-1, us-west-2)"
    )
    assert found[0].evidence["latest_runs"] == ["use1-latest", "usw2-latest"]


def test_an_api_check_is_not_a_health_check():
    assert (
        judge([run(5, "fail", failing=("api_health",))], Rollback(health_check_failing=True))[0]
        == []
    )


def test_only_critical_journeys_count():
    runs = [run(5, "fail", failing=("homepage_load",))]
    assert judge(runs, Rollback(critical_journey_failing=True))[0] == []

    runs = [run(5, "fail", failing=("homepage_load", "login_flow"))]
    assert judge(runs, Rollback(critical_journey_failing=True))[0] == [
        ("critical_journey_failing", "login_flow")
    ]
    assert judge(runs, Rollback(critical_journey_failing=True), critical_journeys=())[0] == []


def test_every_condition_is_reported():
    runs = [
        run(20, "fail", failing=("health", "login_flow")),
        run(10, "fail", failing=("health", "login_flow")),
    ]
    assert judge(runs)[0] == [
        ("failure_rate_above", None),
        ("health_check_failing", "health"),
        ("critical_journey_failing", "login_flow"),
    ]


def test_no_conditions_no_violations():
    assert judge([run(5, "fail", failing=("health", "login_flow"))], Rollback())[0] == []
    assert not Rollback().enabled
    assert ALL.enabled


@pytest.mark.parametrize("naive", [True, False])
def test_naive_times_are_utc(naive):
    at = (NOW - timedelta(minutes=5)).replace(tzinfo=None) if naive else NOW
    runs = [RunView("production", "gha", at, "fail", (CheckView("health", "health", "fail"),))]
    assert judge(runs, now=NOW.replace(tzinfo=None) if naive else NOW)[0][0] == (
        "failure_rate_above",
        None,
    )


def test_a_run_result_becomes_a_view():
    check = CheckResult(
        id="health", kind=CheckKind.HEALTH, status=Status.FAIL, duration_ms=12, attempts=1
    )
    result = RunResult(
        run_id="r1",
        env="production",
        region="gha",
        target="https://app.example",
        started_at=NOW,
        duration_ms=100,
        checks=(check,),
        safety=SafetyReport(1, (), BudgetReport(600, 1, 0.01, 60, advertised=True)),
    )

    view = RunView.of(result)

    assert view == RunView(
        "production", "gha", NOW, "fail", (CheckView("health", "health", "fail"),), "r1"
    )
    assert judge([view], Rollback(health_check_failing=True))[0] == [
        ("health_check_failing", "health")
    ]
