"""`smoke alerts plan|apply --provider pingdom` against a local, strict Pingdom API 3.1."""

from __future__ import annotations

import pytest

from prodsmoke.cli import main
from tests.alerts.pingdom_fake import READ_ONLY_TOKEN, TOKEN

NAMES = [
    "prodsmoke production api_v1_health",
    "prodsmoke production api_v1_status",
    "prodsmoke production health",
]


def alerts(capsys, config, *argv):
    code = main(["alerts", *argv, "--provider", "pingdom", "--config", str(config)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def by_name(pingdom):
    return {c["name"]: c for c in pingdom.checks.values()}


def test_apply_creates_one_check_per_health_check_and_a_second_apply_changes_nothing(
    pingdom, alerts_config, capsys
):
    config = alerts_config()

    code, out, err = alerts(capsys, config, "plan")
    assert (code, err) == (0, "")
    assert f"pingdom ({pingdom.url}): 3 resources for env production" in out
    assert "  + create   uptime     prodsmoke production health" in out
    assert "plan: 3 to create, 0 to change, 0 to remove, 0 unchanged" in out
    assert pingdom.writes == []

    code, out, _ = alerts(capsys, config, "apply")

    assert code == 0
    assert "applied: 3 to create, 0 to change, 0 to remove, 0 unchanged" in out
    assert pingdom.unknown_fields == []
    checks = by_name(pingdom)
    assert sorted(checks) == NAMES
    health = checks["prodsmoke production health"]
    assert health["type"] == "http"
    assert health["hostname"] == "app.betterprompts.example"
    assert health["http"]["url"] == "/health"
    assert health["http"]["encryption"] is True
    assert health["resolution"] == 5  # uptime.every: 5m, faster than the 30-minute schedule
    assert health["http"]["shouldcontain"] == '"healthy"'  # [BODY].status == healthy
    assert health["tags"] == ["prodsmoke", "prodsmoke-production"]
    assert health["userids"] == [10000001]  # oncall@ (the rules that name health checks)
    assert health["integrationids"] == [20000001]  # slack:#alerts
    status = checks["prodsmoke production api_v1_status"]
    assert status["http"].get("shouldcontain", "") == ""  # has([BODY].version): no keyword
    method, path, form = pingdom.writes[0]
    assert (method, path) == ("POST", "/api/3.1/checks")
    assert form["type"] == "http"
    assert form["tags"] == "prodsmoke,prodsmoke-production"

    writes = len(pingdom.writes)
    code, out, _ = alerts(capsys, config, "apply")

    assert code == 0
    assert "nothing to change: 0 to create, 0 to change, 0 to remove, 3 unchanged" in out
    assert len(pingdom.writes) == writes


def test_a_config_change_is_exactly_one_update(pingdom, alerts_config, capsys):
    config = alerts_config()
    alerts(capsys, config, "apply")
    env_file = config / "environments" / "production.yaml"
    text = env_file.read_text()
    env_file.write_text(
        text.replace(
            '"[BODY].services.database == healthy"]',
            '"[BODY].services.database == healthy"]\n    enabled: true',
        ).replace("url: /health\n", "url: /healthz\n", 1)
    )
    writes = len(pingdom.writes)

    code, out, _ = alerts(capsys, config, "apply")

    assert code == 0
    assert "  ~ update   uptime     prodsmoke production health (url)" in out
    assert "applied: 0 to create, 1 to change, 0 to remove, 2 unchanged" in out
    new = pingdom.writes[writes:]
    assert [(m, p) for m, p, _ in new] == [
        ("PUT", f"/api/3.1/checks/{by_name(pingdom)['prodsmoke production health']['id']}")
    ]
    assert "type" not in new[0][2]  # the type of a check cannot change
    assert by_name(pingdom)["prodsmoke production health"]["http"]["url"] == "/healthz"


def test_prune_deletes_only_prodsmokes_checks_of_this_environment(pingdom, alerts_config, capsys):
    config = alerts_config()
    alerts(capsys, config, "apply")
    stale = pingdom.add(
        {
            "name": "prodsmoke production old",
            "host": "app.example",
            "type": "http",
            "tags": "prodsmoke,prodsmoke-production",
        }
    )
    theirs = pingdom.add(
        {
            "name": "prodsmoke production handmade",
            "host": "app.example",
            "type": "http",
            "tags": "web",
        }
    )
    other_env = pingdom.add(
        {
            "name": "prodsmoke staging health",
            "host": "staging.example",
            "type": "http",
            "tags": "prodsmoke,prodsmoke-staging",
        }
    )

    code, out, _ = alerts(capsys, config, "apply")

    assert code == 0
    assert (
        "  note: pingdom: 1 prodsmoke uptime check(s) no longer configured, kept: "
        "prodsmoke production old (apply --prune deletes them)"
    ) in out
    assert stale in pingdom.checks

    code, out, _ = alerts(capsys, config, "apply", "--prune")

    assert code == 0
    assert "  - remove   uptime     prodsmoke production old" in out
    assert "applied: 0 to create, 0 to change, 1 to remove, 3 unchanged" in out
    assert stale not in pingdom.checks
    assert {theirs, other_env} <= set(pingdom.checks)
    assert [(m, p) for m, p, _ in pingdom.writes if m == "DELETE"] == [
        ("DELETE", f"/api/3.1/checks/{stale}")
    ]


def test_a_rejected_token_is_one_line_without_the_token(
    pingdom, alerts_config, capsys, monkeypatch
):
    monkeypatch.setenv("PINGDOM_API_TOKEN", "not-the-pingdom-token-1234")

    code, out, err = alerts(capsys, alerts_config(), "plan")

    assert code == 1
    assert err == (
        "smoke: pingdom: cannot list checks: token rejected (HTTP 401); check PINGDOM_API_TOKEN\n"
    )
    assert "not-the-pingdom-token-1234" not in out + err


def test_a_read_only_token_is_refused_on_the_first_write(
    pingdom, alerts_config, capsys, monkeypatch
):
    monkeypatch.setenv("PINGDOM_API_TOKEN", READ_ONLY_TOKEN)

    code, _, err = alerts(capsys, alerts_config(), "apply")

    assert code == 1
    assert err == (
        "smoke: pingdom: cannot create check 'prodsmoke production health': token rejected "
        "(HTTP 403); check PINGDOM_API_TOKEN\n"
    )
    assert READ_ONLY_TOKEN not in err


def test_field_errors_are_named(pingdom, alerts_config, capsys):
    config = alerts_config()
    rules = (config / "alert-rules.yaml").read_text()
    (config / "alert-rules.yaml").write_text(rules.replace("{users: [10000001]}", "{users: [42]}"))

    code, _, err = alerts(capsys, config, "apply")

    assert code == 1
    assert err == (
        "smoke: pingdom: cannot create check 'prodsmoke production health': refused "
        "(HTTP 400): Bad Request Invalid parameter value: userids=42\n"
    )

    pingdom.fail_next(
        422,
        {
            "error": {
                "statuscode": 422,
                "statusdesc": "Unprocessable Entity",
                "errormessage": "shouldcontain: must be at most 255 characters",
            }
        },
    )
    code, _, err = alerts(capsys, config, "plan")

    assert code == 1
    assert err == (
        "smoke: pingdom: cannot list checks: refused (HTTP 422): Unprocessable Entity "
        "shouldcontain: must be at most 255 characters\n"
    )


def test_rate_limits_are_waited_out_then_reported(pingdom, alerts_config, capsys):
    config = alerts_config()
    pingdom.throttle(2, retry_after="1")

    code, out, _ = alerts(capsys, config, "plan")

    assert code == 0
    assert "plan: 3 to create" in out
    assert pingdom.requests[:3] == [("GET", "/api/3.1/checks")] * 3  # twice 429, then served

    pingdom.throttle(10, retry_after="120")  # longer than prodsmoke waits: reported at once
    code, _, err = alerts(capsys, config, "plan")

    assert code == 1
    assert err == (
        "smoke: pingdom: cannot list checks: rate limited (HTTP 429): it asks to wait 120 s, "
        "longer than 30 s; try again later\n"
    )


def test_pingdom_cannot_expect_an_error_status(pingdom, alerts_config, capsys):
    config = alerts_config()
    env_file = config / "environments" / "production.yaml"
    env_file.write_text(
        env_file.read_text().replace(
            'url: /api/v1/status\n    conditions: ["[STATUS] == 200"',
            'url: /api/v1/status\n    conditions: ["[STATUS] == 503"',
        )
    )

    code, _, err = alerts(capsys, config, "plan")

    assert code == 2
    assert err == (
        f"smoke: {config}/alert-rules.yaml: environments.production.uptime.checks: "
        "api_v1_status expects HTTP 503; Pingdom takes any status below 400 as up and cannot "
        "expect it (leave it out of uptime.checks)\n"
    )


def test_every_recipient_needs_a_pingdom_contact(pingdom, alerts_config, capsys):
    config = alerts_config()
    rules = (config / "alert-rules.yaml").read_text()
    (config / "alert-rules.yaml").write_text(
        rules.replace('        "slack:#alerts": {integrations: [20000001]}\n', "")
    )

    code, _, err = alerts(capsys, config, "plan")

    assert code == 2
    assert err == (
        f"smoke: {config}/alert-rules.yaml: environments.production.pingdom.contacts: "
        "'slack:#alerts' has no Pingdom contact (it is told about health); add slack:#alerts: "
        "{users: [ID]}\n"
    )


@pytest.mark.parametrize(
    ("unset", "message"),
    [
        ("PINGDOM_API_TOKEN", "smoke: --provider pingdom: set PINGDOM_API_TOKEN\n"),
    ],
)
def test_without_a_token_the_provider_says_which_is_needed(
    pingdom, alerts_config, capsys, monkeypatch, unset, message
):
    monkeypatch.delenv(unset)

    code, _, err = alerts(capsys, alerts_config(), "plan")

    assert (code, err) == (2, message)
    assert TOKEN not in err
