"""The per-client sliding-window rate limit, its headers, and 429 + Retry-After."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import httpx
import pytest

from prodsmoke.demo import DemoServer, Faults
from prodsmoke.demo.ratelimit import SlidingWindowLimiter

# Linux routes all of 127.0.0.0/8 to loopback. Counting as 127.0.0.2/.3 keeps these exact-count
# tests immune to anything else on the machine that might reach 127.0.0.1 on a recycled port.
LINUX = sys.platform == "linux"
CLIENT_ADDRESS = "127.0.0.2" if LINUX else "127.0.0.1"

RATE_HEADERS = [
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
    "RateLimit",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
]


@pytest.fixture
def client(server: DemoServer) -> Iterator[httpx.Client]:
    transport = httpx.HTTPTransport(local_address=CLIENT_ADDRESS)
    with httpx.Client(base_url=server.url, transport=transport, timeout=10) as http:
        yield http


@pytest.mark.parametrize("path", ["/health", "/api/v1/health", "/api/v1/status", "/api/v1/test"])
def test_default_limit_is_advertised(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    for name in RATE_HEADERS:
        assert name in response.headers, name
    assert response.headers["RateLimit-Limit"] == "600"
    assert response.headers["RateLimit-Policy"] == "600;w=60"
    assert response.headers["RateLimit-Remaining"] == "599"
    assert response.headers["X-RateLimit-Limit"] == "600"
    reset = response.headers["RateLimit-Reset"]
    assert 1 <= int(reset) <= 60
    assert response.headers["RateLimit"] == f"limit=600, remaining=599, reset={reset}"


def test_posts_are_limited_too(client: httpx.Client) -> None:
    response = client.post("/api/v1/enhance", json={"prompt": "x"})
    assert response.headers["RateLimit-Remaining"] == "599"


@pytest.mark.parametrize("path", ["/", "/login", "/static/asset-0.css", "/__demo__/audit"])
def test_pages_assets_and_controls_are_not_limited(client: httpx.Client, path: str) -> None:
    assert "RateLimit-Limit" not in client.get(path).headers


def test_tight_limit_refuses_the_31st_request(client: httpx.Client, server: DemoServer) -> None:
    server.set_faults(Faults.parse("rate-limit-tight"))
    remaining = [int(client.get("/api/v1/test").headers["RateLimit-Remaining"]) for _ in range(30)]
    assert remaining == list(range(29, -1, -1))
    refused = client.get("/health")
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert refused.headers["RateLimit-Limit"] == "30"
    assert refused.headers["RateLimit-Policy"] == "30;w=60"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/").status_code == 200, "pages are not limited"
    assert client.get("/__demo__/audit").json()["traffic"]["status_429"] == 1
    server.reset()
    assert client.get("/api/v1/test").status_code == 200, "reset clears the window"


def test_limit_is_per_client_ip(server: DemoServer) -> None:
    server.set_faults(Faults.parse("rate-limit-tight"))
    # Linux routes all of 127.0.0.0/8 to loopback, so 127.0.0.2 is a second local "client".
    other = httpx.HTTPTransport(local_address="127.0.0.2")
    with (
        httpx.Client(base_url=server.url) as one,
        httpx.Client(base_url=server.url, transport=other) as two,
    ):
        for _ in range(30):
            one.get("/api/v1/test")
        assert one.get("/api/v1/test").status_code == 429
        assert two.get("/api/v1/test").status_code == 200


def test_sliding_window_frees_slots_as_requests_age() -> None:
    now = [1000.0]
    limiter = SlidingWindowLimiter(clock=lambda: now[0])
    for _ in range(3):
        assert limiter.check("a", 3).allowed
        now[0] += 10
    refused = limiter.check("a", 3)
    assert not refused.allowed
    assert refused.reset == 30  # the first request (t=1000) leaves the window at t=1060
    assert refused.headers()["Retry-After"] == "30"
    now[0] = 1060.0
    allowed = limiter.check("a", 3)
    assert allowed.allowed
    assert allowed.remaining == 0
    assert "Retry-After" not in allowed.headers()
    assert limiter.check("b", 3).remaining == 2, "clients are counted separately"
