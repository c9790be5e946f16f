"""Health and API checks against the real demo target (no browser involved)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from prodsmoke.config.models import Settings
from prodsmoke.demo import DemoServer, Faults
from prodsmoke.e2e.engine import Engine
from prodsmoke.e2e.plan import plan
from prodsmoke.options import RunOptions
from prodsmoke.results import FailureClass, Status
from tests.loopback_http import JsonHandler, serving

DEMO_PASSWORD = "correct-horse-battery-staple-42"  # tests/conftest.py's demo target
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
        (saved,) = (a for a in check.artifacts if a.endswith("/response.txt"))
        evidence = (tmp_path / saved).read_text()
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


def _one_attempt(settings: Settings) -> Settings:
    return settings.model_copy(update={"retry": settings.retry.model_copy(update={"attempts": 1})})


async def test_an_endless_body_fails_as_too_large_not_as_invalid_json(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    demo_target.set_faults(Faults.parse("endless-body"))
    settings = _one_attempt(demo_settings())
    result = await Engine(
        settings, RunOptions(output_dir=tmp_path), plan(settings, ["health"])
    ).run()
    check = result.check("health")
    assert check.status is Status.FAIL
    assert check.failure_class is FailureClass.PRODUCT
    assert check.error == ("GET /health: body over 1 MiB (too large; max_body_bytes is 1048576)")
    assert check.metrics["status_code"] == 200  # what was measured is kept


class _BigJson(JsonHandler):
    """/big: a valid JSON document of about 50 MB; /seen: the Authorization headers received."""

    body = b""
    authorizations: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        type(self).authorizations.append(self.headers.get("Authorization"))
        data = type(self).body
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def big_json() -> Iterator[str]:
    padding = "x" * (50 * 1024 * 1024)
    _BigJson.body = json.dumps({"status": "healthy", "padding": padding}).encode()
    with serving(_BigJson) as url:
        yield url


@pytest.mark.parametrize(
    ("limits", "status", "error"),
    [
        ({}, Status.FAIL, "GET /big: body over 1 MiB (too large; max_body_bytes is 1048576)"),
        ({"max_body_bytes": 64 << 20}, Status.PASS, None),  # the environment's limit
        ({"check": 64 << 20}, Status.PASS, None),  # the check's own
    ],
)
async def test_a_50_mb_json_body_parses_under_a_raised_limit(
    big_json: str,
    demo_settings: Callable[..., Settings],
    tmp_path: Path,
    limits: dict[str, int],
    status: Status,
    error: str | None,
) -> None:
    check: dict[str, object] = {
        "id": "big",
        "url": f"{big_json}/big",
        "conditions": ["[STATUS] == 200", "[BODY].status == healthy", "len([BODY].padding) > 1"],
    }
    if "check" in limits:
        check["max_body_bytes"] = limits["check"]
    overrides = {k: v for k, v in limits.items() if k != "check"}
    settings = _one_attempt(demo_settings(health_checks=[check], api_checks=[], **overrides))
    result = await Engine(settings, RunOptions(output_dir=tmp_path), plan(settings, ["big"])).run()
    assert result.check("big").status is status
    assert result.check("big").error == error


async def test_basic_auth_credentials_go_to_the_target_and_nowhere_else(
    demo_target: DemoServer,
    demo_settings: Callable[..., Settings],
    big_json: str,
    tmp_path: Path,
) -> None:
    demo_target.set_faults(Faults.parse("basic-auth"))
    elsewhere: dict[str, Any] = {
        "id": "elsewhere",
        "url": f"{big_json}/big",
        "conditions": ["[STATUS] == 200"],
    }
    elsewhere["max_body_bytes"] = 64 << 20
    health = {"id": "health", "url": "/health", "conditions": ["[STATUS] == 200"]}
    without = _one_attempt(demo_settings(health_checks=[health], api_checks=[]))
    result = await Engine(without, RunOptions(output_dir=tmp_path), plan(without)).run()
    assert result.check("health").error == "GET /health: [STATUS] (401) == 200"

    _BigJson.authorizations.clear()
    settings = _one_attempt(
        demo_settings(
            health_checks=[health, elsewhere],
            api_checks=[],
            http_credentials={"username": "smoke", "password": DEMO_PASSWORD},
        )
    )
    result = await Engine(settings, RunOptions(output_dir=tmp_path), plan(settings)).run()
    assert result.check("health").status is Status.PASS, result.check("health").error
    assert result.check("elsewhere").status is Status.PASS
    # another origin (same host, other port) never receives the target's credentials
    assert _BigJson.authorizations == [None]


async def test_a_refusal_names_the_host_it_would_have_gone_to(
    demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    foreign = {
        "id": "foreign",
        "url": "http://localhost:9/health",
        "conditions": ["[STATUS] == 200"],
    }
    settings = _one_attempt(demo_settings(health_checks=[foreign], api_checks=[]))
    result = await Engine(
        settings, RunOptions(output_dir=tmp_path), plan(settings, ["foreign"])
    ).run()
    assert result.check("foreign").error == (
        "GET localhost:9/health was refused by the guard: host not in allowed_hosts"
    )
    assert result.check("foreign").failure_class is FailureClass.INFRASTRUCTURE
