"""The `smoke` command end to end, as a user runs it: real demo target, real Chromium."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from prodsmoke.demo import PROJECT, DemoServer
from tests.smoke_cli import DEMO_CONFIG, REPO, clean_env, demo_config, smoke

pytestmark = pytest.mark.browser

HEALTH = {"health", "api_v1_health", "api_v1_status"}
DEMO_PASSWORD = "correct-horse-battery-staple-42"  # tests/conftest.py's demo target
# `smoke demo` in this repository runs the packaged demo project, named from here in repro lines.
SHOWN = DEMO_CONFIG.relative_to(REPO)


def results(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "results.json").read_text())


def failing(doc: dict[str, Any]) -> set[str]:
    return {c["id"] for c in doc["checks"] if c["status"] == "fail"}


@pytest.mark.parametrize(
    ("fault", "broken"),
    [
        ("health-down", dict.fromkeys(HEALTH, "[STATUS] (503) == 200")),
        (
            "console-error",
            {
                "homepage_load": "step 'check the page': page /: 1 console error (at most 0 "
                "allowed), first: 'demo fault: console-error"
            },
        ),
        (
            "missing-element",
            {
                "homepage_load": "header is not visible",
                # the header's nav is gone with it: its ARIA baseline says so (issue 23)
                "homepage_looks": "ARIA snapshot 'main-nav': nothing on the page matches",
            },
        ),
        (
            "enhance-error",
            {
                "anonymous_enhancement": "step 'see the answer': no text appeared in "
                "#enhanced-output (POST /api/v1/enhance answered HTTP 500)"
            },
        ),
        (
            "login-broken",
            {
                "login_flow": "step 'log in': after logging in as 'basic' the browser is at "
                "/api/v1/auth/login, not **/dashboard (POST /api/v1/auth/login answered HTTP 500)",
                # the team's own async journey logs in too (e2e/test_dashboard.py)
                "dashboard_history": "step 'log in': Page URL expected to be",
            },
        ),
        # the team's own journeys, each broken by its own fault
        (
            "pricing-broken",
            {"pricing_plans": "step 'open pricing': Locator expected to have count"},
        ),
        (
            "examples-empty",
            {
                "example_search": "step 'search the examples': steps[5] expect_count .example "
                ">= 2: expected .example >= 2, found 0"
            },
        ),
        (
            "dashboard-broken",
            {
                "login_flow": "logged in, but /dashboard answered HTTP 500",
                "dashboard_history": "step 'see the history': Locator expected to have text",
            },
        ),
    ],
)
def test_each_fault_fails_exactly_the_check_it_breaks(
    tmp_path: Path, fault: str, broken: dict[str, str]
) -> None:
    proc = smoke("demo", "--fault", fault, "--output", str(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = results(tmp_path)
    assert failing(doc) == set(broken)
    # the others work; on a loaded machine a timing may be over its warn threshold, never failed
    assert all(c["status"] in ("pass", "warn") for c in doc["checks"] if c["id"] not in broken)
    for check in doc["checks"]:
        if check["id"] in broken:
            assert broken[check["id"]] in check["error"]
            assert check["failure_class"] == "product"
            assert check["repro"] == f"smoke repro --env demo --config {SHOWN} {check['id']}"
    assert "Traceback" not in proc.stderr + proc.stdout
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    suite = junit if junit.tag == "testsuite" else junit.find("testsuite")
    assert suite is not None and int(suite.get("failures", "-1")) == len(broken)


def test_a_clean_run_passes_and_the_audit_shows_one_login_one_logout(tmp_path: Path) -> None:
    proc = smoke("demo", "--output", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = results(tmp_path)
    assert doc["schema"] == "prodsmoke/results/v1"
    assert doc["status"] == "pass" and len(doc["checks"]) == 11
    assert "PASS (11 pass)" in proc.stdout
    # login_flow (basic) and the team's dashboard_history journey (premium)
    assert (
        "demo target audit: 2 login(s), 2 logout(s), 0 persisted change(s), "
        "0 request(s) outside allowed_writes"
    ) in proc.stdout
    assert doc["safety"]["budget"]["share"] <= 0.20
    journeys = {c["id"]: c for c in doc["checks"] if c["kind"] == "journey"}
    assert [s["name"] for s in journeys["login_flow"]["steps"]] == [
        "open /login",
        "log in",
        "log out",
    ]
    assert [s["name"] for s in journeys["pricing_plans"]["steps"]] == [
        "open pricing",
        "read the plans",
    ]
    assert journeys["pricing_plans"]["metrics"]["plans_ms"] > 0
    assert all(s["status"] == "pass" for c in journeys.values() for s in c["steps"])


def test_slow_homepage_reports_the_measured_load_time(tmp_path: Path) -> None:
    proc = smoke("demo", "--fault", "slow-homepage", "--output", str(tmp_path))
    homepage = next(c for c in results(tmp_path)["checks"] if c["id"] == "homepage_load")
    assert homepage["status"] in ("fail", "warn")
    assert proc.returncode == (1 if homepage["status"] == "fail" else 0)
    assert homepage["metrics"]["page_load_ms"] >= 4000
    assert f"page load took {homepage['metrics']['page_load_ms']}" in homepage["error"]


def test_beacon_run_passes_lists_blocked_writes_and_nothing_arrives(tmp_path: Path) -> None:
    proc = smoke("demo", "--fault", "beacon", "--output", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    blocked = results(tmp_path)["safety"]["blocked"]
    kinds = {(b["check"], b["method"], b["url"].rsplit("/", 1)[-1]) for b in blocked}
    assert ("homepage_load", "POST", "analytics") in kinds
    assert ("homepage_load", "WEBSOCKET", "ws") in kinds
    assert "0 request(s) outside allowed_writes" in proc.stdout


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_target_fails_with_network_class_and_exit_1(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    proc = smoke(
        "run",
        "--env",
        "demo",
        "--config",
        str(DEMO_CONFIG),
        "--check",
        "health",
        "--check",
        "homepage_load",
        "--output",
        str(tmp_path),
        env={"SMOKE_DEMO_URL": url, "SMOKE_TEST_PASSWORD": "unused-here"},
    )
    assert proc.returncode == 1
    doc = results(tmp_path)
    assert [(c["id"], c["failure_class"]) for c in doc["checks"]] == [
        ("health", "network"),
        ("homepage_load", "network"),
    ]
    assert "connection refused" in doc["checks"][0]["error"]
    assert "ERR_CONNECTION_REFUSED" in doc["checks"][1]["error"]
    assert "Traceback" not in proc.stderr


def test_no_browser_is_exit_3_and_http_checks_still_report(tmp_path: Path) -> None:
    proc = smoke(
        "demo", "--output", str(tmp_path), env={"PRODSMOKE_CHROMIUM": "/nonexistent/chromium"}
    )
    assert proc.returncode == 3
    doc = results(tmp_path)
    by_id = {c["id"]: c for c in doc["checks"]}
    assert by_id["health"]["status"] == "pass"
    assert by_id["homepage_load"]["failure_class"] == "infrastructure"
    assert "/nonexistent/chromium" in by_id["homepage_load"]["error"]


def test_no_chromium_says_why_each_candidate_failed(tmp_path: Path) -> None:
    # Nothing on PATH but a "chromium" that dies at once, and no Playwright browsers.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "chromium"
    fake.write_text('#!/bin/sh\necho "cannot open display :0" >&2\nexit 1\n')
    fake.chmod(0o755)
    env = {"PATH": str(bin_dir), "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "none")}
    proc = smoke("demo", "--output", str(tmp_path / "out"), env=env)
    assert proc.returncode == 3
    error = {c["id"]: c for c in results(tmp_path / "out")["checks"]}["homepage_load"]["error"]
    assert error.startswith("no Chromium found (tried: playwright Playwright-managed: ")
    assert f"system {fake}: " in error
    assert "(exit code 1; stderr: cannot open display :0)" in error


def test_an_unwritable_output_folder_is_exit_3(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = smoke("demo", "--output", str(blocker / "out"))
    assert proc.returncode == 3
    assert proc.stderr.strip().startswith("smoke: output folder")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_unknown_check_is_a_usage_error(tmp_path: Path) -> None:
    proc = smoke(
        "run", "--env", "demo", "--config", str(DEMO_CONFIG), "--check", "helth",
        env={"SMOKE_TEST_PASSWORD": "x-123456"},
    )  # fmt: skip
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == "smoke: --check 'helth' is not a check of environment 'demo'; did you mean 'health'?"
    )


def test_plain_pytest_drives_the_suite_with_pytest_playwright_options(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    env = clean_env(SMOKE_DEMO_URL=demo_target.url, SMOKE_TEST_PASSWORD=DEMO_PASSWORD)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "prodsmoke.pytest_plugin",
            "config/environments/demo.yaml",
            "-k",
            "homepage_load or api_health",
            "--tracing",
            "on",
            "--smoke-results",
            str(tmp_path),
            "-p",
            "no:cacheprovider",
        ],
        cwd=PROJECT,  # the demo project: config/ and e2e/
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed, 7 deselected" in proc.stdout  # the file's own 9 checks; tests are pytest's
    doc = results(tmp_path)
    assert [c["id"] for c in doc["checks"]] == ["api_health", "homepage_load"]
    # pytest-playwright's --tracing on keeps a trace even for a passing journey
    assert f"artifacts/{doc['run_id']}/homepage_load/trace.zip" in doc["checks"][1]["artifacts"]


def test_rate_limit_tight_stays_within_the_share_and_skips_the_rest(tmp_path: Path) -> None:
    proc = smoke("demo", "--fault", "rate-limit-tight", "--output", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = results(tmp_path)
    budget = doc["safety"]["budget"]
    # demo.yaml's share_of_limit is 0.20 of the advertised 30/min
    assert (budget["limit_per_minute"], budget["budget_per_minute"]) == (30, 6)
    assert budget["used"] <= 6 and budget["share"] <= 0.20
    skipped = [c for c in doc["checks"] if c["status"] == "skip"]
    assert skipped and all("rate budget" in c["error"] for c in skipped)
    assert {c["id"] for c in skipped} >= {"homepage_load", "anonymous_enhancement", "login_flow"}
    assert "0 request(s) outside allowed_writes" in proc.stdout


def test_hang_ends_within_the_deadline_with_results_and_artifacts(tmp_path: Path) -> None:
    import time

    config = demo_config(tmp_path, lambda text: text.replace("deadline_s: 30", "deadline_s: 8"))
    started = time.monotonic()
    proc = smoke(
        "demo", "--fault", "hang", "--config", str(config), "--output", str(tmp_path / "out")
    )
    took = time.monotonic() - started
    assert proc.returncode == 1
    # the deadline plus the demo target's own start and stop (outside the run) and 2 s of grace
    assert took <= 8 + 2 + 1.5, took
    doc = results(tmp_path / "out")
    assert doc["duration_ms"] <= 10_000
    # three journeys at a time: the ones the hang held back from a browser slot never started
    ran = [c for c in doc["checks"] if c["attempts"] > 0]
    assert {c["status"] for c in ran} == {"fail"}
    assert {c["failure_class"] for c in ran} <= {"infrastructure", "network"}
    assert all(c["status"] == "skip" for c in doc["checks"] if c["attempts"] == 0)
    assert sum(c["kind"] == "journey" for c in ran) >= 3
    for check in ran:
        if check["kind"] == "journey":
            assert {"trace.zip", "console.log", "network.har"} <= {
                Path(a).name for a in check["artifacts"]
            }
