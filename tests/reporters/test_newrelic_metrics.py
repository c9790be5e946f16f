"""New Relic: the Metric API payload, checked by a local intake against the documented format."""

from __future__ import annotations

from prodsmoke.config.models import Settings
from prodsmoke.config.monitoring import NewRelicSettings
from prodsmoke.options import RunOptions
from prodsmoke.reporters.base import publish
from prodsmoke.reporters.newrelic import endpoint
from prodsmoke.reporters.registry import configured_reporters
from prodsmoke.results import Status
from tests.reporters.metrics_intake import NR_KEY

SETTINGS = Settings(name="production", base_url="https://app.example.com", deadline_s=30)


def test_every_point_arrives_as_a_gauge_with_attributes_and_a_millisecond_timestamp(
    intake, monitoring_config, make_run, tmp_path
):
    run = make_run(login=Status.FAIL)
    options = RunOptions(region="us-east-1", output_dir=tmp_path)
    chosen = configured_reporters(monitoring_config(reporters="[newrelic]"), SETTINGS, options)

    assert publish(run, chosen) == []

    assert intake.rejected == []
    _, path, headers = intake.requests[-1]
    assert path == "/metric/v1"
    assert headers["api-key"] == NR_KEY
    assert headers["content-encoding"] == "gzip"
    (body,) = intake.newrelic
    assert body[0]["common"] == {
        "timestamp": int(run.started_at.timestamp() * 1000),
        "attributes": {"service": "prodsmoke"},
    }
    metrics = {(m["name"], m["attributes"].get("check")): m for m in intake.nr_metrics()}
    assert {m["type"] for m in metrics.values()} == {"gauge"}
    login = metrics["smoke_test.success", "login_flow"]
    assert login["value"] == 0
    assert login["attributes"] == {
        "service": "prodsmoke",
        "env": "production",
        "region": "us-east-1",
        "scope": "check",
        "check": "login_flow",
        "status": "fail",
        "failure_class": "product",
    }
    assert metrics["smoke_test.duration", None]["value"] == 4210
    assert metrics["smoke_test.api_response", "api_health"]["value"] == 123.4


def test_the_region_picks_the_documented_endpoint():
    assert endpoint(NewRelicSettings()) == "https://metric-api.newrelic.com/metric/v1"
    assert endpoint(NewRelicSettings(region="eu")) == "https://metric-api.eu.newrelic.com/metric/v1"
