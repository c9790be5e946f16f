"""The uptime providers' HTTP boundary (retries, Retry-After, errors) and what a check expects."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from prodsmoke.alerts import pingdom, statuscake
from prodsmoke.alerts.uptime import expected_status, keyword
from prodsmoke.alerts.uptime_http import ApiClient
from prodsmoke.config.models import HttpCheck
from prodsmoke.errors import AlertsError
from tests.alerts.pingdom_fake import TOKEN


def client(url: str, waits: list[float], token: str = TOKEN) -> ApiClient:
    return ApiClient(
        "pingdom", url, token, "PINGDOM_API_TOKEN", pingdom.field_errors, sleep=waits.append
    )


def test_retry_after_is_honoured_in_seconds_and_as_a_date(pingdom_server):
    pingdom_server.reset()
    waits: list[float] = []
    pingdom_server.throttle(2, retry_after="7")

    answer = client(pingdom_server.url, waits).call("GET", "/checks", "list checks")

    assert answer == {"checks": [], "counts": {"total": 0, "limited": 0, "filtered": 0}}
    assert waits == [7.0, 7.0]

    waits.clear()
    later = datetime.now(UTC) + timedelta(seconds=20)
    pingdom_server.throttle(1, retry_after=format_datetime(later, usegmt=True))
    client(pingdom_server.url, waits).call("GET", "/checks", "list checks")
    assert len(waits) == 1 and 15 < waits[0] <= 20


def test_retries_are_bounded(pingdom_server):
    pingdom_server.reset()
    waits: list[float] = []
    pingdom_server.throttle(10, retry_after="1")

    with pytest.raises(AlertsError) as info:
        client(pingdom_server.url, waits).call("GET", "/checks", "list checks")

    assert str(info.value) == (
        "pingdom: cannot list checks: rate limited (HTTP 429) after 3 retries; try again later"
    )
    assert waits == [1.0, 1.0, 1.0]


def test_an_unreachable_api_is_one_line_after_backing_off():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    waits: list[float] = []

    with pytest.raises(AlertsError) as info:
        client(f"http://127.0.0.1:{port}/api/3.1", waits).call("GET", "/checks", "list checks")

    assert str(info.value) == (
        f"pingdom: cannot list checks: ConnectError talking to http://127.0.0.1:{port}/api/3.1"
    )
    assert waits == [1.0, 2.0, 4.0]


def test_the_token_never_reaches_an_error(pingdom_server):
    pingdom_server.reset()
    secret = "s3cret-pingdom-token-never-shown"

    with pytest.raises(AlertsError) as info:
        client(pingdom_server.url, [], token=secret).call("GET", "/checks", "list checks")
    assert str(info.value) == (
        "pingdom: cannot list checks: token rejected (HTTP 401); check PINGDOM_API_TOKEN"
    )

    # an API that echoes the token back in an error still does not get it printed
    pingdom_server.fail_next(
        400, {"error": {"statusdesc": "Bad Request", "errormessage": f"token {secret} is odd"}}
    )
    with pytest.raises(AlertsError) as info:
        client(pingdom_server.url, []).call("GET", "/checks", "list checks")
    assert str(info.value) == (
        "pingdom: cannot list checks: refused (HTTP 400): Bad Request token [REDACTED] is odd"
    )


def test_statuscake_field_errors_read_like_the_api_says_them():
    body = {
        "message": "invalid",
        "errors": {
            "website_url": ["Website Url is not a valid URL"],
            "check_rate": ["Check Rate is not a valid value"],
        },
    }
    assert statuscake.field_errors(body) == [
        "website_url: Website Url is not a valid URL",
        "check_rate: Check Rate is not a valid value",
    ]
    assert statuscake.field_errors({"message": "No results found", "errors": {}}) == [
        "No results found"
    ]
    assert statuscake.field_errors(None) == []
    forbidden = {"error": {"statuscode": 403, "statusdesc": "Forbidden", "errormessage": "Nope"}}
    assert pingdom.field_errors(forbidden) == ["Forbidden Nope"]


def check(*conditions: str) -> HttpCheck:
    return HttpCheck(id="health", url="/health", conditions=conditions)


@pytest.mark.parametrize(
    ("conditions", "status", "word"),
    [
        (("[STATUS] == 200", "[BODY].status == healthy"), (200,), '"healthy"'),
        (("[STATUS] == any(200, 204)",), (200, 204), None),
        (("[RESPONSE_TIME] < 100", "[BODY] == OK"), (), "OK"),
        (("[STATUS]==301", "[BODY] == pat(*Moved*)"), (301,), "Moved"),
        (("[BODY].ok == true", "[BODY].count == 3", "[BODY].version == any(1, 2)"), (), None),
        (("len([BODY].items) > 0", "has([BODY].version) == true"), (), None),
        (("[BODY].services[0].state == up", "[BODY].status == healthy"), (), '"up"'),
    ],
)
def test_what_an_uptime_check_expects(conditions, status, word):
    assert expected_status(check(*conditions)) == status
    assert keyword(check(*conditions)) == word


@pytest.mark.parametrize(
    ("interval", "resolution", "rate"),
    [(60, 1, 60), (299, 1, 60), (300, 5, 300), (1800, 30, 1800), (3600, 60, 3600), (30, 1, 30)],
)
def test_intervals_map_to_the_fastest_allowed_value_not_slower(interval, resolution, rate):
    assert pingdom.resolution(interval) == resolution
    assert statuscake.check_rate(interval) == rate
