"""The audit document: which requests it logs, the synthetic flag, and traffic counts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from websockets.sync.client import connect

from prodsmoke.demo import DemoServer, Faults
from prodsmoke.demo.audit import Audit

if TYPE_CHECKING:
    import httpx

AUDIT_KEYS = {
    "second_factor",  # issue 21: TOTP codes and passkey assertions checked
    "counts",  # issue 21: per account, logins, logouts and second-factor attempts
    "requests",
    "websockets",
    "logins",
    "logouts",
    "persisted",
    "sink",
    "unmarked",
    "traffic",
}


def test_fresh_audit_shape(client: httpx.Client, server: DemoServer) -> None:
    document = client.get("/__demo__/audit").json()
    assert set(document) == AUDIT_KEYS
    assert document == server.audit()
    assert document["traffic"] == {
        "total": 0,
        "max_in_any_60s": 0,
        "api_total": 0,
        "api_max_in_any_60s": 0,
        "status_429": 0,
        "by_minute": {},
    }


def test_requests_lists_every_non_get(client: httpx.Client, server: DemoServer) -> None:
    client.get("/")
    client.get("/health")
    client.head("/")
    client.options("/api/v1/sink/fetch-put")
    client.put("/api/v1/sink/fetch-put", headers={"X-Smoke-Test": "1", "User-Agent": "probe/1"})
    client.delete("/nope")
    client.post("/api/v1/enhance", json={"prompt": "p"})
    entries = server.audit()["requests"]
    assert [(e["method"], e["path"]) for e in entries] == [
        ("HEAD", "/"),
        ("OPTIONS", "/api/v1/sink/fetch-put"),
        ("PUT", "/api/v1/sink/fetch-put"),
        ("DELETE", "/nope"),
        ("POST", "/api/v1/enhance"),
    ]
    put = entries[2]
    assert put["synthetic"] is True
    assert put["user_agent"] == "probe/1"
    assert entries[0]["synthetic"] is False
    assert set(put) == {"t", "method", "path", "synthetic", "user_agent"}
    assert abs(put["t"] - datetime.now(UTC).timestamp()) < 60


def test_query_strings_are_not_logged(client: httpx.Client, server: DemoServer) -> None:
    client.post("/api/v1/sink/fetch-post?token=secret-value")
    (entry,) = server.audit()["requests"]
    assert entry["path"] == "/api/v1/sink/fetch-post"


def test_traffic_counts_everything_but_controls(client: httpx.Client, server: DemoServer) -> None:
    client.get("/")
    for index in range(10):
        client.get(f"/static/asset-{index}.{('css', 'js', 'png')[index % 3]}")
    client.get("/health")
    client.get("/api/v1/test")
    client.post("/api/v1/enhance", json={"prompt": "p"})
    client.post("/__demo__/faults", json={"faults": ""})
    client.get("/__demo__/audit")
    traffic = server.audit()["traffic"]
    assert traffic["total"] == 14
    assert traffic["max_in_any_60s"] == 14
    assert traffic["api_total"] == 3
    assert traffic["api_max_in_any_60s"] == 3
    assert sum(traffic["by_minute"].values()) == 14
    minute = next(iter(traffic["by_minute"]))
    assert datetime.strptime(minute, "%Y-%m-%dT%H:%M")


def test_refused_requests_are_still_counted(client: httpx.Client, server: DemoServer) -> None:
    server.set_faults(Faults.parse("flaky:100"))
    client.post("/api/v1/auth/login", data={"email": "a", "password": "b"})
    traffic = server.audit()["traffic"]
    assert traffic["total"] == 1
    assert traffic["api_total"] == 1


def test_websockets_are_logged_with_the_synthetic_flag(server: DemoServer) -> None:
    url = server.url.replace("http://", "ws://") + "/ws"
    with connect(url, additional_headers={"X-Smoke-Test": "run-1"}) as socket:
        socket.send("hello")
    with connect(url + "?vector=websocket"):
        pass
    audit = server.audit()
    assert [(w["path"], w["synthetic"]) for w in audit["websockets"]] == [
        ("/ws", True),
        ("/ws", False),
    ]
    assert [(s["vector"], s["method"]) for s in audit["sink"]] == [("websocket", "WEBSOCKET")]
    assert audit["requests"] == [], "a WebSocket handshake is a GET"
    assert audit["traffic"]["total"] == 2


def test_reset_clears_the_audit(client: httpx.Client, server: DemoServer) -> None:
    client.post("/api/v1/sink/fetch-post")
    assert server.audit()["sink"]
    assert client.post("/__demo__/reset").json() == {"ok": True}
    assert server.audit()["sink"] == []
    assert server.audit()["traffic"]["total"] == 0


def test_max_in_any_60s_is_a_sliding_window() -> None:
    now = [0.0]
    audit = Audit(clock=lambda: now[0])
    for t in [0, 10, 20, 59, 61, 62, 200]:  # busiest window: 10..62 holds 5
        now[0] = float(t)
        audit.request(method="GET", path="/", synthetic=False, user_agent="", api=t < 60)
    traffic = audit.snapshot()["traffic"]
    assert traffic["total"] == 7
    assert traffic["max_in_any_60s"] == 5
    assert traffic["api_total"] == 4
    assert traffic["api_max_in_any_60s"] == 4
    assert traffic["by_minute"] == {
        "1970-01-01T00:00": 4,
        "1970-01-01T00:01": 2,
        "1970-01-01T00:03": 1,
    }
