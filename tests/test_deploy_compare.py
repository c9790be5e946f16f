"""Issue 22's acceptance: two deploys of the demo target, the second with `slow-homepage`,
compared by `smoke gate --version` — the homepage's failure, its new error and its regression
against `slower_than_previous: 20%` close the gate; the first version passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prodsmoke.demo import Faults
from tests.conftest import DEMO_PASSWORD
from tests.history.smoke_runs import smoke_in
from tests.smoke_cli import demo_config

pytestmark = pytest.mark.browser

RULES = """\
env: demo
rules:
  - {id: homepage_slower, severity: high, metric: smoke_test.homepage_load,
     slower_than_previous: 20%}
"""


def deploy(tmp_path: Path, url: str, version: str) -> dict:
    proc = smoke_in(
        tmp_path, "run", "--env", "demo", "--output", "out", "--base-url", url,
        "--version", version, "--trigger", "deploy",
        env={"SMOKE_TEST_PASSWORD": DEMO_PASSWORD}, timeout=240,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    header = proc.stdout.splitlines()[0]
    assert (
        f"· {url} (--base-url, not http://127.0.0.1:8321; the environment's own host) ·" in header
    )
    return json.loads((tmp_path / "out" / "results.json").read_text())


def test_a_slow_homepage_in_the_second_version_closes_the_gate(demo_target, tmp_path):
    config = demo_config(tmp_path)
    (config / "alert-rules.yaml").write_text(RULES)
    (config / "monitoring-integration.yaml").write_text("reporters: [history]\n")

    first = deploy(tmp_path, demo_target.url, "1.0.0")
    assert first["status"] in ("pass", "warn"), first
    demo_target.set_faults(Faults.parse("slow-homepage"))
    second = deploy(tmp_path, demo_target.url, "1.1.0")
    home = next(c for c in second["checks"] if c["id"] == "homepage_load")
    assert home["status"] == "fail"

    gate = smoke_in(tmp_path, "gate", "--env", "demo", "--version", "1.1.0", "--output", "out")
    assert gate.returncode == 1, gate.stdout + gate.stderr
    verdict = json.loads(gate.stdout)
    assert verdict["previous"]["version"] == "1.0.0"
    reasons = [v["reason"] for v in verdict["violations"]]
    assert (
        "homepage_load failed in 1 of 1 runs of version 1.1.0 (previous version 1.0.0: 0 of 1)"
        in reasons
    )
    slower = next(
        v for v in verdict["violations"] if v["reason"].startswith("rule homepage_slower")
    )
    assert slower["check"] == "homepage_load"
    assert slower["evidence"]["value"] > slower["evidence"]["previous"] + 3500  # the 4 s delay
    assert "homepage_load" in {e["check"] for e in verdict["new_errors"]}
    row = next(c for c in verdict["checks"] if c["check"] == "homepage_load")
    assert row["p50_change"] > 2  # more than three times as slow
    page = next(p for p in verdict["pages"] if p["check"] == "homepage_load")
    assert page["p75"]["ttfb_ms"] > page["previous_p75"]["ttfb_ms"] + 3500

    earlier = smoke_in(tmp_path, "gate", "--env", "demo", "--version", "1.0.0", "--output", "out")
    assert earlier.returncode == 0, earlier.stdout
    assert json.loads(earlier.stdout)["previous"] is None
