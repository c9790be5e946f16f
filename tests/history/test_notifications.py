"""Alerts from the runs themselves (issue 22): once per state change, from the history — a check
failing in two regions then recovering is one trigger and one resolve at Slack, PagerDuty and a
signed webhook (local fakes that check each API's real payload); N-of-M rules; nothing for
ad-hoc, deploy or maintenance runs; a service that is down gets its messages next run, in order;
a refusal is one line naming the notifier; no secret in anything sent."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from prodsmoke import redact
from prodsmoke.config.models import Settings
from prodsmoke.config.monitoring import load_monitoring
from prodsmoke.history.alert_states import AlertLog
from prodsmoke.options import RunOptions
from prodsmoke.reporters.base import publish
from prodsmoke.reporters.delivery import TimeShare
from prodsmoke.reporters.notify import notifiers
from prodsmoke.results import CheckKind, CheckResult, FailureClass, Status, StepResult, Trigger
from tests.history.history_seed import NOW, result, run
from tests.notify_fakes import HOOK_SECRET, PD_KEY, Fakes, monitoring_yaml, secrets_env, serve_fakes

PASSWORD = 'Sm0ke p@ss/"w+rd"&=é-42'  # the leak test's: every encoding treats it differently
COOKIE = "bp_session=Zq8cS3ss10nT0kenValue77"
ERROR = (
    "step 'log in': after logging in as 'basic' the browser is at /api/v1/auth/login, not "
    f"**/dashboard (POST /api/v1/auth/login answered HTTP 500) password={PASSWORD} "
    f"Cookie: {COOKIE}"
)


def login(status: Status) -> CheckResult:
    base = result("login_flow", status, 420, kind=CheckKind.JOURNEY, key="login_ms")
    if status is not Status.FAIL:
        return base
    return replace(
        base,
        error=ERROR,
        failure_class=FailureClass.PRODUCT,
        steps=(
            StepResult("open login", 120, Status.PASS),
            StepResult("log in", 300, Status.FAIL, error="HTTP 500"),
        ),
    )


def at(minutes: int, region: str, status: Status, **kw):
    checks = (result("health", latency=30), login(status))
    return replace(run(NOW + timedelta(minutes=minutes), checks, region=region), **kw)


@pytest.fixture(scope="module")
def fakes_server():
    with serve_fakes() as fakes:
        yield fakes


@pytest.fixture
def fakes(fakes_server: Fakes) -> Fakes:
    fakes_server.reset()
    return fakes_server


class Runner:
    """What a run's publishing does for notifications: the history row, then the notifiers
    (built afresh each run, as each run is its own process)."""

    def __init__(
        self, history, tmp_path: Path, fakes: Fakes, rules: str = "", monitoring: str = ""
    ) -> None:
        redact.register_secret(PASSWORD)
        self.history, self.output = history, tmp_path / "out"
        self.config = tmp_path / "config"
        self.config.mkdir(exist_ok=True)
        text = monitoring or monitoring_yaml(fakes)
        (self.config / "monitoring-integration.yaml").write_text(text)
        if rules:
            (self.config / "alert-rules.yaml").write_text(rules)
        url = history.location.given or history.location.url
        self.environ = {**secrets_env(fakes), "PRODSMOKE_HISTORY_URL": url}

    def __call__(self, result) -> list[str]:
        self.history.append(result, self.output)
        monitoring = load_monitoring(self.config, environ=self.environ)
        chosen = notifiers(
            self.config,
            Settings.model_validate({"name": "production", "base_url": "https://app.example"}),
            RunOptions(region=result.region, output_dir=self.output),
            monitoring=monitoring,
            environ=self.environ,
            share=TimeShare(deadline_s=10**8, keep_back_s=0),
        )
        return publish(result, chosen, kind="notifier")


def test_a_check_failing_in_two_regions_then_recovering_is_one_trigger_and_one_resolve(
    history, tmp_path, fakes
):
    runner = Runner(history, tmp_path, fakes)
    timeline = [
        at(0, "us-east-1", Status.PASS),
        at(1, "eu-west-1", Status.PASS),
        at(30, "us-east-1", Status.FAIL),  # trigger
        at(31, "eu-west-1", Status.FAIL),  # steady: already failing
        at(60, "us-east-1", Status.FAIL),
        at(61, "eu-west-1", Status.FAIL),
        at(90, "us-east-1", Status.PASS),  # still failing in eu-west-1: no resolve yet
        at(91, "eu-west-1", Status.PASS),  # resolve
        at(120, "us-east-1", Status.PASS),
        at(121, "eu-west-1", Status.PASS),
    ]
    errors = [runner(r) for r in timeline]

    assert errors == [[]] * len(timeline)
    assert fakes.rejected == []
    assert [e["event_action"] for e in fakes.pagerduty] == ["trigger", "resolve"]
    assert {e["dedup_key"] for e in fakes.pagerduty} == {"prodsmoke/production/login_flow"}
    assert fakes.incidents == {"prodsmoke/production/login_flow": "resolved"}
    assert [m["event"] for m in fakes.webhook] == ["trigger", "resolve"]
    assert len(fakes.slack) == 2

    trigger = fakes.webhook[0]
    assert trigger["run_id"] == timeline[2].run_id
    assert (trigger["env"], trigger["regions"], trigger["check"]) == (
        "production",
        ["us-east-1"],
        "login_flow",
    )
    assert (trigger["failing_step"], trigger["failure_class"], trigger["new_error"]) == (
        "log in",
        "product",
        True,
    )
    assert trigger["error"].startswith("step 'log in': after logging in as 'basic'")
    assert trigger["repro"] == "smoke repro --env production login_flow"
    assert set(trigger["links"]) == {"screenshot", "trace", "results", "report"}
    assert trigger["links"]["trace"] == str(
        tmp_path / "out" / "artifacts" / "login_flow" / "trace.zip"
    )
    resolve = fakes.webhook[1]
    assert (resolve["regions"], resolve["run_id"]) == (
        ["eu-west-1", "us-east-1"],
        timeline[7].run_id,
    )
    assert resolve["failing_since"] == trigger["failing_since"]
    assert resolve["failing_for_s"] == 61 * 60  # 10:30 to 11:31

    event = fakes.pagerduty[0]["payload"]
    assert event["summary"].startswith(
        "FAILING production · login_flow in us-east-1: new error: step 'log in': after logging"
    )
    assert (event["severity"], event["component"], event["group"], event["class"]) == (
        "critical",
        "login_flow",
        "production",
        "product",
    )
    details = event["custom_details"]
    assert (details["failing_step"], details["reproduce"]) == (
        "log in",
        "smoke repro --env production login_flow",
    )
    header = fakes.slack[0]["blocks"][0]["text"]["text"]
    assert header == "🔴 FAILING production · login_flow in us-east-1"
    facts = " ".join(f["text"] for f in fakes.slack[0]["blocks"][1]["fields"])
    first = f"*Failing*\nsince this run ({NOW + timedelta(minutes=30):%H:%M} UTC)"
    for part in ("production", "us-east-1", "`login_flow` (journey)", "log in", "product", first):
        assert part in facts
    assert fakes.slack[1]["blocks"][0]["text"]["text"] == (
        "✅ RESOLVED production · login_flow passing again (eu-west-1, us-east-1)"
    )

    # Nothing secret in anything sent: the password (raw, URL-, JSON-, HTML-encoded), the
    # session cookie, the routing key, the webhook's URL and its HMAC key.
    sent = json.dumps([fakes.slack, fakes.pagerduty, fakes.webhook], ensure_ascii=False)
    sent = sent.replace(PD_KEY, "")  # the routing key is the Events API's own field…
    assert all(e.get("routing_key") == PD_KEY for e in fakes.pagerduty)  # …and only there
    for needle in (*redact.secrets(), COOKIE.split("=")[1], HOOK_SECRET, fakes.slack_url):
        assert needle not in sent, needle


def test_n_of_m_rules_decide_when_a_check_pages(history, tmp_path, fakes):
    rules = (
        "env: production\nrules:\n"
        "  - {id: two_failures, severity: high, failures: 2, window: 1h, notify: [a@b.io]}\n"
        "  - {id: two_regions, severity: critical, failing_regions: 2, window: 10m, "
        "notify: [a@b.io]}\n"
    )
    runner = Runner(history, tmp_path, fakes, rules)

    runner(at(0, "us-east-1", Status.FAIL))  # one failure: neither rule holds
    runner(at(30, "us-east-1", Status.PASS))  # and it passes again: nothing to resolve
    assert fakes.pagerduty == []
    runner(at(70, "us-east-1", Status.FAIL))  # the one at 10:00 is out of the hour
    assert fakes.pagerduty == []
    runner(at(72, "eu-west-1", Status.FAIL))  # two regions in 10 min, two failures in 1 h
    assert [e["event_action"] for e in fakes.pagerduty] == ["trigger"]
    assert fakes.pagerduty[0]["payload"]["severity"] == "critical"  # the most severe rule held
    assert fakes.webhook[0]["rule"] == "two_regions"
    assert fakes.webhook[0]["regions"] == ["eu-west-1", "us-east-1"]
    assert fakes.webhook[0]["failing_since"].endswith(f"{NOW + timedelta(minutes=70):%H:%M}:00Z")
    assert not fakes.webhook[0]["new_error"]  # the same failure as at 10:00


def test_ad_hoc_deploy_and_maintenance_runs_send_nothing(history, tmp_path, fakes):
    runner = Runner(history, tmp_path, fakes)
    assert runner(at(0, "us-east-1", Status.FAIL, trigger=Trigger.ADHOC)) == []
    assert runner(at(1, "us-east-1", Status.FAIL, trigger=Trigger.DEPLOY, version="2")) == []
    assert runner(at(2, "us-east-1", Status.FAIL, maintenance="db upgrade")) == []
    assert fakes.pagerduty == fakes.slack == fakes.webhook == []
    assert AlertLog(history).states("production") == {}


def test_a_service_that_is_down_gets_its_messages_on_the_next_run_in_order(
    history, tmp_path, fakes
):
    runner = Runner(history, tmp_path, fakes)
    runner(at(0, "us-east-1", Status.PASS))
    fakes.mode["pagerduty"] = "down"
    errors = runner(at(30, "us-east-1", Status.FAIL))
    [line] = errors
    assert line.startswith(
        "notifier pagerduty: DeliveryError: login_flow trigger: POST 127.0.0.1 answered HTTP "
        "503 after 3 attempts; spooled (1 waiting in "
    )
    assert [m["event"] for m in fakes.webhook] == ["trigger"]  # the others were not held up
    errors = runner(at(60, "us-east-1", Status.PASS))  # still down: the resolve waits behind
    assert errors[0].startswith("notifier pagerduty: DeliveryError: login_flow resolve spooled")
    fakes.mode.clear()

    assert runner(at(90, "us-east-1", Status.PASS)) == []  # steady: the backlog, oldest first
    assert [e["event_action"] for e in fakes.pagerduty] == ["trigger", "resolve"]
    assert fakes.incidents == {"prodsmoke/production/login_flow": "resolved"}
    spooled = list((tmp_path / "out" / "spool" / "notify-pagerduty").glob("*"))
    assert spooled == []
    stored = (tmp_path / "out" / "spool").rglob("*.json")
    assert all(PD_KEY not in p.read_text() for p in stored)  # the key is added when sending


def test_a_refusal_is_one_line_naming_the_notifier_and_is_not_spooled(history, tmp_path, fakes):
    runner = Runner(history, tmp_path, fakes)
    fakes.mode["slack"] = "gone"
    fakes.mode["pagerduty"] = "gone"

    errors = runner(at(0, "us-east-1", Status.FAIL))

    assert errors == [
        "notifier slack: DeliveryError: login_flow trigger: POST 127.0.0.1 answered HTTP 404 "
        "(no_service: the webhook was removed or its URL is wrong; check SLACK_WEBHOOK_URL) "
        "after 1 attempt; refused, not spooled",
        "notifier pagerduty: DeliveryError: login_flow trigger: POST 127.0.0.1 answered HTTP "
        "400 (Event object is invalid; Invalid routing key (check PAGERDUTY_ROUTING_KEY)) after "
        "1 attempt; refused, not spooled",
    ]
    assert not (tmp_path / "out" / "spool" / "notify-slack").exists() or not list(
        (tmp_path / "out" / "spool" / "notify-slack").glob("*.json")
    )
    assert [m["event"] for m in fakes.webhook] == ["trigger"]


def test_an_unreachable_history_sends_nothing_and_says_so(tmp_path, fakes):
    from prodsmoke.history import History

    broken = History(f"postgresql://smoke:pw@127.0.0.1:{_closed_port()}/none", connect_timeout_s=1)
    runner = Runner(broken, tmp_path, fakes)
    runner.history = _NoWrite()
    [line] = runner(at(0, "us-east-1", Status.FAIL))
    assert line.startswith("notifier alerts: DeliveryError: state changes not judged (run history ")
    assert line.endswith(
        "nothing sent for this run, the next run that reaches the history sends what changed"
    )
    assert fakes.webhook == []


class _NoWrite:
    def append(self, *_: object) -> None:
        pass


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_webhook_url_in_aws_secrets_manager_is_read_when_the_run_starts(
    history, tmp_path, fakes, moto_reset
):
    import boto3

    boto3.client("secretsmanager").create_secret(
        Name="prod/smoke/slack", SecretString=json.dumps({"url": fakes.slack_url})
    )
    monitoring = (
        "reporters: [history]\nnotifiers:\n"
        "  - {kind: slack, webhook_url: {aws_secret: prod/smoke/slack, key: url}}\n"
        "  - {kind: slack, name: slack-missing, webhook_url: {aws_secret: prod/smoke/nope}}\n"
    )
    runner = Runner(history, tmp_path, fakes, monitoring=monitoring)
    runner.environ["AWS_DEFAULT_REGION"] = "us-east-1"

    [line] = runner(at(0, "us-east-1", Status.FAIL))

    assert len(fakes.slack) == 1
    assert line == (
        "notifier slack-missing: DeliveryError: webhook_url: AWS secret prod/smoke/nope: not "
        "found in us-east-1; check the name and region; 1 notification(s) spooled"
    )
    assert fakes.slack_url not in line and fakes.slack_url in redact.secrets()
