"""`smoke report`: one static page from the history, checked as text and in a real Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from prodsmoke.cli import main
from prodsmoke.history import History, MaintenanceLog
from prodsmoke.history.report import render
from tests.history.history_seed import NOW, week

CHECKS = ("health", "api_health", "homepage_load", "anonymous_enhancement", "login_flow")


@pytest.fixture(scope="module")
def a_week(tmp_path_factory):
    output = tmp_path_factory.mktemp("results")
    history = History(output / "history.sqlite")
    history.extend(week(), output)
    return output, history.runs()


def test_the_page_has_pass_rates_a_row_per_check_and_the_latest_failures(a_week):
    output, runs = a_week
    page = render(runs, out=output / "report.html", now=NOW)

    assert "<h2>production" in page
    for period in ("24 h", "7 d", "30 d"):
        assert f"pass rate · {period}" in page
    assert "of 1008 runs passed" in page
    for check in CHECKS:
        row = page.split(f"<code>{check}</code>", 1)[1].split("</tr>", 1)[0]
        assert row.count('<svg class="strip"') == 1
        assert row.count("<rect") >= 40  # the strip's bars (and the trend's hover slices)
        assert '<svg class="trend"' in row
        assert "<polyline" in row  # p50
        assert "<polygon" in row  # the p95 band
        assert "24 h: p50 " in row
    failures = page.split("Latest failures", 1)[1]
    # the login outage folds into one item, with links to the latest occurrence's artifacts
    assert re.search(r"\d+ times, .* UTC · eu-west-1, us-east-1, us-west-2", failures)
    assert 'href="artifacts/login_flow/screenshot.png"' in failures
    assert 'href="artifacts/login_flow/trace.zip"' in failures
    assert "smoke repro --env production login_flow" in failures


def test_the_page_needs_nothing_from_outside(a_week):
    output, runs = a_week
    page = render(runs, out=output / "report.html", now=NOW)

    assert "<script" not in page
    assert "<link" not in page
    assert " src=" not in page
    assert "url(" not in page


def test_artifact_links_are_relative_to_where_the_report_is_written(a_week, tmp_path):
    _, runs = a_week
    page = render(runs, out=tmp_path / "elsewhere" / "report.html", now=NOW)

    found = re.search(r'href="([^"]+/login_flow/screenshot\.png)"', page)
    assert found is not None
    link = found.group(1)
    assert (tmp_path / "elsewhere" / link).resolve().parent.name == "login_flow"


def test_smoke_report_writes_report_html_into_the_results_folder(a_week, capsys):
    output, _ = a_week

    assert main(["report", "--output", str(output)]) == 0

    assert capsys.readouterr().out == f"report: {output}/report.html (1008 runs, 3 regions)\n"
    assert (output / "report.html").read_text().startswith("<!doctype html>")


def test_smoke_report_without_history_says_what_to_do(tmp_path, capsys):
    assert main(["report", "--output", str(tmp_path)]) == 2

    assert capsys.readouterr().err == (
        f"smoke: no runs in the last 30 days in the history at {tmp_path}/history.sqlite; "
        "run `smoke run` "
        "(or `smoke demo`) first, or point --history at one\n"
    )


@pytest.mark.browser
def test_the_page_renders_in_chromium_without_overflow_or_requests(a_week, tmp_path):
    from playwright.sync_api import sync_playwright

    from prodsmoke.e2e.browser import find_any

    output, runs = a_week
    page_file = output / "report.html"
    page_file.write_text(render(runs, out=page_file, now=NOW))
    chromium = find_any()
    if chromium is None:
        pytest.skip("no Chromium on this machine")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium),
            args=[
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        width = page.evaluate("document.documentElement.scrollWidth")
        strips = page.locator("svg.strip").count()
        trends = page.locator("svg.trend").count()
        bar = page.locator("svg.strip rect").first.bounding_box()
        page.screenshot(path=tmp_path / "report.png", full_page=True)
        browser.close()

    assert requests == [page_file.as_uri()]
    assert width <= 1280
    assert (strips, trends) == (len(CHECKS), len(CHECKS))
    assert bar is not None and bar["width"] >= 4 and bar["height"] >= 20
    assert Path(tmp_path / "report.png").stat().st_size > 20_000


def test_regions_maintenance_and_adhoc_runs_each_have_their_place(tmp_path):
    from dataclasses import replace
    from datetime import timedelta

    from prodsmoke.results import Status, Trigger
    from tests.history.history_seed import simple

    history = History(tmp_path / "history.sqlite")
    history.extend(
        [simple(NOW - timedelta(minutes=30 * i), region="us-east-1") for i in range(1, 5)]
        + [simple(NOW - timedelta(minutes=30 * i), region="eu-west-1") for i in range(1, 5)],
        tmp_path,
    )
    history.append(
        replace(
            simple(NOW - timedelta(minutes=5), Status.FAIL, region="eu-west-1"), maintenance="db"
        ),
        "s3://smoke-artifacts/prodsmoke/production/eu-west-1/r1/",
    )
    history.append(
        replace(
            simple(NOW - timedelta(minutes=2), Status.FAIL, region="laptop"), trigger=Trigger.ADHOC
        ),
        tmp_path,
    )
    window = MaintenanceLog(history).add(
        "production",
        starts_at=NOW - timedelta(minutes=10),
        ends_at=NOW + timedelta(minutes=20),
        reason="db",
        created_by="ops@example.com",
    )
    runs = history.runs()

    page = render(runs, out=tmp_path / "report.html", now=NOW, windows=[window])

    regions = page.split("<h3>Regions</h3>", 1)[1].split("</table>", 1)[0]
    assert regions.count("<tr") == 3  # header, eu-west-1, us-east-1: not the ad-hoc laptop
    assert (
        "https://s3.console.aws.amazon.com/s3/object/smoke-artifacts?prefix=prodsmoke/" in regions
    )
    # pass rates count neither the run inside the window nor the ad-hoc one
    assert "8 of 8 runs passed" in page
    assert 'fill-opacity="0.35"><title>' in page and "maintenance: db" in page  # shaded
    assert "No failures in the history." in page  # both failures are out of the list
    assert "1 run inside a window (1 failed)" in page and "ops@example.com" in page
    adhoc = page.split("Ad-hoc runs", 1)[1]
    assert "<code>laptop</code>" in adhoc and '<span class="pill fail">fail</span>' in adhoc
    history.close()
