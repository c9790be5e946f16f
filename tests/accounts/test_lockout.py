"""A locked account is recognised (423 or configured text) and the unlock step clears it."""

from __future__ import annotations

import httpx
import pytest

from prodsmoke.accounts import AccountBroker, is_locked
from prodsmoke.config.models import Account
from prodsmoke.e2e.guard import Guard
from prodsmoke.e2e.http import client

BASIC = "smoke-test-basic@betterprompts.com"
PASSWORD = "correct-horse-battery-staple-42"  # tests/conftest.py's DEMO_PASSWORD


def make_account(**extra: object) -> Account:
    return Account.model_validate({"username": BASIC, "password": "pw-1234"} | extra)


def test_423_is_locked_whatever_the_page_says() -> None:
    assert is_locked(423, "", make_account())
    assert not is_locked(401, "Invalid email or password", make_account())
    assert not is_locked(None, "Account locked", make_account()), "no locked_text configured"


def test_locked_text_matches_ignoring_case_and_reflowed_whitespace() -> None:
    account = make_account(locked_text="Account locked")
    assert is_locked(None, "<p>Your   ACCOUNT\n  locked after too many attempts</p>", account)
    assert is_locked(200, "account locked", account)
    assert not is_locked(200, "Welcome back", account)


def test_unlock_placeholders_are_checked_when_the_config_loads() -> None:
    with pytest.raises(ValueError, match=r"unknown placeholder \{user\}; the only one is"):
        make_account(unlock={"url": "/unlock", "json": {"account": "{user}"}})


async def log_in(raw: httpx.AsyncClient, password: str) -> httpx.Response:
    return await raw.post("/api/v1/auth/login", data={"email": BASIC, "password": password})


async def lock(raw: httpx.AsyncClient) -> None:
    for _ in range(5):
        assert (await log_in(raw, "wrong-password")).status_code == 401
    locked = await log_in(raw, PASSWORD)
    assert locked.status_code == 423


async def test_unlock_step_clears_a_lockout_on_the_demo_target(demo_target, demo_settings) -> None:
    settings = demo_settings()
    async with httpx.AsyncClient(base_url=demo_target.url) as raw:
        await lock(raw)
        page = await log_in(raw, PASSWORD)
        assert is_locked(None, page.text, settings.accounts["basic"]), "the configured text"
        async with client(Guard(settings)) as guarded:
            outcome = await AccountBroker(settings).unlock("basic", guarded)
        assert outcome == "unlocked account 'basic' via POST /__demo__/unlock (HTTP 200)"
        welcome = await log_in(raw, PASSWORD)
        assert welcome.status_code == 303
        assert welcome.headers["location"] == "/dashboard"


async def test_an_unlock_outside_allowed_writes_is_blocked_not_sent(
    demo_target, demo_settings
) -> None:
    settings = demo_settings(safety={"allowed_hosts": ["127.0.0.1"]})
    guard = Guard(settings)
    async with httpx.AsyncClient(base_url=demo_target.url) as raw:
        await lock(raw)
        async with client(guard) as guarded:
            outcome = await AccountBroker(settings).unlock("basic", guarded)
        assert outcome == (
            "could not unlock account 'basic': POST /__demo__/unlock was blocked "
            "(not in allowed_writes); list it in safety.allowed_writes"
        )
        assert (await log_in(raw, PASSWORD)).status_code == 423, "still locked: nothing was sent"


async def test_no_unlock_step_means_none(account_settings) -> None:
    settings = account_settings()
    async with httpx.AsyncClient() as unused:
        assert await AccountBroker(settings).unlock("basic", unused) is None


async def test_an_unlock_the_target_refuses_is_reported(demo_target, demo_settings) -> None:
    bad = {"url": "/__demo__/unlock", "json": {"who": "{username}"}}  # the demo wants "account"
    settings = demo_settings(
        accounts={"basic": {"username": BASIC, "password": PASSWORD, "unlock": bad}}
    )
    async with client(Guard(settings)) as guarded:
        outcome = await AccountBroker(settings).unlock("basic", guarded)
    assert outcome == "could not unlock account 'basic': POST /__demo__/unlock answered HTTP 400"
