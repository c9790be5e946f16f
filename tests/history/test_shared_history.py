"""One history for every runner (SPEC §12): runs from two regions into one PostgreSQL, read by
`smoke gate`, `smoke report` and `smoke history` from a third, empty folder."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.history.smoke_runs import DEMO_PASSWORD, config_root, smoke_in

pytestmark = pytest.mark.browser


def test_two_regions_into_one_postgres_are_seen_by_gate_and_report_from_anywhere(
    tmp_path, demo_target, pg_url
):
    config = config_root(tmp_path / "runner", full=True)
    env = {
        "SMOKE_DEMO_URL": demo_target.url,
        "SMOKE_TEST_PASSWORD": DEMO_PASSWORD,
        "PRODSMOKE_HISTORY_URL": pg_url,
    }
    ran = {}
    for region in ("us-east-1", "eu-west-1"):
        folder = tmp_path / region
        folder.mkdir()
        proc = smoke_in(
            folder, "run", "--env", "demo", "--config", str(config), "--region", region, env=env
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        doc = json.loads((folder / "smoke-results" / "results.json").read_text())
        ran[region] = doc["run_id"]
        assert doc["trigger"] == "scheduled"
    # a run by hand: kept, shown apart, counted nowhere
    adhoc = smoke_in(
        tmp_path / "us-east-1",
        "run",
        "--env",
        "demo",
        "--config",
        str(config),
        "--check",
        "health",
        "--region",
        "laptop",
        "--output",
        "adhoc",
        env=env,
    )
    assert adhoc.returncode == 0, adhoc.stdout + adhoc.stderr

    elsewhere = tmp_path / "deploy-pipeline"
    elsewhere.mkdir()  # no config, no results: only the database URL
    reader = {"PRODSMOKE_HISTORY_URL": pg_url}
    gate = smoke_in(elsewhere, "gate", "--env", "demo", env=reader)
    report = smoke_in(elsewhere, "report", env=reader)
    latest = smoke_in(elsewhere, "history", "latest", "--format", "json", env=reader)
    listing = smoke_in(elsewhere, "history", "list", "--env", "demo", "--format", "csv", env=reader)

    verdict = json.loads(gate.stdout)
    assert gate.returncode == 0, gate.stdout + gate.stderr
    assert verdict["pass"] is True and verdict["violations"] == []
    assert (verdict["runs"], verdict["window_runs"]) == (2, 2)
    assert verdict["excluded"] == {"adhoc": 1}
    assert report.returncode == 0, report.stderr
    assert report.stdout == ("report: smoke-results/report.html (3 runs, 3 regions)\n")
    page = (elsewhere / "smoke-results" / "report.html").read_text()
    regions = page.split("<h3>Regions</h3>", 1)[1].split("</table>", 1)[0]
    assert "<code>eu-west-1</code>" in regions and "<code>us-east-1</code>" in regions
    assert "laptop" not in regions  # the ad-hoc run is listed apart
    assert "Ad-hoc runs" in page and "<code>laptop</code>" in page
    assert {(r["region"], r["trigger"]) for r in json.loads(latest.stdout)} == {
        ("us-east-1", "scheduled"),
        ("eu-west-1", "scheduled"),
        ("laptop", "adhoc"),
    }
    rows = list(csv.DictReader(io.StringIO(listing.stdout)))
    assert {r["run_id"] for r in rows} >= set(ran.values())
    assert all(r["artifacts_url"].startswith(str(tmp_path)) for r in rows)
