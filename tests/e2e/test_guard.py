"""The guard's policy, and GuardTransport enforcing it before a byte leaves (httpx path)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from prodsmoke.config import load_settings
from prodsmoke.config.models import Settings
from prodsmoke.e2e import http
from prodsmoke.e2e.guard import Guard
from prodsmoke.errors import BlockedRequest, BudgetExhausted
from prodsmoke.results import Refusal, RefusalKind
from tests.smoke_cli import DEMO_CONFIG

TARGET = "http://127.0.0.1:8321"


def settings(**overrides: object) -> Settings:
    base = load_settings(
        DEMO_CONFIG,
        "demo",
        environ={"SMOKE_TEST_PASSWORD": "pw-guard-1", "SMOKE_DEMO_URL": TARGET},
    )
    return base.model_copy(update=overrides)


@pytest.mark.parametrize(
    ("method", "url", "reason"),
    [
        ("GET", f"{TARGET}/", None),
        ("HEAD", f"{TARGET}/health", None),
        ("OPTIONS", f"{TARGET}/api/v1/test", None),
        ("POST", f"{TARGET}/api/v1/enhance", None),
        ("POST", f"{TARGET}/api/v1/enhance/", None),
        ("POST", f"{TARGET}/api/v1/enhance?x=1", None),
        ("post", f"{TARGET}/api/v1/auth/login", None),
        ("PUT", f"{TARGET}/api/v1/enhance", "not in allowed_writes"),
        ("DELETE", f"{TARGET}/api/v1/auth/login", "not in allowed_writes"),
        ("POST", f"{TARGET}/api/v1/analytics", "not in allowed_writes"),
        ("POST", f"{TARGET}/api/v1/enhance/extra", "not in allowed_writes"),
        ("GET", "http://localhost:8321/", "host not in allowed_hosts"),
        ("GET", "https://evil.example/x.js", "host not in allowed_hosts"),
        ("POST", "http://localhost:8321/api/v1/enhance", "host not in allowed_hosts"),
        ("GET", "file:///etc/passwd", "scheme not allowed (file)"),
        ("GET", "ftp://127.0.0.1/x", "scheme not allowed (ftp)"),
    ],
)
def test_policy(method: str, url: str, reason: str | None) -> None:
    guard = Guard(settings())
    refusal = guard.decide(method, url, "c")
    assert (refusal.reason if refusal else None) == reason
    assert [b.reason for b in guard.blocked()] == ([reason] if reason else [])


def test_wildcard_hosts_and_websockets() -> None:
    safety = settings().safety.model_copy(
        update={
            "allowed_hosts": ("*.cdn.example",),
            "allowed_websockets": ("ws://127.0.0.1:8321/live*",),
        }
    )
    guard = Guard(settings(safety=safety))
    assert guard.decide("GET", "https://a.cdn.example/app.js", "c") is None
    refused = guard.decide("GET", "https://cdn.example.evil/app.js", "c")
    assert refused == Refusal(RefusalKind.HOST, "host not in allowed_hosts")
    assert guard.decide_websocket("ws://127.0.0.1:8321/live/feed", "c") is None
    refused = guard.decide_websocket("ws://127.0.0.1:8321/ws", "c")
    assert refused == Refusal(RefusalKind.WEBSOCKET, "websocket not in allowed_websockets")
    assert guard.blocked("c")[-1].method == "WEBSOCKET"


def test_marker_header_only_to_the_target_and_ua_suffix_everywhere() -> None:
    guard = Guard(settings())
    own = guard.outgoing_headers(f"{TARGET}/", {"user-agent": "Chrome/1", "accept": "*/*"})
    assert own["X-Smoke-Test"].startswith("prodsmoke/")
    assert own["user-agent"] == "Chrome/1 prodsmoke"
    assert own["accept"] == "*/*"
    cdn = guard.outgoing_headers("https://cdn.example/x", {"user-agent": "Chrome/1"})
    assert "X-Smoke-Test" not in cdn
    assert cdn["user-agent"] == "Chrome/1 prodsmoke"
    assert guard.user_agent("Chrome/1 prodsmoke") == "Chrome/1 prodsmoke"


def test_blocked_urls_are_redacted() -> None:
    guard = Guard(settings())
    guard.decide("POST", f"{TARGET}/x?password=pw-guard-1&token=abc123def", "c")
    url = guard.blocked()[0].url
    assert "pw-guard-1" not in url and "abc123def" not in url


# -- the httpx path: GuardTransport with httpx's MockTransport standing in for the network -----


class Recorder:
    def __init__(self, headers: dict[str, str] | None = None, status: int = 200) -> None:
        self.seen: list[httpx.Request] = []
        self.headers = headers or {}
        self.status = status

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return httpx.Response(self.status, headers=self.headers, json={"ok": True})


def guarded(guard: Guard, recorder: Recorder) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=http.GuardTransport(guard, httpx.MockTransport(recorder)))


async def test_transport_refuses_before_sending() -> None:
    guard, recorder = Guard(settings()), Recorder()
    async with guarded(guard, recorder) as client:
        with pytest.raises(BlockedRequest, match="not in allowed_writes"):
            await client.delete(f"{TARGET}/api/v1/enhance", extensions={http.CHECK: "api"})
        with pytest.raises(BlockedRequest, match="host not in allowed_hosts"):
            await client.get("https://example.org/", extensions={http.CHECK: "api"})
        response = await client.get(f"{TARGET}/health", extensions={http.CHECK: "health"})
    assert [r.url.path for r in recorder.seen] == ["/health"]
    assert recorder.seen[0].headers["X-Smoke-Test"].startswith("prodsmoke/")
    assert response.extensions[http.HEADERS_MS] >= 0
    assert [(b.check, b.method) for b in guard.blocked()] == [("api", "DELETE"), ("api", "GET")]
    assert guard.sent == 1 and guard.sent_to("health") == 1


async def test_a_refused_first_request_does_not_hold_back_the_next_one() -> None:
    """Review D-2: a refused pilot is never answered, so the budget settles at once; before,
    every later request to the target waited the pilot's 5 s."""
    guard, recorder = Guard(settings()), Recorder()
    async with guarded(guard, recorder) as client:
        with pytest.raises(BlockedRequest):
            await client.delete(f"{TARGET}/api/v1/enhance", extensions={http.CHECK: "api"})
        loop = asyncio.get_running_loop()
        begun = loop.time()
        async with asyncio.timeout(2.5):  # half the pilot's wait: a stall cannot pass
            await client.get(f"{TARGET}/health", extensions={http.CHECK: "health"})
        waited = loop.time() - begun
    assert waited < 2.5 and [r.url.path for r in recorder.seen] == ["/health"]


