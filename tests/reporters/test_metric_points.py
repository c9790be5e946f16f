"""The points a run becomes: SPEC §7's names, values, units and tags, before any backend."""

from __future__ import annotations

from prodsmoke.reporters.metrics import points
from prodsmoke.results import Status


def by_name_and_check(found):
    return {(p.name, p.tag("check")): p for p in found}


def test_a_failing_run_has_the_spec_metrics_with_their_values_and_units(make_run):
    run = make_run(login=Status.FAIL)
    found = by_name_and_check(points(run, "smoke_test"))

    assert found["smoke_test.duration", None].value == 4210
    assert found["smoke_test.duration", None].unit == "ms"
    assert found["smoke_test.success", None].value == 0
    assert found["smoke_test.failures", None].value == 1
    assert found["smoke_test.success", "login_flow"].value == 0
    assert found["smoke_test.success", "health"].value == 1
    assert found["smoke_test.check.duration", "login_flow"].value == 2100
    assert found["smoke_test.retries", "login_flow"].value == 2
    assert found["smoke_test.retries", "login_flow"].unit == "count"
    assert found["smoke_test.homepage_load", "homepage_load"].value == 640
    assert found["smoke_test.api_response", "api_health"].value == 123.4
    # only API checks report api_response; health checks' response times are not API latency
    assert ("smoke_test.api_response", "health") not in found
    assert all(p.timestamp == run.started_at.timestamp() for p in found.values())


def test_a_skipped_check_reports_nothing_and_a_warning_counts_as_success(make_run):
    found = by_name_and_check(points(make_run(login=Status.WARN), "smoke_test"))

    assert not [key for key in found if key[1] == "api_v1_status"]
    assert found["smoke_test.success", "login_flow"].value == 1
    assert found["smoke_test.success", None].value == 1


def test_tags_are_ordered_low_cardinality_and_empty_ones_are_left_out(make_run):
    found = by_name_and_check(
        points(make_run(login=Status.FAIL), "smoke_test", {"service": "prodsmoke", "env": "x"})
    )

    assert found["smoke_test.success", "login_flow"].tags == (
        ("env", "production"),
        ("region", "us-east-1"),
        ("scope", "check"),
        ("check", "login_flow"),
        ("status", "fail"),
        ("failure_class", "product"),
        ("service", "prodsmoke"),  # a static tag never overrides ours ("env" was dropped)
    )
    assert found["smoke_test.success", "health"].tags[-2:] == (
        ("status", "pass"),
        ("service", "prodsmoke"),
    )
    run_tags = dict(found["smoke_test.success", None].tags)
    assert run_tags == {
        "env": "production",
        "region": "us-east-1",
        "scope": "run",
        "status": "fail",
        "failure_class": "product",
        "service": "prodsmoke",
    }


def test_the_prefix_is_configurable(make_run):
    names = {p.name for p in points(make_run(), "bp.smoke")}

    assert "bp.smoke.success" in names
    assert not [n for n in names if n.startswith("smoke_test.")]


def test_a_journey_reports_its_steps_and_its_own_metrics(make_run):
    found = points(make_run(), "smoke_test")
    steps = {p.tag("step"): p for p in found if p.name == "smoke_test.step.duration"}
    assert steps.keys() == {"open_pricing", "read_the_plans"}  # names as tag values
    assert (steps["open_pricing"].value, steps["open_pricing"].unit) == (212, "ms")
    assert dict(steps["open_pricing"].tags)["check"] == "pricing_plans"
    assert dict(steps["open_pricing"].tags)["scope"] == "check"
    plans = next(p for p in found if p.name == "smoke_test.journey.plans_ms")
    assert (plans.value, plans.unit, plans.tag("check")) == (412.0, "ms", "pricing_plans")
    # a built-in journey's measurements are journey metrics too, and skipped checks have none
    assert {p.name for p in found if p.tag("check") == "homepage_load"} >= {
        "smoke_test.journey.page_load_ms",
        "smoke_test.homepage_load",
    }
