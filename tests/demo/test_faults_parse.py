"""`Faults.parse`: accepted forms, canonical text, and the pinned error messages."""

from __future__ import annotations

import pytest

from prodsmoke.demo import FaultError, Faults

EXPECTED = (
    "slow-homepage[:ms], slow-api[:ms], slow-assets[:ms], console-error, missing-element, "
    "degraded-redis, health-down, enhance-error, login-broken, flaky:<percent>, jitter:<percent>, "
    "hang, rate-limit-tight, beacon, endless-body, basic-auth, pricing-broken, examples-empty, "
    "dashboard-broken, late-hero[:ms], layout-shift[:score], slow-first-byte[:ms], "
    "slow-click[:ms], nav-missing-item, pricing-restyle, banner-over-button, "
    "totp-broken, passkey-broken"
)


@pytest.mark.parametrize("text", ["", None, " ", ",", " , "])
def test_empty_means_no_faults(text: str | None) -> None:
    faults = Faults.parse(text)
    assert faults == Faults()
    assert str(faults) == ""
    assert faults.names == ()


def test_defaults_and_values() -> None:
    faults = Faults.parse("slow-homepage, slow-api, flaky:20, jitter:2.5")
    assert faults.slow_homepage_ms == 4000
    assert faults.slow_api_ms == 600
    assert faults.flaky_percent == 20
    assert faults.jitter_percent == 2.5
    assert Faults.parse("slow-homepage:300").slow_homepage_ms == 300
    assert Faults.parse("slow-api:0").slow_api_ms == 0


def test_every_fault_combines_and_round_trips() -> None:
    text = (
        "beacon,hang,slow-api:250,console-error,missing-element,degraded-redis,health-down,"
        "enhance-error,login-broken,flaky:100,jitter:0,rate-limit-tight,slow-homepage:10,"
        "basic-auth,endless-body"
    )
    faults = Faults.parse(text)
    assert str(faults) == (
        "slow-homepage:10,slow-api:250,console-error,missing-element,degraded-redis,health-down,"
        "enhance-error,login-broken,flaky:100,jitter:0,hang,rate-limit-tight,beacon,endless-body,"
        "basic-auth"
    )
    assert Faults.parse(str(faults)) == faults
    assert len(faults.names) == 15


def test_case_and_blanks_are_forgiven() -> None:
    assert Faults.parse(" Flaky : 20 ,HANG ") == Faults(flaky_percent=20, hang=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("slo-homepage", f"unknown fault 'slo-homepage'; expected one of: {EXPECTED}"),
        ("slo-homepage:300", f"unknown fault 'slo-homepage'; expected one of: {EXPECTED}"),
        ("flaky", "fault 'flaky' needs a percent 0-100, e.g. flaky:20"),
        ("flaky:", "fault 'flaky' needs a percent 0-100, e.g. flaky:20"),
        ("flaky:abc", "fault 'flaky' needs a percent 0-100, e.g. flaky:20"),
        ("flaky:101", "fault 'flaky' needs a percent 0-100, e.g. flaky:20"),
        ("flaky:-1", "fault 'flaky' needs a percent 0-100, e.g. flaky:20"),
        ("flaky:nan", "fault 'flaky' needs a percent 0-100, e.g. flaky:20"),
        ("jitter", "fault 'jitter' needs a percent 0-100, e.g. jitter:20"),
        (
            "slow-api:fast",
            "fault 'slow-api' needs a delay in milliseconds 0-600000, e.g. slow-api:300",
        ),
        (
            "slow-homepage:-5",
            "fault 'slow-homepage' needs a delay in milliseconds 0-600000, e.g. slow-homepage:300",
        ),
        (
            "slow-api:600001",
            "fault 'slow-api' needs a delay in milliseconds 0-600000, e.g. slow-api:300",
        ),
        ("hang:1", "fault 'hang' takes no value; write just 'hang'"),
        ("flaky:20,flaky:30", "fault 'flaky' is given more than once; give it once"),
    ],
)
def test_errors_are_one_line_with_an_example(text: str, message: str) -> None:
    with pytest.raises(FaultError) as excinfo:
        Faults.parse(text)
    assert str(excinfo.value) == message
    assert "\n" not in str(excinfo.value)


def test_fault_error_is_a_value_error() -> None:
    assert issubclass(FaultError, ValueError)
