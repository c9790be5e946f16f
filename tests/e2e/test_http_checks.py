"""Health and API checks against the real demo target (no browser involved)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from prodsmoke.config.models import Settings
from prodsmoke.demo import DemoServer, Faults
from prodsmoke.e2e.engine import Engine, RunOptions
from prodsmoke.e2e.plan import plan
from prodsmoke.results import FailureClass, Status

HTTP = ["health", "api_v1_health", "api_v1_status", "api_health"]


async def test_a_slow_api_fails_and_still_reports_what_it_measured(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    demo_target.set_faults(Faults.parse("slow-api:600"))
    settings = demo_settings().model_copy(
        update={"retry": demo_settings().retry.model_copy(update={"attempts": 1})}
    )
    result = await Engine(settings, RunOptions(output_dir=tmp_path), plan(settings, HTTP)).run()
    for check in result.checks:
        assert check.status is Status.FAIL
        assert check.failure_class is FailureClass.PRODUCT
        # the metric a dashboard needs most when the API is slow is still there
        assert 590 <= check.metrics["response_time_ms"] < 2000
        assert check.error is not None and "[RESPONSE_TIME] (" in check.error
        evidence = (tmp_path / "artifacts" / check.id / "response.txt").read_text()
        assert evidence.startswith(f"GET {demo_target.url}/")
        assert "fail [RESPONSE_TIME]" in evidence


async def test_a_warn_is_a_working_check_over_its_warn_threshold(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    demo_target.set_faults(Faults.parse("slow-api:220"))  # over 80% of 250, under 250
    settings = demo_settings()
    result = await Engine(
        settings, RunOptions(output_dir=tmp_path), plan(settings, ["health"])
    ).run()
    check = result.check("health")
    assert check.status is Status.WARN, check.error
    assert check.error is not None and "over warn threshold 200" in check.error
    assert result.exit_code == 0
