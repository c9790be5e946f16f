"""The dashboards draw every page's Web Vitals (issue 14), on Datadog's strict fake and on moto."""

from __future__ import annotations

import json

import boto3

from prodsmoke.cli import main

RULES = (
    "env: production\n"
    "rules:\n"
    "  - {id: lcp_slow, severity: low, metric: smoke_test.web_vitals.lcp_ms, above: 3000,\n"
    "     window: 1h, notify: [team@example.com]}\n"
)


def test_datadog_status_board_has_a_widget_per_vital_by_check_and_page(
    datadog, alerts_config, capsys
):
    config = alerts_config(RULES)

    code = main(["alerts", "apply", "--provider", "datadog", "--config", str(config)])

    assert (code, capsys.readouterr().err) == (0, "")
    assert datadog.rejected == []
    board = next(d for d in datadog.dashboards.values() if d["title"] == "smoke_test_status")
    vitals = {
        w["definition"]["title"]: w["definition"]
        for w in board["widgets"]
        if "web_vitals" in str(w["definition"].get("requests"))
    }
    assert list(vitals) == [
        "LCP (ms) by check and page",
        "CLS by check and page",
        "INP (ms) by check and page",
        "TTFB (ms) by check and page",
    ]
    lcp = vitals["LCP (ms) by check and page"]
    assert (
        lcp["requests"][0]["q"]
        == "avg:smoke_test.web_vitals.lcp_ms{env:production} by {check,page}"
    )
    # the rule's threshold where there is one, else Google's "good" limit
    assert lcp["markers"] == [{"value": "y = 3000", "display_type": "error dashed"}]
    assert vitals["CLS by check and page"]["markers"][0]["value"] == "y = 0.1"


def test_cloudwatch_status_board_searches_every_page_of_each_vital(
    moto_reset, alerts_config, capsys
):
    config = alerts_config()  # the repository's own rules

    code = main(
        [
            "alerts",
            "apply",
            "--provider",
            "cloudwatch",
            "--env",
            "production",
            "--config",
            str(config),
        ]
    )

    assert code == 0, capsys.readouterr()
    client = boto3.client("cloudwatch", region_name="us-east-1")
    board = json.loads(client.get_dashboard(DashboardName="smoke_test_status")["DashboardBody"])
    searches = [
        (w["properties"]["title"], w["properties"]["metrics"][0][0]["expression"])
        for w in board["widgets"]
        if "expression" in str(w["properties"]["metrics"])
    ]
    assert [title for title, _ in searches] == [
        "LCP (ms) by check and page",
        "CLS by check and page",
        "INP (ms) by check and page",
        "TTFB (ms) by check and page",
    ]
    assert searches[0][1] == (
        'SEARCH(\'{Prodsmoke,scope,env,check,page} MetricName="smoke_test.web_vitals.lcp_ms" '
        "env=\"production\"', 'Average', 1800)"
    )