async def test_transport_learns_the_advertised_limit_and_stops_at_the_share() -> None:
    base = settings()
    budget = base.safety.rate_budget.model_copy(update={"share_of_limit": 0.10})
    guard = Guard(settings(safety=base.safety.model_copy(update={"rate_budget": budget})))
    recorder = Recorder(headers={"RateLimit-Policy": "30;w=60"})
    async with guarded(guard, recorder) as client:
        sent = 0
        with pytest.raises(BudgetExhausted, match=r"rate budget exhausted \(3/min\)"):
            for _ in range(10):
                await client.get(f"{TARGET}/api/v1/test")
                sent += 1
    assert sent == 3 == len(recorder.seen)
    report = guard.report().budget
    assert (report.limit_per_minute, report.used, report.budget_per_minute) == (30, 3, 3)
    assert report.share == pytest.approx(0.1)


async def test_transport_honours_429_retry_after() -> None:
    guard = Guard(settings())
    recorder = Recorder(headers={"Retry-After": "30"}, status=429)
    async with guarded(guard, recorder) as client:
        await client.get(f"{TARGET}/api/v1/test")
        with pytest.raises(BudgetExhausted):
            await client.get(f"{TARGET}/api/v1/test")
    assert len(recorder.seen) == 1
    assert guard.budget.throttled == 1


async def test_the_one_client_factory_marks_the_user_agent() -> None:
    guard, recorder = Guard(settings()), Recorder()
    client = http.client(guard)
    client._transport = http.GuardTransport(guard, httpx.MockTransport(recorder))
    async with client:
        await client.get(f"{TARGET}/health")
    assert recorder.seen[0].headers["user-agent"].endswith(" prodsmoke")
