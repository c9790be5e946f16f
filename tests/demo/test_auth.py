"""Login, lockout and unlock, sessions, logout, and enhancements persisted only when logged in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from .helpers import BASIC, PASSWORD, PREMIUM, login

if TYPE_CHECKING:
    from prodsmoke.demo import DemoServer


def test_form_login_sets_a_session_cookie_and_redirects(
    client: httpx.Client, server: DemoServer
) -> None:
    response = login(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard"
    cookie = response.headers["set-cookie"]
    name, _, rest = cookie.partition("=")
    token = rest.split(";")[0]
    assert name == "bp_session"
    assert len(token) >= 32
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=lax"} <= attributes
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    assert f'<span id="user-email">{BASIC}</span>' in dashboard.text
    assert '<button id="logout-button" type="submit">' in dashboard.text
    assert server.audit()["logins"] == [
        {"t": server.audit()["logins"][0]["t"], "account": BASIC, "ok": True, "status": 303}
    ]


def test_tokens_are_random(server: DemoServer) -> None:
    with httpx.Client(base_url=server.url) as one, httpx.Client(base_url=server.url) as two:
        assert login(one).cookies["bp_session"] != login(two).cookies["bp_session"]


def test_json_login(client: httpx.Client) -> None:
    response = client.post("/api/v1/auth/login", json={"email": PREMIUM, "password": PASSWORD})
    assert response.status_code == 200
    assert response.json()["account"] == PREMIUM
    assert "bp_session" in response.cookies
    assert PREMIUM in client.get("/dashboard").text


def test_wrong_password_rerenders_the_form_with_an_error(client: httpx.Client) -> None:
    response = login(client, password="nope")
    assert response.status_code == 401
    assert '<p id="login-error" class="alert" role="alert">Invalid email or password</p>' in (
        response.text
    )
    assert 'id="login-form"' in response.text
    assert "bp_session" not in response.cookies
    json_response = client.post("/api/v1/auth/login", json={"email": BASIC, "password": "x"})
    assert json_response.status_code == 401
    assert json_response.json() == {"error": "invalid_credentials"}


def test_unknown_account_is_refused(client: httpx.Client) -> None:
    assert login(client, account="someone@example.com").status_code == 401


@pytest.mark.parametrize(
    "body", [{"data": {"email": BASIC}}, {"content": b"\xff\xfe"}, {"json": {"email": 1}}]
)
def test_malformed_login_is_400(client: httpx.Client, body: dict[str, object]) -> None:
    assert client.post("/api/v1/auth/login", **body).status_code == 400  # type: ignore[arg-type]


def test_five_wrong_passwords_lock_until_unlocked(client: httpx.Client, server: DemoServer) -> None:
    statuses = [login(client, password=f"wrong-{i}").status_code for i in range(5)]
    assert statuses == [401] * 5
    locked = login(client)  # even the right password
    assert locked.status_code == 423
    assert "Account locked after too many failed attempts" in locked.text
    assert 'id="login-error"' in locked.text
    as_json = client.post("/api/v1/auth/login", json={"email": BASIC, "password": PASSWORD})
    assert as_json.status_code == 423
    assert as_json.json() == {"error": "account_locked"}
    assert login(client, account=PREMIUM).status_code == 303, "other accounts are not locked"

    unlocked = client.post("/__demo__/unlock", json={"account": BASIC.upper()})
    assert unlocked.json() == {"ok": True, "account": BASIC, "was_locked": True}
    assert login(client).status_code == 303
    statuses_logged = [entry["status"] for entry in server.audit()["logins"]]
    assert statuses_logged == [401] * 5 + [423, 423, 303, 303]


def test_success_resets_the_failure_count(client: httpx.Client) -> None:
    for _ in range(4):
        login(client, password="wrong")
    assert login(client).status_code == 303
    for _ in range(4):
        login(client, password="wrong")
    assert login(client).status_code == 303


def test_reset_clears_lockouts_and_sessions(client: httpx.Client, server: DemoServer) -> None:
    login(client, account=PREMIUM)
    for _ in range(6):
        login(client, password="wrong")
    server.reset()
    assert client.get("/dashboard").status_code == 303, "session forgotten"
    assert login(client).status_code == 303, "lockout forgotten"


def test_unlock_needs_an_account(client: httpx.Client) -> None:
    assert client.post("/__demo__/unlock", json={}).status_code == 400
    assert client.post("/__demo__/unlock", content=b"nope").status_code == 400


def test_logout_ends_the_session(client: httpx.Client, server: DemoServer) -> None:
    login(client)
    response = client.post("/api/v1/auth/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert 'bp_session=""' in response.headers["set-cookie"]
    assert client.get("/dashboard").status_code == 303
    assert [e["account"] for e in server.audit()["logouts"]] == [BASIC]


def test_old_token_is_dead_after_logout(server: DemoServer) -> None:
    with httpx.Client(base_url=server.url) as http:
        token = login(http).cookies["bp_session"]
        http.post("/api/v1/auth/logout")
    with httpx.Client(base_url=server.url, cookies={"bp_session": token}) as replay:
        assert replay.get("/dashboard").status_code == 303


def test_enhance_rewrites_deterministically(client: httpx.Client) -> None:
    first = client.post("/api/v1/enhance", json={"prompt": "write a haiku"})
    second = client.post("/api/v1/enhance", json={"prompt": "write a haiku"})
    assert first.status_code == 200
    assert first.json() == second.json()
    assert "write a haiku" in first.json()["enhanced"]
    assert first.json()["enhanced"] != "write a haiku"


@pytest.mark.parametrize("body", [b"not json", b"[]", b"{}", b'{"prompt": 3}', b'{"prompt": "  "}'])
def test_enhance_rejects_bad_bodies(client: httpx.Client, body: bytes) -> None:
    response = client.post(
        "/api/v1/enhance", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "error" in response.json()


def test_enhancement_is_persisted_only_when_logged_in(
    client: httpx.Client, server: DemoServer
) -> None:
    client.post("/api/v1/enhance", json={"prompt": "anonymous"})
    assert server.audit()["persisted"] == []
    login(client, account=PREMIUM)
    client.post("/api/v1/enhance", json={"prompt": "signed in"})
    client.post("/api/v1/enhance", json={"prompt": ""})  # refused, so not stored
    (entry,) = server.audit()["persisted"]
    assert entry["kind"] == "enhancement"
    assert entry["account"] == PREMIUM
    client.post("/api/v1/auth/logout")
    client.post("/api/v1/enhance", json={"prompt": "after logout"})
    assert len(server.audit()["persisted"]) == 1


def test_audit_never_holds_passwords_or_cookies(client: httpx.Client, server: DemoServer) -> None:
    token = login(client).cookies["bp_session"]
    login(client, password="a-wrong-secret")
    client.post("/api/v1/enhance", json={"prompt": "hello"})
    text = client.get("/__demo__/audit").text
    for secret in (PASSWORD, "a-wrong-secret", token):
        assert secret not in text
