"""Each fault changes exactly what it should; faults change at runtime; controls are immune."""

from __future__ import annotations

import concurrent.futures
import time

import httpx
import pytest
from websockets.sync.client import connect

from prodsmoke.demo import DemoServer, Faults

from .helpers import BASIC, PASSWORD, login

TOLERANCE = 0.25  # seconds of scheduling and loopback overhead allowed over an injected delay


def _timed(client: httpx.Client, path: str) -> float:
    start = time.perf_counter()
    assert client.get(path).status_code == 200
    return time.perf_counter() - start


def test_slow_homepage_delays_only_the_homepage(client: httpx.Client, server: DemoServer) -> None:
    server.set_faults(Faults.parse("slow-homepage:300"))
    assert 0.3 <= _timed(client, "/") < 0.3 + TOLERANCE
    assert _timed(client, "/login") < 0.3
    assert _timed(client, "/health") < 0.3
    assert _timed(client, "/static/asset-0.css") < 0.3


def test_slow_api_delays_api_and_health(client: httpx.Client, server: DemoServer) -> None:
    server.set_faults(Faults.parse("slow-api:300"))
    for path in ["/health", "/api/v1/status", "/api/v1/test"]:
        assert 0.3 <= _timed(client, path) < 0.3 + TOLERANCE, path
    assert _timed(client, "/") < 0.3
    assert _timed(client, "/static/asset-1.js") < 0.3


def test_console_error(client: httpx.Client, server: DemoServer) -> None:
    server.set_faults(Faults.parse("console-error"))
    assert 'console.error("demo fault: console-error' in client.get("/").text


def test_missing_element_drops_only_the_header(client: httpx.Client, server: DemoServer) -> None:
    server.set_faults(Faults.parse("missing-element"))
    html = client.get("/").text
    assert "<header" not in html
    for element_id in ["prompt-input", "enhance-button", "enhanced-output", "login-link"]:
        assert f'id="{element_id}"' in html


def test_degraded_redis(client: httpx.Client, server: DemoServer) -> None:
    server.set_faults(Faults.parse("degraded-redis"))
    for path in ["/health", "/api/v1/health", "/api/v1/status"]:
        response = client.get(path)
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "degraded"
        assert body["services"] == {
            "database": "healthy",
            "redis": "degraded",
            "ml_service": "healthy",
        }


@pytest.mark.parametrize("faults", ["health-down", "health-down,degraded-redis"])
def test_health_down(client: httpx.Client, server: DemoServer, faults: str) -> None:
    server.set_faults(Faults.parse(faults))
    for path in ["/health", "/api/v1/health", "/api/v1/status"]:
        response = client.get(path)
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unhealthy"
        assert set(body["services"].values()) == {"unhealthy"}
    assert client.get("/api/v1/test").status_code == 200


def test_enhance_error(client: httpx.Client, server: DemoServer) -> None:
    server.set_faults(Faults.parse("enhance-error"))
    response = client.post("/api/v1/enhance", json={"prompt": "hi"})
    assert response.status_code == 500
    assert response.json() == {"error": "enhancement service unavailable"}


def test_login_broken_logs_nobody_in(client: httpx.Client, server: DemoServer) -> None:
    server.set_faults(Faults.parse("login-broken"))
    response = login(client)
    assert response.status_code == 500
    assert "Login service unavailable" in response.text
    assert "bp_session" not in response.cookies
    as_json = client.post("/api/v1/auth/login", json={"email": BASIC, "password": PASSWORD})
    assert as_json.status_code == 500
    assert client.get("/dashboard").status_code == 303


def test_flaky_100_fails_pages_and_api_but_not_assets(
    client: httpx.Client, server: DemoServer
) -> None:
    server.set_faults(Faults.parse("flaky:100"))
    for path in ["/", "/login", "/vectors", "/health", "/api/v1/test"]:
        assert client.get(path).status_code == 503, path
    assert "RateLimit-Limit" in client.get("/api/v1/test").headers
    for path in ["/static/asset-0.css", "/static/asset-2.png", "/vectors/sw.js"]:
        assert client.get(path).status_code == 200, path
    assert login(client).status_code == 503
    audit = server.audit()
    assert audit["logins"] == [], "a 503'd login never reached the login handler"
    assert [r["path"] for r in audit["requests"]] == ["/api/v1/auth/login"]
    assert client.get("/__demo__/audit").status_code == 200


def test_flaky_share_is_roughly_the_percent(client: httpx.Client, server: DemoServer) -> None:
    server.set_faults(Faults.parse("flaky:30"))
    failures = sum(client.get("/api/v1/test").status_code == 503 for _ in range(300))
    assert 50 <= failures <= 130  # seeded, so stable; wide bounds keep the test honest


