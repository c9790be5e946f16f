"""Maintenance windows (SPEC §12): kept in the history; runs inside are kept, marked, exit 0 and
left out of the gate; a Datadog downtime (local intake holding the real API's payload rules) and
CloudWatch alarm actions (moto) are silenced by `start` and given back by `end` or by the first
run after the window."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from prodsmoke.config.maintenance import MaintenanceWindow
from prodsmoke.demo import Faults
from prodsmoke.history import History, MaintenanceLog
from prodsmoke.maintenance.windows import covering
from tests.history.datadog_downtimes_fake import API_KEY, APP_KEY, fake_downtimes
from tests.history.smoke_runs import config_root, smoke_in

REGION = "us-east-1"


def test_recurring_windows_cover_their_span_after_each_cron_time():
    sunday = MaintenanceWindow(cron="0 3 * * SUN", duration="1h", reason="weekly database vacuum")
    at = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # a Sunday

    assert sunday.active_at(at) and sunday.active_at(at + timedelta(minutes=59, seconds=59))
    assert not sunday.active_at(at + timedelta(hours=1))
    assert not sunday.active_at(at - timedelta(seconds=1))
    assert not sunday.active_at(at + timedelta(days=1))
    assert covering(at + timedelta(minutes=5), repeating=[sunday]) == "weekly database vacuum"
    short = MaintenanceWindow(cron="0 3 * * SUN", duration="1m", reason="xxx")
    assert covering(at + timedelta(hours=2), repeating=[short]) is None


@pytest.fixture
def downtimes():
    with fake_downtimes() as fake:
        yield fake


@pytest.fixture
def alarms(moto_reset):
    client = boto3.client("cloudwatch", region_name=REGION)
    for name, enabled in (
        ("prodsmoke-demo-smoke_success_critical", True),
        ("prodsmoke-demo-repeated_failures", True),
        ("prodsmoke-demo-muted_on_purpose", False),
        ("prodsmoke-production-smoke_success_critical", True),
        ("someone-elses-alarm", True),
    ):
        client.put_metric_alarm(
            AlarmName=name,
            MetricName="success",
            Namespace="Prodsmoke",
            Statistic="Average",
            Period=300,
            EvaluationPeriods=1,
            Threshold=0.9,
            ComparisonOperator="LessThanThreshold",
            ActionsEnabled=enabled,
            AlarmActions=["arn:aws:sns:us-east-1:123456789012:smoke-oncall"],
        )

    def actions():
        found = client.describe_alarms()["MetricAlarms"]
        return {a["AlarmName"]: a["ActionsEnabled"] for a in found}

    return actions


def test_a_window_silences_alerting_marks_failing_runs_and_end_gives_it_back(
    tmp_path, demo_target, downtimes, alarms, moto_reset
):
    config = config_root(
        tmp_path,
        monitoring=(
            "reporters: [history]\n"
            f'datadog: {{host: "{downtimes.url}"}}\n'
            f"cloudwatch: {{region: {REGION}, endpoint_url: '{moto_reset}'}}\n"
        ),
    )
    url = f"sqlite:///{tmp_path / 'shared' / 'history.sqlite'}"
    providers = {
        "DD_API_KEY": API_KEY,
        "DD_APP_KEY": APP_KEY,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DISABLE_REQUEST_COMPRESSION": "true",
        "PRODSMOKE_HISTORY_URL": url,
    }
    common = ["--config", str(config)]

    start = smoke_in(
        tmp_path,
        "maintenance",
        "start",
        "--env",
        "demo",
        "--for",
        "45m",
        "--reason",
        "database upgrade",
        *common,
        env=providers,
    )

    assert start.returncode == 0, start.stdout + start.stderr
    assert "maintenance window #1 for demo:" in start.stdout
    assert "(45m): database upgrade" in start.stdout
    assert "cloudwatch: actions of 2 alarm(s) disabled in us-east-1" in start.stdout
    (downtime,) = downtimes.active()
    attributes = downtime["attributes"]
    assert attributes["monitor_identifier"] == {
        "monitor_tags": ["managed-by:prodsmoke", "env:demo"]
    }
    assert attributes["scope"] == "*"
    assert "database upgrade" in attributes["message"]
    begins = datetime.fromisoformat(attributes["schedule"]["start"])
    ends = datetime.fromisoformat(attributes["schedule"]["end"])
    assert ends - begins == timedelta(minutes=45)
    assert downtimes.rejected == []
    assert alarms() == {
        "prodsmoke-demo-smoke_success_critical": False,
        "prodsmoke-demo-repeated_failures": False,
        "prodsmoke-demo-muted_on_purpose": False,
        "prodsmoke-production-smoke_success_critical": True,
        "someone-elses-alarm": True,
    }

    # a failing run inside the window: kept, marked, exit 0, and it says so
    demo_target.set_faults(Faults(health_down=True))
    output = tmp_path / "out"
    run = smoke_in(
        tmp_path,
        "run",
        "--env",
        "demo",
        *common,
        "--output",
        str(output),
        env={"SMOKE_DEMO_URL": demo_target.url, "PRODSMOKE_HISTORY_URL": url},
    )
    doc = json.loads((output / "results.json").read_text())
    assert run.returncode == 0, run.stdout + run.stderr
    assert (doc["status"], doc["maintenance"], doc["trigger"]) == (
        "fail",
        "database upgrade",
        "scheduled",
    )
    assert "maintenance window (database upgrade): failures kept, exit 0" in run.stdout
    history = History(url)
    (stored,) = history.runs(env="demo")
    assert (stored.status.value, stored.maintenance) == ("fail", "database upgrade")

    # the gate leaves it out: nothing to judge in the window, and it says why
    gate = smoke_in(tmp_path, "gate", "--env", "demo", *common, env={"PRODSMOKE_HISTORY_URL": url})
    assert gate.stderr == "", gate.stderr
    verdict = json.loads(gate.stdout)
    assert verdict["runs"] == 0
    assert verdict["excluded"] == {"maintenance": 1}
    assert verdict["violations"][0]["evidence"]["excluded"] == {"maintenance": 1}

    listing = smoke_in(tmp_path, "maintenance", "list", *common, env={"PRODSMOKE_HISTORY_URL": url})
    assert "#1  demo" in listing.stdout and "open (silenced)  database upgrade" in listing.stdout

    end = smoke_in(tmp_path, "maintenance", "end", "--env", "demo", *common, env=providers)

    assert end.returncode == 0, end.stdout + end.stderr
    assert "maintenance window #1 for demo ended: database upgrade" in end.stdout
    assert "alerting restored at datadog, cloudwatch" in end.stdout
    assert downtimes.active() == []
    assert ("DELETE", f"/api/v2/downtime/{downtime['id']}") in downtimes.requests
    assert alarms()["prodsmoke-demo-smoke_success_critical"] is True
    assert alarms()["prodsmoke-demo-repeated_failures"] is True
    assert alarms()["prodsmoke-demo-muted_on_purpose"] is False  # was off before: stays off
    (window,) = MaintenanceLog(history).find(env="demo")
    assert window.ended_at is not None and window.restored_at is not None
    history.close()


def test_the_first_run_after_a_window_restores_the_alarm_actions(
    tmp_path, demo_target, alarms, moto_reset
):
    config = config_root(
        tmp_path,
        monitoring=(
            "reporters: [history]\n"
            f"cloudwatch: {{region: {REGION}, endpoint_url: '{moto_reset}'}}\n"
        ),
    )
    url = f"sqlite:///{tmp_path / 'history.sqlite'}"
    aws = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "PRODSMOKE_HISTORY_URL": url,
    }
    start = smoke_in(
        tmp_path,
        "maintenance",
        "start",
        "--env",
        "demo",
        "--for",
        "2s",
        "--reason",
        "failover",
        "--config",
        str(config),
        env=aws,
    )
    assert start.returncode == 0, start.stdout + start.stderr
    assert alarms()["prodsmoke-demo-repeated_failures"] is False
    time.sleep(2.5)

    run = smoke_in(
        tmp_path,
        "run",
        "--env",
        "demo",
        "--config",
        str(config),
        "--output",
        str(tmp_path / "o"),
        env={**aws, "SMOKE_DEMO_URL": demo_target.url},
    )

    assert run.returncode == 0, run.stdout + run.stderr
    doc = json.loads((tmp_path / "o" / "results.json").read_text())
    assert doc["maintenance"] is None  # the window is over: this run counts
    said = " ".join(run.stderr.split())
    assert "maintenance window #1 (demo, failover) is over: alerting restored at cloudwatch" in said
    assert alarms()["prodsmoke-demo-repeated_failures"] is True
    assert alarms()["prodsmoke-demo-smoke_success_critical"] is True


def test_a_recurring_window_from_alert_rules_marks_the_runs_inside_it(tmp_path, demo_target):
    config = config_root(tmp_path)
    (config / "alert-rules.yaml").write_text(
        "env: demo\n"
        "rules: []\n"
        # every hour, for an hour: whenever this test runs, it is inside the window
        "maintenance: [{cron: '0 * * * *', duration: 1h, reason: hourly reindex}]\n"
    )
    demo_target.set_faults(Faults(health_down=True))
    output = tmp_path / "out"
    run = smoke_in(
        tmp_path, "run", "--env", "demo", "--config", str(config), "--output", str(output),
        env={"SMOKE_DEMO_URL": demo_target.url},
    )  # fmt: skip
    doc = json.loads((output / "results.json").read_text())
    assert run.returncode == 0, run.stdout + run.stderr
    assert (doc["status"], doc["maintenance"]) == ("fail", "hourly reindex")
    assert "maintenance window (hourly reindex): failures kept, exit 0" in run.stdout

    # an environment the rules do not name has no recurring window
    (config / "alert-rules.yaml").write_text(
        (config / "alert-rules.yaml").read_text().replace("env: demo", "env: production")
    )
    again = smoke_in(
        tmp_path, "run", "--env", "demo", "--config", str(config), "--output", str(output),
        env={"SMOKE_DEMO_URL": demo_target.url},
    )  # fmt: skip
    assert again.returncode == 1, again.stdout + again.stderr
    assert json.loads((output / "results.json").read_text())["maintenance"] is None
