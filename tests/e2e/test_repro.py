"""`smoke repro`: one traced attempt of one check, and a trace that Playwright's viewer opens."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from prodsmoke.demo import DemoServer, Faults
from prodsmoke.e2e.browser import QUIET_ARGS, system_browsers
from tests.smoke_cli import DEMO_CONFIG, SMOKE, clean_env

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-staple-42"  # tests/conftest.py's demo target


def test_repro_runs_one_traced_attempt_and_says_how_to_open_the_trace(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    demo_target.set_faults(Faults.parse("login-broken"))
    env = clean_env(
        "DISPLAY", "WAYLAND", SMOKE_DEMO_URL=demo_target.url, SMOKE_TEST_PASSWORD=PASSWORD
    )
    proc = subprocess.run(
        [SMOKE, "repro", "--env", "demo", "login_flow",
         "--output", str(tmp_path), "--slowmo", "50"],
        cwd=DEMO_CONFIG.parent, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        "reproducing login_flow on demo: headless (no display found), slow motion 50 ms"
        in proc.stdout
    )
    run_id = json.loads((tmp_path / "results.json").read_text())["run_id"]
    trace = tmp_path / "artifacts" / run_id / "login_flow" / "trace.zip"
    assert f"trace: {trace}" in proc.stdout
    assert f"-m playwright show-trace {trace}" in proc.stdout
    assert "(1 attempts)" not in proc.stdout and "(2 attempts)" not in proc.stdout  # never retried

    # The scrubbed trace opens in Playwright's own viewer, actions and all.
    show = ["show-trace", "--host", "127.0.0.1", "--port", "0", str(trace)]
    viewer = subprocess.Popen(
        [sys.executable, "-m", "playwright", *show],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own group: the node server it starts goes with it
    )
    try:
        assert viewer.stdout is not None
        url = ""
        for line in viewer.stdout:
            if match := re.search(r"Listening on (http://\S+)", line):
                url = match.group(1)
                break
        assert url, "the trace viewer did not start"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=system_browsers(headless=True)[0], args=list(QUIET_ARGS)
            )
            page = browser.new_page()
            page.goto(url)
            page.get_by_text('Fill "[REDACTED]"').wait_for(timeout=15000)
            assert page.get_by_text('locator("#login-button")').count() >= 1
            browser.close()
    finally:
        os.killpg(viewer.pid, signal.SIGKILL)
        viewer.wait()
        if viewer.stdout is not None:
            viewer.stdout.close()


def test_repro_names_its_own_argument_for_an_unknown_check() -> None:
    env = clean_env(SMOKE_TEST_PASSWORD=PASSWORD)
    proc = subprocess.run(
        [SMOKE, "repro", "--env", "demo", "login_flwo"],
        cwd=DEMO_CONFIG.parent, capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr == (
        "smoke: CHECK_ID 'login_flwo' is not a check of environment 'demo'; "
        "did you mean 'login_flow'?\n"
    )
