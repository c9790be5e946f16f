"""`smoke alerts plan|apply --provider statuscake` against a local, strict StatusCake API v1."""

from __future__ import annotations

from prodsmoke.alerts.statuscake import STATUS_CODES
from prodsmoke.cli import main
from tests.alerts.statuscake_fake import INVALID


def alerts(capsys, config, *argv):
    code = main(["alerts", *argv, "--provider", "statuscake", "--config", str(config)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def by_name(statuscake):
    return {t["name"]: t for t in statuscake.tests.values()}


def test_apply_creates_one_check_per_health_check_and_a_second_apply_changes_nothing(
    statuscake, alerts_config, capsys
):
    config = alerts_config()

    code, out, _ = alerts(capsys, config, "apply")

    assert code == 0
    assert f"statuscake ({statuscake.url}): 3 resources for env production" in out
    assert "applied: 3 to create, 0 to change, 0 to remove, 0 unchanged" in out
    assert statuscake.unknown_fields == []
    tests = by_name(statuscake)
    assert sorted(tests) == [
        "prodsmoke production api_v1_health",
        "prodsmoke production api_v1_status",
        "prodsmoke production health",
    ]
    health = tests["prodsmoke production health"]
    assert health["test_type"] == "HTTP"
    assert health["website_url"] == "https://app.betterprompts.example/health"
    assert health["check_rate"] == 300  # uptime.every: 5m
    assert health["find_string"] == '"healthy"'
    assert health["do_not_find"] is False
    # status_codes are the codes that mean down: all but the expected 200
    assert "200" not in health["status_codes"]
    assert {"201", "301", "404", "500", "503"} <= set(health["status_codes"])
    assert health["contact_groups"] == ["300001", "300002"]
    assert health["tags"] == ["prodsmoke", "prodsmoke-production"]
    method, path, form = statuscake.writes[0]
    assert (method, path) == ("POST", "/v1/uptime")
    assert form["contact_groups[]"] == ["300001", "300002"]  # arrays as repeated field[]=
    assert form["tags[]"] == ["prodsmoke", "prodsmoke-production"]

    writes = len(statuscake.writes)
    code, out, _ = alerts(capsys, config, "apply")

    assert code == 0
    assert "nothing to change: 0 to create, 0 to change, 0 to remove, 3 unchanged" in out
    assert len(statuscake.writes) == writes


def test_a_config_change_is_exactly_one_update(statuscake, alerts_config, capsys):
    config = alerts_config()
    alerts(capsys, config, "apply")
    env_file = config / "environments" / "production.yaml"
    env_file.write_text(
        env_file.read_text().replace(
            'url: /api/v1/status\n    conditions: ["[STATUS] == 200"',
            'url: /api/v1/status\n    conditions: ["[STATUS] == any(200, 204)"',
        )
    )
    writes = len(statuscake.writes)

    code, out, _ = alerts(capsys, config, "apply")

    assert code == 0
    assert "  ~ update   uptime     prodsmoke production api_v1_status (status_codes)" in out
    assert "applied: 0 to create, 1 to change, 0 to remove, 2 unchanged" in out
    status = by_name(statuscake)["prodsmoke production api_v1_status"]
    assert [(m, p) for m, p, _ in statuscake.writes[writes:]] == [
        ("PUT", f"/v1/uptime/{status['id']}")
    ]
    assert "test_type" not in statuscake.writes[-1][2]
    assert not {"200", "204"} & set(status["status_codes"])

    code, out, _ = alerts(capsys, config, "apply")
    assert "nothing to change: 0 to create, 0 to change, 0 to remove, 3 unchanged" in out


def test_prune_deletes_only_prodsmokes_checks_of_this_environment(
    statuscake, alerts_config, capsys
):
    config = alerts_config()
    alerts(capsys, config, "apply")
    common = {"test_type": ["HTTP"], "website_url": ["https://x.example/"], "check_rate": ["300"]}
    stale = statuscake.add(
        {
            **common,
            "name": ["prodsmoke production old"],
            "tags[]": ["prodsmoke", "prodsmoke-production"],
        }
    )
    theirs = statuscake.add({**common, "name": ["handmade"], "tags[]": ["web"]})
    other_env = statuscake.add(
        {
            **common,
            "name": ["prodsmoke staging health"],
            "tags[]": ["prodsmoke", "prodsmoke-staging"],
        }
    )

    code, out, _ = alerts(capsys, config, "apply")
    assert "kept: prodsmoke production old (apply --prune deletes them)" in out
    assert stale in statuscake.tests

    code, out, _ = alerts(capsys, config, "apply", "--prune")

    assert code == 0
    assert "applied: 0 to create, 0 to change, 1 to remove, 3 unchanged" in out
    assert stale not in statuscake.tests
    assert {theirs, other_env} <= set(statuscake.tests)


def test_errors_are_one_line_without_the_token(statuscake, alerts_config, capsys, monkeypatch):
    config = alerts_config()
    monkeypatch.setenv("STATUSCAKE_API_TOKEN", "not-the-statuscake-key-98765")

    code, out, err = alerts(capsys, config, "plan")

    assert code == 1
    assert err == (
        "smoke: statuscake: cannot list uptime checks: token rejected (HTTP 403); check "
        "STATUSCAKE_API_TOKEN\n"
    )
    assert "not-the-statuscake-key-98765" not in out + err


def test_invalid_fields_are_named(statuscake, alerts_config, capsys):
    config = alerts_config()
    rules = (config / "alert-rules.yaml").read_text()
    (config / "alert-rules.yaml").write_text(rules.replace("300002", "399999"))

    code, _, err = alerts(capsys, config, "apply")

    assert code == 1
    assert err == (
        "smoke: statuscake: cannot create uptime check 'prodsmoke production health': refused "
        "(HTTP 400): contact_groups: Contact group 399999 does not exist\n"
    )

    statuscake.fail_next(
        422, {"message": INVALID, "errors": {"check_rate": ["Check Rate is not a valid value"]}}
    )
    code, _, err = alerts(capsys, config, "plan")
    assert err == (
        "smoke: statuscake: cannot list uptime checks: refused (HTTP 422): check_rate: Check "
        "Rate is not a valid value\n"
    )


def test_rate_limits_are_waited_out(statuscake, alerts_config, capsys):
    statuscake.throttle(1, retry_after="1")

    code, out, _ = alerts(capsys, alerts_config(), "apply")

    assert code == 0
    assert "applied: 3 to create" in out
    assert statuscake.requests[:2] == [("GET", "/v1/uptime")] * 2


def test_an_uptime_check_is_never_slower_than_the_suite(statuscake, alerts_config, capsys):
    config = alerts_config()
    rules = (config / "alert-rules.yaml").read_text()
    (config / "alert-rules.yaml").write_text(rules.replace("every: 5m", "every: 1h"))

    code, _, err = alerts(capsys, config, "plan")

    assert code == 2
    assert err == (
        f"smoke: {config}/alert-rules.yaml: environments.production.uptime.every: got 1h, "
        "expected at most the schedule's 30m (config/cron-schedule.yaml): an uptime check "
        "slower than the suite adds nothing\n"
    )


def test_without_every_the_schedule_sets_the_interval(statuscake, alerts_config, capsys):
    config = alerts_config()
    rules = (config / "alert-rules.yaml").read_text()
    (config / "alert-rules.yaml").write_text(rules.replace("      every: 5m\n", "      {}\n"))

    code, _, _ = alerts(capsys, config, "apply")

    assert code == 0
    assert {t["check_rate"] for t in statuscake.tests.values()} == {1800}


def test_the_status_code_list_is_every_code_but_the_expected():
    from prodsmoke.alerts.statuscake import down_codes

    assert down_codes((200,)) == [str(c) for c in STATUS_CODES if c != 200]
    assert "404" in down_codes((200, 204)) and "204" not in down_codes((200, 204))
    assert down_codes(()) == [str(c) for c in STATUS_CODES if c >= 400]
