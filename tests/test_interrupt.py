"""A signal ends a run as an outcome: real `smoke demo` processes, real SIGTERM and SIGINT.

Every run here hangs (`--fault hang`: the demo target never answers), so without the signal it
would take its whole 30 s deadline; each test sends the signal while checks are in flight.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from prodsmoke.demo import DemoServer, Faults
from tests.conftest import DEMO_PASSWORD
from tests.processes import SmokeDemo, descendants, signal_group, survivors
from tests.smoke_cli import DEMO_CONFIG, clean_env

pytestmark = pytest.mark.browser


def assert_reported_as_interrupted(run: SmokeDemo, name: str) -> None:
    reason = f"interrupted by {name}"
    doc = run.results()
    assert doc["status"] == "skip"
    assert len(doc["checks"]) == 11
    assert {(c["status"], c["error"]) for c in doc["checks"]} == {("skip", reason)}
    suite = ET.parse(run.output / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("skipped"), suite.get("failures")) == ("11", "11", "0")
    with sqlite3.connect(run.output / "history.sqlite") as db:
        assert [r[0] for r in db.execute("SELECT run_id FROM runs")] == [doc["run_id"]]
    assert "SKIP (11 skip)" in run.stdout()
    assert run.stderr().strip().splitlines()[-1] == f"smoke: {reason}"
    assert "Traceback" not in run.stderr()
    # a run folder holds no temporary file and no "running" marker afterwards
    leftovers = [p.name for p in run.output.rglob(".*") if p.is_file()]
    assert leftovers == []


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_the_checks_and_the_run_is_still_reported(
    tmp_path: Path, signum: signal.Signals, code: int
) -> None:
    run = SmokeDemo(tmp_path / "out")
    try:
        started = run.wait_until_in_flight()
        assert any("serve-demo" in c for c in started.values())  # the demo target
        assert any("chrom" in c for c in started.values())  # and Chromium are up
        run.proc.send_signal(signum)
        assert run.finish() == code, run.stderr()
        assert_reported_as_interrupted(run, signum.name)
        assert survivors(started) == {}
    finally:
        run.kill()


def test_a_run_stopped_part_way_reads_incomplete_not_pass(tmp_path: Path) -> None:
    run = SmokeDemo(tmp_path / "out", fault="slow-homepage:20000")
    try:
        run.wait_until_in_flight()
        assert run.proc.stdout is not None
        while "  PASS  " not in (line := run.proc.stdout.readline()):  # an HTTP check passed
            assert line, f"smoke ended early: {run.stderr()}"
            run.lines.append(line)
        run.lines.append(line)
        run.proc.send_signal(signal.SIGTERM)
        assert run.finish() == 143, run.stderr()
        statuses = {c["status"] for c in run.results()["checks"]}
        assert statuses == {"pass", "skip"}  # some checks ran, the journeys on / were stopped
        summary = next(
            x for x in run.lines if " · 0 blocked by the guard" in x or " blocked by" in x
        )
        assert summary.startswith("INCOMPLETE ("), summary
        assert run.stderr().strip().splitlines()[-1] == "smoke: interrupted by SIGTERM"
    finally:
        run.kill()


def test_ctrl_c_at_a_terminal_reaches_the_whole_group_and_the_run_is_still_reported(
    tmp_path: Path,
) -> None:
    # Ctrl-C signals the foreground process group: smoke, Playwright's driver, everything.
    run = SmokeDemo(tmp_path / "out", new_session=True)
    try:
        started = run.wait_until_in_flight()
        signal_group(run.proc, signal.SIGINT)
        assert run.finish() == 130, run.stderr()
        assert_reported_as_interrupted(run, "SIGINT")
        # the demo target (its own session) was still up to report what it received
        assert "demo target audit:" in run.stdout()
        assert survivors(started) == {}
    finally:
        run.kill()


def test_a_second_signal_exits_at_once_and_leaves_no_process_behind(tmp_path: Path) -> None:
    run = SmokeDemo(tmp_path / "out")
    try:
        started = run.wait_until_in_flight()
        run.proc.send_signal(signal.SIGTERM)
        time.sleep(0.05)
        run.proc.send_signal(signal.SIGTERM)
        assert run.finish() == 143
        assert "smoke: second SIGTERM; exiting now" in run.stderr()
        assert survivors(started) == {}
    finally:
        run.kill()


def test_a_signal_before_the_run_starts_stops_the_demo_target_too(tmp_path: Path) -> None:
    run = SmokeDemo(tmp_path / "out")
    try:
        assert run.proc.stdout is not None
        first = run.proc.stdout.readline()  # the demo target is up: the run is starting
        assert first.startswith("demo target: ")
        started = descendants(run.proc.pid)
        run.proc.send_signal(signal.SIGTERM)
        assert run.finish() == 143
        # either it was caught before the run began (nothing sent, nothing to report) or just
        # after (reported as interrupted); never a lost run
        if (run.output / "results.json").exists():
            assert_reported_as_interrupted(run, "SIGTERM")
        else:
            assert run.stderr().strip() == "smoke: interrupted by SIGTERM before the run started"
        assert survivors(started) == {}
    finally:
        run.kill()


def test_ctrl_c_under_pytest_with_the_plugin_stops_the_journeys_and_reports_them(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    demo_target.set_faults(Faults.parse("hang"))
    output = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "prodsmoke.pytest_plugin", "e2e/",
         "--smoke-env", "demo", "--smoke-results", str(output), "-p", "no:cacheprovider"],
        cwd=DEMO_CONFIG.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=clean_env(SMOKE_DEMO_URL=demo_target.url, SMOKE_TEST_PASSWORD=DEMO_PASSWORD),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while demo_target.audit()["traffic"]["total"] < 1:  # a journey is waiting on the target
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        signalled = time.monotonic()
        out, _ = proc.communicate(timeout=30)
        took = time.monotonic() - signalled
    finally:
        proc.kill()
    assert proc.returncode == 2, out  # pytest's "interrupted"
    assert took < 5, f"{took:.1f} s from SIGINT to exit (a hung journey's limit is 13 s)\n{out}"
    doc = json.loads((output / "results.json").read_text())
    assert {c["id"]: (c["status"], c["error"]) for c in doc["checks"]} == {
        "pricing_plans": ("skip", "interrupted by SIGINT"),
        "dashboard_history": ("skip", "interrupted by SIGINT"),
    }
    assert "SKIP (2 skip)" in out
