"""CloudWatch: put_metric_data against a local moto server, and EMF lines inside Lambda."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import boto3

from prodsmoke.config.models import Settings
from prodsmoke.config.monitoring import CloudWatchSettings
from prodsmoke.options import RunOptions
from prodsmoke.reporters.base import publish
from prodsmoke.reporters.cloudwatch import CloudWatchSender, EmfReporter, emf_documents
from prodsmoke.reporters.registry import configured_reporters
from prodsmoke.results import Status

SETTINGS = Settings(name="production", base_url="https://app.example.com", deadline_s=30)
NAMESPACE = "Prodsmoke/Test"


def statistics(client, run, metric, unit, **dimensions):
    answer = client.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=run.started_at - timedelta(minutes=1),
        EndTime=run.started_at + timedelta(minutes=1),
        Period=60,
        Statistics=["Sum", "SampleCount"],
        Unit=unit,
    )
    return [(d["Sum"], d["SampleCount"], d["Timestamp"]) for d in answer["Datapoints"]]


def test_points_land_under_each_dimension_set_with_units_and_timestamp(
    moto_reset, monitoring_config, make_run, tmp_path
):
    run = make_run(login=Status.FAIL)
    options = RunOptions(region="us-east-1", output_dir=tmp_path)
    chosen = configured_reporters(monitoring_config(reporters="[cloudwatch]"), SETTINGS, options)

    assert [r.name for r in chosen] == ["cloudwatch"]
    assert publish(run, chosen) == []

    client = boto3.client("cloudwatch", region_name="us-east-1")
    check = {"scope": "check", "env": "production", "region": "us-east-1", "check": "login_flow"}
    assert statistics(client, run, "smoke_test.success", "None", **check) == [
        (0, 1, run.started_at)
    ]
    assert statistics(client, run, "smoke_test.retries", "Count", **check)[0][:2] == (2, 1)
    whole = {"scope": "run", "env": "production", "region": "us-east-1"}
    assert statistics(client, run, "smoke_test.duration", "Milliseconds", **whole) == [
        (4210, 1, run.started_at)
    ]
    published = metrics(client)
    # every value also lands under the smaller sets that alarms watch (one exact set each)
    assert published["smoke_test.success"] >= {
        frozenset({("scope", "run"), ("env", "production")}),
        frozenset({("scope", "run"), ("env", "production"), ("region", "us-east-1")}),
        frozenset({("scope", "check"), ("env", "production"), ("check", "login_flow")}),
        frozenset(check.items()),
    }
    # status and failure_class are tags for Datadog/New Relic; here they would split series
    names = {name for sets in published.values() for dims in sets for name, _ in dims}
    assert names == {"scope", "env", "region", "check"}


def metrics(client):
    out: dict[str, set[frozenset[tuple[str, str]]]] = {}
    for page in client.get_paginator("list_metrics").paginate(Namespace=NAMESPACE):
        for m in page["Metrics"]:
            dims = frozenset((d["Name"], d["Value"]) for d in m["Dimensions"])
            out.setdefault(m["MetricName"], set()).add(dims)
    return out


def test_more_than_1000_data_are_split_into_calls_of_at_most_1000(moto_reset, make_run):
    run = make_run(extra_checks=70)  # 70 checks x 4 metrics x 4 dimension sets + the rest
    sender = CloudWatchSender(CloudWatchSettings(namespace=NAMESPACE), "smoke_test", "us-east-1")
    payload = sender.payload(run)
    total = len(payload["metric_data"])
    streams = {
        (d["MetricName"], frozenset((x["Name"], x["Value"]) for x in d["Dimensions"]))
        for d in payload["metric_data"]
    }

    sender.send(payload, timeout_s=10)

    assert total > 1000
    assert sender.calls == -(-total // 1000)
    assert payload["metric_data"] == []  # delivered chunks leave the payload
    client = boto3.client("cloudwatch", region_name="us-east-1")
    extra = {"scope": "check", "env": "production", "region": "us-east-1", "check": "extra_0069"}
    assert statistics(client, run, "smoke_test.check.duration", "Milliseconds", **extra) == [
        (40, 1, run.started_at)
    ]
    published = metrics(client)
    assert {(name, dims) for name, sets in published.items() for dims in sets} == streams


def test_inside_lambda_the_points_are_printed_as_embedded_metric_format(
    monitoring_config, make_run, tmp_path
):
    config = monitoring_config(reporters="[cloudwatch]")
    text = (config / "monitoring-integration.yaml").read_text()
    (config / "monitoring-integration.yaml").write_text(text.replace("mode: api", "mode: auto"))
    options = RunOptions(region="eu-west-1", output_dir=tmp_path)
    environ = {"AWS_LAMBDA_FUNCTION_NAME": "prodsmoke", "AWS_REGION": "eu-west-1"}

    (reporter,) = configured_reporters(config, SETTINGS, options, environ=environ)

    assert isinstance(reporter, EmfReporter)
    reporter.stream = io.StringIO()
    run = make_run(login=Status.FAIL, region="eu-west-1")
    reporter.report(run)
    docs = [json.loads(line) for line in reporter.stream.getvalue().splitlines()]
    assert len(docs) == 1 + 6 + 2  # the run, each check that ran, each step of pricing_plans
    for doc in docs:
        assert doc["_aws"]["Timestamp"] == int(run.started_at.timestamp() * 1000)
        (directive,) = doc["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == NAMESPACE
        for names in directive["Dimensions"]:
            assert names[0] == "scope"
            assert all(isinstance(doc[n], str) for n in names)  # each dimension is a member
        for metric in directive["Metrics"]:
            assert isinstance(doc[metric["Name"]], float)
            assert metric["Unit"] in ("Milliseconds", "Count", "None")
    login = next(d for d in docs if d.get("check") == "login_flow")
    assert login["smoke_test.success"] == 0
    assert login["region"] == "eu-west-1"
    assert ["scope", "env", "region", "check"] in login["_aws"]["CloudWatchMetrics"][0][
        "Dimensions"
    ]
    whole = next(d for d in docs if d["scope"] == "run")
    assert whole["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [
        ["scope", "env"],
        ["scope", "env", "region"],
    ]


def test_emf_documents_hold_at_most_100_metrics(make_run):
    docs = emf_documents(make_run(extra_checks=2), "smoke_test", CloudWatchSettings())

    assert all(len(json.loads(d)["_aws"]["CloudWatchMetrics"][0]["Metrics"]) <= 100 for d in docs)
