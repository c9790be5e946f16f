"""`smoke demo` end to end with every reporter on: one backend down, then back."""

from __future__ import annotations

import json

import boto3
import pytest

from prodsmoke.history import History
from tests import smoke_cli
from tests.reporters.metrics_intake import DD_KEY, NR_KEY

pytestmark = pytest.mark.browser


def smoke(*argv, env):
    return smoke_cli.smoke(*argv, env=env, timeout=180)


def write_config(root, intake, cloudwatch_endpoint):
    smoke_cli.demo_config(root.parent)
    endpoint = f', endpoint_url: "{cloudwatch_endpoint}"' if cloudwatch_endpoint else ""
    (root / "monitoring-integration.yaml").write_text(
        "reporters: [history, github_summary, datadog, newrelic, cloudwatch]\n"
        "delivery: {attempts: 2, initial_delay_s: 0.1, timeout_s: 2}\n"
        f'datadog: {{host: "{intake.url}"}}\n'
        f'newrelic: {{endpoint: "{intake.url}/metric/v1"}}\n'
        f"cloudwatch: {{namespace: Prodsmoke/Demo, mode: api, region: us-east-1{endpoint}}}\n"
    )


def test_a_demo_run_reports_everywhere_and_catches_up_after_an_outage(
    intake, moto_reset, closed_port_url, tmp_path
):
    config, output, summary = tmp_path / "config", tmp_path / "out", tmp_path / "summary.md"
    env = {
        "DD_API_KEY": DD_KEY,
        "NEW_RELIC_LICENSE_KEY": NR_KEY,
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    intake.fail["datadog"] = 500
    write_config(config, intake, closed_port_url)

    first = smoke("demo", "--config", str(config), "--output", str(output), env=env)

    assert first.returncode == 0, first.stdout + first.stderr  # the checks passed: so does the run
    errors = [line for line in first.stderr.splitlines() if "reporter " in line]
    assert [e.split("reporter ")[1].split(":")[0] for e in errors] == ["datadog", "cloudwatch"]
    assert DD_KEY not in first.stdout + first.stderr
    assert NR_KEY not in first.stdout + first.stderr
    run_one = json.loads((output / "results.json").read_text())
    assert run_one["env"] == "demo"
    assert {m["attributes"]["env"] for m in intake.nr_metrics()} == {"demo"}
    nr_checks = {m["attributes"].get("check") for m in intake.nr_metrics()} - {None}
    assert nr_checks == {c["id"] for c in run_one["checks"] if c["status"] != "skip"}
    assert summary.read_text().startswith("## ")
    assert "prodsmoke · demo · local" in summary.read_text()
    assert [r.run_id for r in History(output / "history.sqlite").runs()] == [run_one["run_id"]]
    assert len(list((output / "spool" / "datadog").glob("*.json"))) == 1
    assert len(list((output / "spool" / "cloudwatch").glob("*.json"))) == 1

    intake.fail.clear()
    write_config(config, intake, None)  # CloudWatch back: the moto server via AWS_ENDPOINT_URL

    second = smoke("demo", "--config", str(config), "--output", str(output), env=env)

    assert second.returncode == 0, second.stdout + second.stderr
    assert "reporter " not in second.stderr
    run_two = json.loads((output / "results.json").read_text())
    stamps = sorted({s["points"][0]["timestamp"] for s in intake.dd_points()})
    assert len(stamps) == 2 and intake.rejected == []
    durations = sorted(
        s["points"][0]["value"] for s in intake.dd_points() if s["metric"] == "smoke_test.duration"
    )
    assert durations == sorted([run_one["duration_ms"], run_two["duration_ms"]])
    client = boto3.client("cloudwatch", region_name="us-east-1")
    stats = client.get_metric_statistics(
        Namespace="Prodsmoke/Demo",
        MetricName="smoke_test.duration",
        Dimensions=[
            {"Name": n, "Value": v}
            for n, v in (("scope", "run"), ("env", "demo"), ("region", "local"))
        ],
        StartTime="2000-01-01T00:00:00Z",
        EndTime="2100-01-01T00:00:00Z",
        Period=1,
        Statistics=["Maximum"],
        Unit="Milliseconds",
    )
    assert sorted(d["Maximum"] for d in stats["Datapoints"]) == durations
    assert list((output / "spool").rglob("*.json")) == []
    assert len(History(output / "history.sqlite").runs()) == 2

    report = smoke("report", "--output", str(output), "--config", str(config), env={})
    assert report.returncode == 0, report.stderr
    assert "<code>login_flow</code>" in (output / "report.html").read_text()
    gate = smoke("gate", "--env", "demo", "--output", str(output), "--config", str(config), env={})
    assert (gate.returncode, json.loads(gate.stdout)["pass"]) == (0, True), gate.stdout
