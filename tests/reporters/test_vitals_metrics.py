"""Web Vitals as metric points (SPEC §13): `web_vitals.<v>` tagged `check` and `page`, in their
units, as Datadog's intake and CloudWatch (moto) receive them."""

from __future__ import annotations

import io
from dataclasses import replace

import boto3

from prodsmoke.config.models import Settings
from prodsmoke.options import RunOptions
from prodsmoke.reporters.base import publish
from prodsmoke.reporters.console import ConsoleReporter
from prodsmoke.reporters.metrics import points
from prodsmoke.reporters.registry import configured_reporters
from prodsmoke.results import PageVitals, RunResult, Status
from tests.reporters.metrics_intake import Intake

SETTINGS = Settings(name="production", base_url="https://app.example.com", deadline_s=30)
HOME = PageVitals(
    "/",
    {"ttfb_ms": 31, "fcp_ms": 96, "lcp_ms": 1708, "cls": 0.25, "requests": 12,
     "transfer_bytes": 39069},
)  # fmt: skip
PRICING = PageVitals("/pricing", {"ttfb_ms": 1015, "cls": 0.0, "inp_ms": 48}, loads=2)


def with_pages(run: RunResult, skipped: bool = False) -> RunResult:
    def add(check):
        if check.id == "homepage_load":
            return replace(check, pages=(HOME,))
        if check.id == "pricing_plans":
            status = Status.SKIP if skipped else check.status
            return replace(check, pages=(PRICING,), status=status)
        return check

    return replace(run, checks=tuple(add(c) for c in run.checks))


def vitals(found):
    return {
        (p.name.rsplit(".", 1)[-1], p.tag("check"), p.tag("page")): p
        for p in found
        if ".web_vitals." in p.name
    }


def test_each_measured_vital_of_each_page_is_one_point_tagged_check_and_page(make_run):
    run = with_pages(make_run())

    found = vitals(points(run, "smoke_test", {"service": "prodsmoke", "page": "static"}))

    assert set(found) == {
        *((v, "homepage_load", "/") for v in HOME.vitals),
        ("ttfb_ms", "pricing_plans", "/pricing"),
        ("cls", "pricing_plans", "/pricing"),
        ("inp_ms", "pricing_plans", "/pricing"),
    }
    lcp = found["lcp_ms", "homepage_load", "/"]
    assert (lcp.name, lcp.value, lcp.unit) == ("smoke_test.web_vitals.lcp_ms", 1708, "ms")
    assert lcp.tags == (
        ("env", "production"),
        ("region", "us-east-1"),
        ("scope", "check"),
        ("check", "homepage_load"),
        ("status", "pass"),
        ("page", "/"),
        ("service", "prodsmoke"),  # a static tag never overrides ours ("page" was dropped)
    )
    units = {name: p.unit for (name, _, _), p in found.items()}
    assert units == {
        "ttfb_ms": "ms",
        "fcp_ms": "ms",
        "lcp_ms": "ms",
        "inp_ms": "ms",
        "cls": "ratio",
        "requests": "count",
        "transfer_bytes": "bytes",
    }


def test_a_skipped_journey_reports_no_vitals(make_run):
    found = vitals(points(with_pages(make_run(), skipped=True), "smoke_test"))
    assert {check for _, check, _ in found} == {"homepage_load"}


def test_datadog_receives_them_as_gauges_with_page_tags_and_units(
    intake: Intake, monitoring_config, make_run, tmp_path
):
    run = with_pages(make_run())
    options = RunOptions(region="us-east-1", output_dir=tmp_path / "out")
    chosen = configured_reporters(monitoring_config(reporters="[datadog]"), SETTINGS, options)

    assert publish(run, chosen) == []

    assert intake.rejected == []
    series = {
        s["metric"]: s
        for s in intake.dd_points()
        if s["metric"].startswith("smoke_test.web_vitals.") and "check:homepage_load" in s["tags"]
    }
    assert set(series) == {f"smoke_test.web_vitals.{v}" for v in HOME.vitals}
    lcp = series["smoke_test.web_vitals.lcp_ms"]
    assert (lcp["type"], lcp["unit"], lcp["points"][0]["value"]) == (3, "millisecond", 1708)
    assert {"page:/", "check:homepage_load", "env:production"} <= set(lcp["tags"])
    assert series["smoke_test.web_vitals.transfer_bytes"]["unit"] == "byte"


def test_cloudwatch_publishes_a_page_only_under_a_dimension_set_naming_page(
    moto_reset, monitoring_config, make_run, tmp_path
):
    run = with_pages(make_run())
    options = RunOptions(region="us-east-1", output_dir=tmp_path)
    sets = ", dimension_sets: [[env], [env, check], [env, check, page]]"
    config = monitoring_config(reporters="[cloudwatch]", cloudwatch=sets)

    assert publish(run, configured_reporters(config, SETTINGS, options)) == []

    client = boto3.client("cloudwatch", region_name="us-east-1")
    found: dict[str, set[frozenset[tuple[str, str]]]] = {}
    for listing in client.get_paginator("list_metrics").paginate(Namespace="Prodsmoke/Test"):
        for m in listing["Metrics"]:
            if ".web_vitals." in m["MetricName"]:
                dims = frozenset((d["Name"], d["Value"]) for d in m["Dimensions"])
                found.setdefault(m["MetricName"], set()).add(dims)
    assert found["smoke_test.web_vitals.inp_ms"] == {
        frozenset(
            {("scope", "check"), ("env", "production"), ("check", "pricing_plans"),
             ("page", "/pricing")}
        )
    }  # fmt: skip
    assert len(found) == 7  # never mixed into the page-less [env] and [env, check] series


def test_the_console_table_shows_each_journeys_worst_page(make_run):
    run = with_pages(make_run())
    stream = io.StringIO()

    ConsoleReporter(stream=stream).report(run)

    rows = {line.split("│")[1].strip(): line for line in stream.getvalue().splitlines()
            if line.startswith("│")}  # fmt: skip
    assert "web vitals (worst page)" in stream.getvalue()
    assert "LCP 1708 ms · CLS 0.25 · 1 page" in rows["homepage_load"]
    assert "CLS 0 · 1 page" in rows["pricing_plans"]  # no paint measured there: no LCP
    assert "LCP" not in rows["pricing_plans"]
    assert "page" not in rows["health"].split("│")[-2]  # an HTTP check loads no page
