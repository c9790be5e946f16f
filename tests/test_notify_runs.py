"""Notifications from real `smoke run`s (issue 22): the demo target's health goes down and comes
back — one trigger, one resolve at each service, nothing for the steady state or a run by hand;
a failed login's notification carries no secret in any of the leak test's forms."""

from __future__ import annotations

import json

import pytest

from prodsmoke.demo import Faults
from tests.conftest import DEMO_PASSWORD
from tests.e2e.test_secret_leaks import forms
from tests.history.smoke_runs import HTTP_ONLY, smoke_in
from tests.notify_fakes import Fakes, monitoring_yaml, secrets_env, serve_fakes
from tests.smoke_cli import demo_config


@pytest.fixture(scope="module")
def fakes_server():
    with serve_fakes() as fakes:
        yield fakes


@pytest.fixture
def fakes(fakes_server: Fakes) -> Fakes:
    fakes_server.reset()
    return fakes_server


def test_health_down_then_back_is_one_trigger_and_one_resolve(demo_target, fakes, tmp_path):
    root = tmp_path / "config"
    (root / "environments").mkdir(parents=True)
    (root / "environments" / "demo.yaml").write_text(HTTP_ONLY)
    (root / "monitoring-integration.yaml").write_text(
        monitoring_yaml(fakes, extra="report_url: https://smoke.example.com/report.html\n")
    )
    env = {**secrets_env(fakes), "SMOKE_DEMO_URL": demo_target.url}

    def smoke_run(*extra: str) -> str:
        proc = smoke_in(tmp_path, "run", "--env", "demo", "--output", "out", *extra, env=env)
        assert proc.returncode in (0, 1), proc.stdout + proc.stderr
        assert "notifier" not in proc.stdout + proc.stderr  # delivered: nothing to say
        return proc.stdout + proc.stderr

    smoke_run()
    demo_target.set_faults(Faults.parse("health-down"))
    smoke_run()
    smoke_run()  # still down: the steady state
    smoke_run("--check", "health")  # a run by hand: never pages
    demo_target.set_faults(Faults())
    smoke_run()
    smoke_run()

    assert fakes.rejected == []
    by_check = [(e["event_action"], e["dedup_key"]) for e in fakes.pagerduty]
    assert sorted(by_check) == [
        ("resolve", "prodsmoke/demo/api_v1_status"),
        ("resolve", "prodsmoke/demo/health"),
        ("trigger", "prodsmoke/demo/api_v1_status"),
        ("trigger", "prodsmoke/demo/health"),
    ]
    assert set(fakes.incidents.values()) == {"resolved"}
    health = next(m for m in fakes.webhook if m["check"] == "health" and m["event"] == "trigger")
    assert (health["env"], health["regions"], health["failure_class"]) == (
        "demo",
        ["local"],
        "product",
    )
    assert "503" in health["error"] and health["new_error"] is True
    assert health["links"]["report"] == "https://smoke.example.com/report.html"
    assert health["repro"] == "smoke repro --env demo health"
    assert len(fakes.slack) == 4
    report_button = next(e for e in fakes.slack[0]["blocks"] if e["type"] == "actions")["elements"][
        -1
    ]
    assert report_button == {
        "type": "button",
        "text": {"type": "plain_text", "text": "report"},
        "url": "https://smoke.example.com/report.html",
    }


@pytest.mark.browser
def test_a_failed_logins_notification_carries_no_secret(demo_target, fakes, tmp_path):
    config = demo_config(tmp_path)
    (config / "monitoring-integration.yaml").write_text(monitoring_yaml(fakes))
    env = {**secrets_env(fakes), "SMOKE_DEMO_URL": demo_target.url,
           "SMOKE_TEST_PASSWORD": DEMO_PASSWORD}  # fmt: skip
    demo_target.set_faults(Faults.parse("login-broken"))

    proc = smoke_in(tmp_path, "run", "--env", "demo", "--output", "out", env=env, timeout=240)

    assert proc.returncode == 1, proc.stdout + proc.stderr
    login = next(m for m in fakes.webhook if m["check"] == "login_flow")
    assert login["event"] == "trigger" and login["failing_step"]
    assert set(login["links"]) >= {"screenshot", "trace", "report"}
    bodies = json.dumps([fakes.slack, fakes.pagerduty, fakes.webhook], ensure_ascii=False)
    bodies += json.dumps([fakes.slack, fakes.pagerduty, fakes.webhook])  # \u-escaped too
    sent = bodies.encode()
    leaks = [form for form, needle in forms(DEMO_PASSWORD).items() if needle in sent]
    assert leaks == []
    assert b"bp_session=" not in sent or b"bp_session=[REDACTED]" in sent
    assert fakes.slack_url.encode() not in sent
