"""The run pipeline (issue 20): what a run needs is checked before anything is sent, what it does
not need never stops it; junit.xml comes straight from the result. Against the real demo target
(HTTP checks only: no browser needed to show it)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from prodsmoke.demo import DemoServer, Faults
from tests.smoke_cli import combined_config, smoke

DEMO_PASSWORD = "correct-horse-battery-staple-42"  # tests/conftest.py's demo target
HTTP = ["--check", "health", "--check", "api_health"]


def run(config: Path, target: DemoServer, output: Path):
    return smoke(
        "run", "--env", "demo", "--config", str(config), "--output", str(output), *HTTP,
        env={"SMOKE_DEMO_URL": target.url, "SMOKE_TEST_PASSWORD": DEMO_PASSWORD},
    )  # fmt: skip


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text, old
    file.write_text(text.replace(old, new, 1))


def test_a_typo_in_another_environments_alert_rules_is_a_warning_not_a_lost_run(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    config = combined_config(tmp_path)
    edit(
        config / "alert-rules.yaml",
        "      - id: smoke_success_critical\n        severity: high\n        title: Staging",
        "      - id: ghost\n        severity: high\n        title: Ghost\n"
        "        description: gone\n"
        "        check: ghost_check\n        metric: smoke_test.success\n"
        "        below: 0.9\n        window: 30m\n        notify: [team@betterprompts.com]\n"
        "      - id: smoke_success_critical\n        severity: high\n        title: Staging",
    )
    output = tmp_path / "out"
    proc = run(config, demo_target, output)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads((output / "results.json").read_text())
    assert [c["status"] for c in doc["checks"]] == ["pass", "pass"]
    (warning,) = [line for line in proc.stderr.splitlines() if "ghost_check" in line]
    assert warning.startswith("warning: not needed by this run, fix for smoke alerts and gate: "), (
        warning
    )
    assert "environments.staging.rules[0].check: got 'ghost_check'" in warning
    assert (output / "junit.xml").is_file()


def test_a_mistake_in_what_the_run_needs_is_exit_2_and_nothing_is_sent(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    config = combined_config(tmp_path)
    edit(config / "monitoring-integration.yaml", "reporters:", "reportrs:")
    proc = run(config, demo_target, tmp_path / "out")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith(f"smoke: {config}/monitoring-integration.yaml: reportrs: ")
    assert demo_target.audit()["traffic"]["total"] == 0


def test_a_mistake_in_this_environments_maintenance_windows_is_exit_2_and_nothing_is_sent(
    demo_target: DemoServer, tmp_path: Path
) -> None:
    config = combined_config(tmp_path)
    rules = config / "alert-rules.yaml"
    rules.write_text(
        rules.read_text()
        + "  demo:\n    maintenance:\n      - {cron: '0 3 * * SUN', duration: forever, reason: x}\n"
    )
    proc = run(config, demo_target, tmp_path / "out")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith(
        f"smoke: {config}/alert-rules.yaml: environments.demo.maintenance[0].duration: "
    ), proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert demo_target.audit()["traffic"]["total"] == 0


def test_junit_xml_is_written_from_the_result(demo_target: DemoServer, tmp_path: Path) -> None:
    config = combined_config(tmp_path)
    output = tmp_path / "out"
    demo_target.set_faults(Faults.parse("health-down"))
    proc = run(config, demo_target, output)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = json.loads((output / "results.json").read_text())
    suite = ET.parse(output / "junit.xml").getroot().find("testsuite")
    assert suite is not None, proc.stdout
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert list(cases) == [c["id"] for c in doc["checks"]]
    assert suite.get("tests") == "2"
    for check in doc["checks"]:
        case = cases[check["id"]]
        assert case.get("classname") == "demo.yaml"
        assert case.get("time") == f"{check['duration_ms'] / 1000:.3f}"
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert props["status"] == check["status"]
        assert props["attempts"] == str(check["attempts"])
    failure = cases["health"].find("failure")
    assert failure is not None and failure.get("message") == (
        f"[product] {doc['checks'][0]['error']}"
    )
    assert suite.get("failures") == "1"
