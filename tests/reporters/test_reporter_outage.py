"""A backend outage never costs a run its result, and the next run delivers what was spooled."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import boto3

from prodsmoke.config.models import Settings
from prodsmoke.history import History
from prodsmoke.options import RunOptions
from prodsmoke.reporters.base import Reporter, publish
from prodsmoke.reporters.json_file import JsonFileReporter
from prodsmoke.reporters.registry import configured_reporters
from prodsmoke.results import Status
from tests.reporters.metrics_intake import DD_KEY, NR_KEY

SETTINGS = Settings(name="production", base_url="https://app.example.com", deadline_s=30)


def run_reporters(config, output, run):
    options = RunOptions(region=run.region, output_dir=output)
    chosen: list[Reporter] = [JsonFileReporter(output / "results.json")]
    chosen += configured_reporters(config, SETTINGS, options)
    return publish(run, chosen)


def datapoints(run, check=None):
    client = boto3.client("cloudwatch", region_name="us-east-1")
    dims = {"scope": "check", "check": check} if check else {"scope": "run"}
    dims |= {"env": "production", "region": run.region}
    answer = client.get_metric_statistics(
        Namespace="Prodsmoke/Test",
        MetricName="smoke_test.success",
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        StartTime=run.started_at - timedelta(hours=2),
        EndTime=run.started_at + timedelta(minutes=1),
        Period=1,  # the two runs are seconds apart
        Statistics=["Maximum"],
    )
    return sorted((d["Timestamp"], d["Maximum"]) for d in answer["Datapoints"])


def test_datadog_500_and_cloudwatch_down_then_both_catch_up_on_the_next_run(
    intake, moto_reset, monitoring_config, make_run, minutes_ago, closed_port_url, tmp_path
):
    output = tmp_path / "out"
    intake.fail["datadog"] = 500
    down = monitoring_config(cloudwatch=f', endpoint_url: "{closed_port_url}"')
    first = make_run(login=Status.FAIL, started_at=minutes_ago(0.1), run_id="run-1")

    started = time.monotonic()
    errors = run_reporters(down, output, first)
    took = time.monotonic() - started

    # the run keeps its own verdict; only the two broken backends complain, by name, secret-free
    assert first.exit_code == 1
    assert [e.split(":")[0] for e in errors] == ["reporter datadog", "reporter cloudwatch"]
    assert "answered HTTP 500 (Internal Server Error) after 3 attempts" in errors[0]
    assert "Connection refused" in errors[1] or "Could not connect" in errors[1]
    assert all("spooled" in e and "next run" in e for e in errors)
    assert not [e for e in errors if DD_KEY in e or NR_KEY in e]
    assert took < 10  # bounded by the retry policy, well inside the deadline
    # results.json, the history and New Relic have everything
    assert json.loads((output / "results.json").read_text())["status"] == "fail"
    assert [r.run_id for r in History(output / "history.sqlite").runs()] == ["run-1"]
    assert len(intake.newrelic) == 1
    assert intake.datadog == []
    assert datapoints(first) == []
    assert len(list((output / "spool" / "datadog").glob("*.json"))) == 1
    assert len(list((output / "spool" / "cloudwatch").glob("*.json"))) == 1

    # the next run: both backends are back
    intake.fail.clear()
    up = monitoring_config(cloudwatch="")  # AWS_ENDPOINT_URL: the moto server
    second = make_run(started_at=minutes_ago(0), run_id="run-2")

    assert run_reporters(up, output, second) == []

    assert second.exit_code == 0
    stamps = sorted({s["points"][0]["timestamp"] for s in intake.dd_points()})
    assert stamps == [int(first.started_at.timestamp()), int(second.started_at.timestamp())]
    assert intake.rejected == []
    assert datapoints(first) == [(first.started_at, 0.0), (second.started_at, 1.0)]
    assert datapoints(first, "login_flow") == [
        (first.started_at, 0.0),
        (second.started_at, 1.0),
    ]
    assert list((output / "spool").rglob("*.json")) == []


def test_spooled_datadog_points_older_than_the_intake_accepts_are_dropped_with_a_note(
    intake, monitoring_config, make_run, minutes_ago, tmp_path
):
    output = tmp_path / "out"
    config = monitoring_config(reporters="[datadog]")
    intake.fail["datadog"] = 503
    run_reporters(config, output, make_run(started_at=minutes_ago(1), run_id="old"))
    (spooled,) = (output / "spool" / "datadog").glob("*.json")
    doc = json.loads(spooled.read_text())
    spooled.write_text(json.dumps({**doc, "created": doc["created"] - 7200}))
    intake.fail.clear()

    errors = run_reporters(config, output, make_run(run_id="new"))

    assert errors == [
        "reporter datadog: DeliveryError: delivered; dropped 1 spooled payload(s) older than "
        "the backend accepts (0.966667 h)"
    ]
    assert len(intake.datadog) == 1
    assert list((output / "spool").rglob("*.json")) == []


def test_a_reporter_with_no_time_left_spools_at_once(
    intake, monitoring_config, make_run, minutes_ago, tmp_path
):
    output = tmp_path / "out"
    late = make_run(started_at=minutes_ago(1))  # the 30 s deadline has passed

    errors = run_reporters(monitoring_config(reporters="[newrelic]"), output, late)

    assert errors == [
        "reporter newrelic: DeliveryError: no time left before the run's deadline; payload "
        f"spooled (1 waiting in {output}/spool/newrelic), to be sent on the next run"
    ]
    assert intake.requests == []
