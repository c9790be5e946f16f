"""The engine against the real demo target in a real Chromium: verdicts, guard, audit."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from prodsmoke.config.models import Settings
from prodsmoke.demo import DemoServer, Faults
from prodsmoke.e2e.engine import Engine
from prodsmoke.e2e.plan import plan
from prodsmoke.options import RunOptions
from prodsmoke.results import FailureClass, RunResult, Status
from tests.engine_runs import run_engine

pytestmark = pytest.mark.browser


async def run(settings: Settings, tmp_path: Path, *checks: str) -> RunResult:
    return await run_engine(settings, tmp_path, *checks)


async def test_a_passing_run_logs_in_once_logs_out_once_and_persists_nothing(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    result = await run(demo_settings(), tmp_path)
    assert [(c.id, c.status) for c in result.checks] == [
        ("health", Status.PASS),
        ("api_v1_health", Status.PASS),
        ("api_v1_status", Status.PASS),
        ("api_health", Status.PASS),
        ("homepage_load", Status.PASS),
        ("anonymous_enhancement", Status.PASS),
        ("login_flow", Status.PASS),
        ("example_search", Status.PASS),  # YAML steps in demo.yaml
        ("homepage_looks", Status.PASS),  # YAML steps with baselines (SPEC §18)
        ("pricing_plans", Status.PASS),  # e2e/test_pricing.py (sync)
        ("dashboard_history", Status.PASS),  # e2e/test_dashboard.py (async)
    ]
    audit = demo_target.audit()
    accounts = ["smoke-test-basic@betterprompts.com", "smoke-test-premium@betterprompts.com"]
    assert sorted(x["account"] for x in audit["logins"] if x["ok"]) == accounts
    assert sorted(x["account"] for x in audit["logouts"]) == accounts
    assert audit["persisted"] == []
    assert {(r["method"], r["path"]) for r in audit["requests"]} == {
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/logout"),
        ("POST", "/api/v1/enhance"),
    }
    assert all(r["synthetic"] for r in audit["requests"])
    assert all(r["user_agent"].endswith(" prodsmoke") for r in audit["requests"])
    homepage = result.check("homepage_load")
    assert 0 < homepage.metrics["page_load_ms"] < 3000
    assert homepage.metrics["console_errors"] == 0
    # the guard counts what it admits; a request admitted as a context closes may never arrive,
    # so it may count more than the target saw, never fewer (that is what keeps the budget safe)
    assert result.safety.requests >= audit["traffic"]["total"]
    assert result.safety.blocked == ()
    assert "chromium" in (result.browser or "").lower()


async def test_beacon_writes_are_blocked_recorded_and_never_arrive(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    demo_target.set_faults(Faults.parse("beacon"))
    result = await run(demo_settings(), tmp_path, "homepage_load")
    homepage = result.check("homepage_load")
    assert homepage.status is Status.PASS, homepage.error
    assert homepage.metrics["console_errors"] == 0  # the guard's refusals are not the page's errors
    blocked = {
        (b.check, b.method, b.url.rsplit("/", 1)[-1], b.reason) for b in result.safety.blocked
    }
    assert ("homepage_load", "POST", "analytics", "not in allowed_writes") in blocked
    assert ("homepage_load", "WEBSOCKET", "ws", "websocket not in allowed_websockets") in blocked
    audit = demo_target.audit()
    assert audit["requests"] == []
    assert audit["websockets"] == []


async def test_a_host_outside_the_allow_list_is_blocked_in_the_browser(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # The same server under another name: to the guard, "localhost" is a foreign host.
    settings = demo_settings()
    foreign = settings.journeys["homepage_load"].model_copy(
        update={"url": demo_target.url.replace("127.0.0.1", "localhost") + "/"}
    )
    journeys = {**settings.journeys, "homepage_load": foreign}
    result = await run(
        settings.model_copy(update={"journeys": journeys}), tmp_path, "homepage_load"
    )
    check = result.check("homepage_load")
    assert check.status is Status.FAIL
    assert check.error is not None and "net::ERR_BLOCKED_BY_CLIENT" in check.error
    assert {b.reason for b in result.safety.blocked} == {"host not in allowed_hosts"}
    assert demo_target.audit()["traffic"]["total"] == 0


async def test_redirect_follow_ups_are_judged_and_counted(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    result = await run(demo_settings(), tmp_path, "login_flow")
    assert result.check("login_flow").status is Status.PASS
    # login and logout both answer 303; their follow-ups were judged before the browser followed,
    # and are listed as what no route saw
    followed = [(u.method, u.url.removeprefix(demo_target.url), u.reason)
                for u in result.safety.unrouted]  # fmt: skip
    assert followed == [("GET", "/dashboard", "allowed"), ("GET", "/", "allowed")]
    # ...and they reached the target marked as synthetic, like every other request
    audit = demo_target.audit()
    assert audit["unmarked"] == []
    assert audit["traffic"]["total"] > 5
    # redirect follow-ups are counted: the guard never counts fewer requests than arrived
    assert result.safety.requests >= audit["traffic"]["total"]


async def test_the_marker_header_goes_to_the_target_only(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # The same server under another, allowed, name: to the guard it is a third-party host.
    settings = demo_settings(safety={"allowed_hosts": ["localhost"]})
    other = settings.journeys["homepage_load"].model_copy(
        update={"url": demo_target.url.replace("127.0.0.1", "localhost") + "/"}
    )
    journeys = {**settings.journeys, "homepage_load": other}
    result = await run(
        settings.model_copy(update={"journeys": journeys}), tmp_path, "homepage_load"
    )
    assert result.check("homepage_load").status is Status.PASS, result.check("homepage_load").error
    audit = demo_target.audit()
    # every request went to "localhost", none carried the marker meant for the target
    assert len(audit["unmarked"]) == audit["traffic"]["total"] > 5


async def test_failures_leave_artifacts_and_a_repro_command(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    demo_target.set_faults(Faults.parse("missing-element"))
    result = await run(demo_settings(), tmp_path, "homepage_load")
    check = result.check("homepage_load")
    assert check.status is Status.FAIL
    assert check.error is not None and "header is not visible" in check.error
    assert check.repro == "smoke repro --env demo homepage_load"
    names = {Path(a).name for a in check.artifacts}
    assert {"trace.zip", "screenshot.png", "console.log"} <= names
    assert all((tmp_path / a).is_file() for a in check.artifacts)


async def test_a_locked_account_is_infrastructure_named_and_unlocked_for_the_next_run(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    import httpx

    email = "smoke-test-basic@betterprompts.com"
    async with httpx.AsyncClient(base_url=demo_target.url) as raw:  # the product, not the suite
        for _ in range(5):
            await raw.post(
                "/api/v1/auth/login", data={"email": email, "password": "wrong-password"}
            )
    settings = demo_settings()
    result = await run(settings, tmp_path, "login_flow")
    check = result.check("login_flow")
    assert check.status is Status.FAIL
    assert check.failure_class is FailureClass.INFRASTRUCTURE
    assert check.attempts == 1  # retrying cannot help a locked account
    assert check.error is not None
    assert check.error.startswith(
        f"step 'log in': test account 'basic' ({email}) is locked (HTTP 423); unlocked account"
    )
    assert "the next run should log in" in check.error
    assert "unlocked account 'basic' via POST /__demo__/unlock (HTTP 200)" in check.error

    again = await run(settings, tmp_path / "again", "login_flow")
    assert again.check("login_flow").status is Status.PASS


async def test_a_check_that_passes_on_retry_is_flaky_and_keeps_the_failed_attempt(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    demo_target.set_faults(Faults.parse("flaky:30"))
    settings = demo_settings()
    flaky = []
    for round_ in range(12):  # a 30% fault rate makes a flaky check very likely within a few runs
        demo_target.reset()
        result = await run(settings, tmp_path / str(round_))
        flaky = [c for c in result.checks if c.flaky]
        if any(c.kind.value == "journey" for c in flaky) and any(
            c.kind.value != "journey" for c in flaky
        ):
            break
    assert flaky, "no check passed on a retry in 12 runs at flaky:30"
    for check in flaky:
        assert check.status in (Status.PASS, Status.WARN)
        assert check.attempts > 1
        kept = {Path(a).name for a in check.artifacts}
        expected = (
            {"trace.zip", "console.log", "network.har"}
            if check.kind.value == "journey"
            else {"response.txt"}
        )
        assert expected <= kept, (check.id, kept)
        for har in (a for a in check.artifacts if a.endswith("network.har")):
            # the light first attempt's HAR too: every attempt logs what it requested
            log = json.loads((tmp_path / str(round_) / har).read_text())["log"]
            assert log["entries"], har


async def test_two_journeys_of_one_kind_both_time_their_page_and_both_lead(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = demo_settings()
    pricing = type(settings.journeys["homepage_load"]).model_validate(
        {"kind": "page_load", "url": "/pricing", "visible": [".plan"], "expected_requests": 3}
    )
    settings = settings.model_copy(
        update={"journeys": {**settings.journeys, "pricing_load": pricing}}
    )
    planned = plan(settings, ["homepage_load", "pricing_load", "anonymous_enhancement"])
    assert {c.id: c.leads for c in planned} == {
        "homepage_load": True,
        "pricing_load": True,
        "anonymous_enhancement": False,
    }
    result = await Engine(settings, RunOptions(output_dir=tmp_path), planned).run()
    for check_id, path in (("homepage_load", "/"), ("pricing_load", "/pricing")):
        check = result.check(check_id)
        assert check.status is Status.PASS, check.error
        assert check.metrics["page_load_ms"] > 0
        assert [s.name for s in check.steps] == [f"load {path}", "check the page"]


async def test_a_login_that_lands_elsewhere_fails_at_once_not_at_its_limit(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # The product sends the user to /dashboard, the journey expects /welcome: the page settles
    # on a URL that is not the success one, and waiting out max_ms (10 s) cannot change that.
    settings = demo_settings(retry={"attempts": 1})
    login = settings.journeys["login_flow"]
    wrong = login.model_copy(
        update={"success": login.success.model_copy(update={"url": "**/welcome"})}  # type: ignore[attr-defined]
    )
    settings = settings.model_copy(update={"journeys": {**settings.journeys, "login_flow": wrong}})
    result = await run(settings, tmp_path, "login_flow")
    check = result.check("login_flow")
    assert check.status is Status.FAIL
    assert check.error is not None
    assert "the browser is at /dashboard, not **/welcome (the page settled there" in check.error
    assert check.duration_ms < 10_000  # well inside max_ms: it did not wait it out