def test_jitter_stalls_one_to_three_seconds(client: httpx.Client, server: DemoServer) -> None:
    server.set_faults(Faults.parse("jitter:100"))
    elapsed = _timed(client, "/static/asset-0.css")
    assert 1.0 <= elapsed < 3.0 + TOLERANCE
    server.set_faults(Faults.parse("jitter:0"))
    assert _timed(client, "/static/asset-0.css") < 1.0


def test_beacon_fault_homepage_and_endpoints(client: httpx.Client, server: DemoServer) -> None:
    assert "sendBeacon" not in client.get("/").text
    server.set_faults(Faults.parse("beacon"))
    html = client.get("/").text
    assert 'navigator.sendBeacon("/api/v1/analytics"' in html
    assert "new WebSocket" in html
    assert 'id="prompt-input"' in html
    assert client.post("/api/v1/analytics", json={"event": "x"}).status_code == 204
    with connect(server.url.replace("http", "ws") + "/ws") as socket:
        socket.send("one")
        socket.send("two")
    audit = server.audit()
    assert [(r["method"], r["path"]) for r in audit["requests"]] == [("POST", "/api/v1/analytics")]
    deadline = time.monotonic() + 2
    while server.audit()["websockets"][0]["messages"] < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    (socket_entry,) = server.audit()["websockets"]
    assert socket_entry["path"] == "/ws"
    assert socket_entry["messages"] == 2
    assert socket_entry["synthetic"] is False


def test_faults_change_through_the_control_endpoint(
    client: httpx.Client, server: DemoServer
) -> None:
    response = client.post("/__demo__/faults", json={"faults": "flaky:20, hang"})
    assert response.json() == {"faults": "flaky:20,hang"}
    assert server.faults == Faults(flaky_percent=20, hang=True)
    assert client.get("/__demo__/faults").json() == {"faults": "flaky:20,hang"}
    bad = client.post("/__demo__/faults", json={"faults": "slo-homepage"})
    assert bad.status_code == 400
    assert bad.json()["error"].startswith("unknown fault 'slo-homepage'; expected one of:")
    assert client.post("/__demo__/faults", json={"faults": 3}).status_code == 400
    assert client.post("/__demo__/faults", json={"faults": ""}).json() == {"faults": ""}
    assert client.get("/").status_code == 200


def test_stop_is_quick_under_hang() -> None:
    demo = DemoServer(password=PASSWORD, faults=Faults.parse("hang")).start()
    clients = [httpx.Client(base_url=demo.url, timeout=30) for _ in range(3)]
    try:
        with httpx.Client(base_url=demo.url, timeout=2) as control:
            assert control.get("/__demo__/audit").status_code == 200, "controls never hang"
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            futures = [
                pool.submit(c.get, path)
                for c, path in zip(clients, ["/", "/health", "/static/asset-0.css"], strict=True)
            ]
            deadline = time.monotonic() + 5
            while demo.audit()["traffic"]["total"] < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.2)
            assert not any(f.done() for f in futures), "requests should be stalled"
            start = time.perf_counter()
            demo.stop()
            stop_seconds = time.perf_counter() - start
            answers = [f.result(timeout=5) for f in futures]
    finally:
        for c in clients:
            c.close()
    assert stop_seconds < 3.0
    assert {a.status_code for a in answers} == {503}
    demo.stop()  # idempotent


def test_slow_assets_delays_static_assets_only(server: DemoServer, client: httpx.Client) -> None:
    server.set_faults(Faults.parse("slow-assets:150"))
    started = time.perf_counter()
    assert client.get("/static/asset-0.css").status_code == 200
    asset_s = time.perf_counter() - started
    started = time.perf_counter()
    assert client.get("/health").status_code == 200
    health_s = time.perf_counter() - started
    assert asset_s >= 0.15
    assert health_s < 0.15


def test_endless_body_streams_health_until_the_client_stops(
    server: DemoServer, client: httpx.Client
) -> None:
    server.set_faults(Faults.parse("endless-body"))
    with client.stream("GET", "/health") as response:
        assert response.status_code == 200
        seen = 0
        for chunk in response.iter_raw():
            seen += len(chunk)
            if seen > 4 * 1024 * 1024:
                break
    assert seen > 4 * 1024 * 1024
    assert client.get("/api/v1/test").json() == {"ok": True}  # only the health routes


def test_basic_auth_asks_for_the_demo_credentials(server: DemoServer, client: httpx.Client) -> None:
    server.set_faults(Faults.parse("basic-auth"))
    refused = client.get("/")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Basic ")
    assert client.get("/", auth=("smoke", "wrong-password")).status_code == 401
    assert client.get("/", auth=("smoke", PASSWORD)).status_code == 200
    assert client.get("/__demo__/audit").status_code == 200  # controls stay open
