"""Datadog: the real datadog-api-client sends v2 series to a local intake that validates them."""

from __future__ import annotations

from pathlib import Path

from prodsmoke.config.models import Settings
from prodsmoke.options import RunOptions
from prodsmoke.reporters.base import publish
from prodsmoke.reporters.registry import configured_reporters
from prodsmoke.results import Status
from tests.reporters.metrics_intake import DD_KEY

SETTINGS = Settings(name="production", base_url="https://app.example.com", deadline_s=30)


def reporters(config: Path, output: Path, **environ: str):
    options = RunOptions(region="us-east-1", output_dir=output)
    return configured_reporters(config, SETTINGS, options, environ=environ)


def test_every_point_arrives_as_a_gauge_with_unit_tags_and_the_run_timestamp(
    intake, monitoring_config, make_run, tmp_path
):
    run = make_run(login=Status.FAIL)
    chosen = reporters(monitoring_config(reporters="[datadog]"), tmp_path / "out")

    assert publish(run, chosen) == []

    assert intake.rejected == []
    method, path, headers = intake.requests[-1]
    assert (method, path) == ("POST", "/api/v2/series")
    assert headers["dd-api-key"] == DD_KEY
    assert headers["content-encoding"] == "gzip"
    series = {(s["metric"], _tag(s, "check"), _tag(s, "step")): s for s in intake.dd_points()}
    assert len(series) == len(intake.dd_points())  # one series per metric and tag set
    stamp = int(run.started_at.timestamp())
    assert {s["type"] for s in series.values()} == {3}  # gauges
    assert all(
        s["points"] == [{"timestamp": stamp, "value": s["points"][0]["value"]}]
        for s in series.values()
    )

    duration = series["smoke_test.duration", None, None]
    assert duration["unit"] == "millisecond"
    assert duration["points"][0]["value"] == 4210
    assert sorted(duration["tags"]) == sorted(
        [
            "env:production",
            "region:us-east-1",
            "scope:run",
            "status:fail",
            "failure_class:product",
            "service:prodsmoke",
        ]
    )
    login = series["smoke_test.success", "login_flow", None]
    assert (login["unit"], login["points"][0]["value"]) == ("fraction", 0)
    assert "failure_class:product" in login["tags"]
    assert "status:fail" in login["tags"]
    assert series["smoke_test.retries", "login_flow", None]["unit"] == "attempt"
    assert series["smoke_test.retries", "login_flow", None]["points"][0]["value"] == 2
    assert series["smoke_test.homepage_load", "homepage_load", None]["points"][0]["value"] == 640
    assert series["smoke_test.api_response", "api_health", None]["points"][0]["value"] == 123.4
    health = series["smoke_test.success", "health", None]
    step = series["smoke_test.step.duration", "pricing_plans", "open_pricing"]
    assert (step["unit"], step["points"][0]["value"]) == ("millisecond", 212)
    own = series["smoke_test.journey.plans_ms", "pricing_plans", None]
    assert (own["unit"], own["points"][0]["value"]) == ("millisecond", 412)
    assert not [t for t in health["tags"] if t.startswith("failure_class:")]


def test_a_wrong_api_key_is_an_error_naming_datadog_without_the_key(
    intake, monitoring_config, make_run, tmp_path
):
    config = monitoring_config(reporters="[datadog]")
    text = (config / "monitoring-integration.yaml").read_text()
    (config / "monitoring-integration.yaml").write_text(text.replace(DD_KEY, "wrong-key-123456"))

    errors = publish(make_run(), reporters(config, tmp_path / "out"))

    assert len(errors) == 1
    assert errors[0].startswith(
        "reporter datadog: DeliveryError: POST /api/v2/series answered HTTP 403"
    )
    assert "after 1 attempt" in errors[0]  # a refused key is not retried within the run
    assert "wrong-key-123456" not in errors[0]
    assert len(list((tmp_path / "out" / "spool" / "datadog").glob("*.json"))) == 1


def test_datadog_is_not_used_without_an_api_key(monitoring_config, tmp_path):
    config = monitoring_config(reporters="[datadog]")
    text = (config / "monitoring-integration.yaml").read_text()
    (config / "monitoring-integration.yaml").write_text(text.replace(f'api_key: "{DD_KEY}"', ""))

    assert reporters(config, tmp_path) == []
    assert [r.name for r in reporters(config, tmp_path, DD_API_KEY=DD_KEY)] == ["datadog"]


def _tag(series, key):
    return next((t.split(":", 1)[1] for t in series["tags"] if t.startswith(key + ":")), None)
