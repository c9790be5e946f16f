"""The layer every non-control request passes: audit, delays, rate limit and flaky answers.

Order per request: log it in the audit (so even refused or stalled requests are counted), then
`basic-auth` (401 without the demo's basic-auth credentials), then `hang` / `jitter` / `slow-*`
/ `late-hero` delays (before any response header), then the rate limit for API routes, then
`flaky` — all before the route runs, so a refused request has no side effect.
Routes under /__demo__/ are test controls and skip all of this.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response

from prodsmoke.demo import render, vitals

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from prodsmoke.demo.faults import Faults
    from prodsmoke.demo.ratelimit import Decision
    from prodsmoke.demo.state import DemoState

JITTER_SECONDS = (1.0, 3.0)


class Kind(enum.Enum):
    """What a path is, for deciding which faults and limits apply."""

    CONTROL = "control"  # /__demo__/*: never faulted, limited or audited
    API = "api"  # /api/* and /health: rate limited, slow-api, flaky
    PAGE = "page"  # HTML documents: flaky, slow-first-byte (and slow-homepage for /)
    STATIC = "static"  # assets, worker scripts, the download: only hang and jitter
    SOCKET = "socket"  # WebSocket handshakes: only hang and jitter


def classify(scope_type: str, path: str) -> Kind:
    """The kind of route a request path belongs to."""
    if path == "/__demo__" or path.startswith("/__demo__/"):
        return Kind.CONTROL
    if scope_type == "websocket":
        return Kind.SOCKET
    if path == "/health" or path.startswith("/api/"):
        return Kind.API
    if path.startswith("/static/") or path.endswith(".js") or path == "/vectors/download":
        return Kind.STATIC
    return Kind.PAGE


async def _challenge(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    response = JSONResponse(
        {"error": "authentication required"},
        401,
        headers={"WWW-Authenticate": 'Basic realm="BetterPrompts staging"'},
    )
    await response(scope, receive, send)


def _add_headers(send: Send, extra: dict[str, str]) -> Send:
    encoded = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in extra.items()]

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *encoded]}
        await send(message)

    return wrapped


class DemoMiddleware:
    """Pure ASGI middleware (not BaseHTTPMiddleware: stalls must stay cancellable)."""

    def __init__(self, app: ASGIApp, state: DemoState) -> None:
        self.app = app
        self._state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Apply audit, faults and the rate limit, then call the app."""
        kind = classify(scope["type"], scope.get("path", ""))
        if scope["type"] not in ("http", "websocket") or kind is Kind.CONTROL:
            await self.app(scope, receive, send)
            return
        state, path = self._state, scope["path"]
        headers = Headers(scope=scope)
        state.audit.request(
            method=scope.get("method", "GET"),
            path=path,
            synthetic="x-smoke-test" in headers,
            user_agent=headers.get("user-agent", ""),
            api=kind is Kind.API,
        )
        faults = state.faults  # one snapshot per request, even if faults change meanwhile
        if faults.basic_auth and not state.auth.basic_auth_ok(headers.get("authorization", "")):
            await _challenge(scope, receive, send)
            return
        if not await self._delays(faults, kind, path):
            await self._shutting_down(scope, receive, send)
            return
        decision: Decision | None = None
        if kind is Kind.API:
            client = scope.get("client")
            decision = state.limiter.check(client[0] if client else "unknown", state.rate_limit)
            if not decision.allowed:
                state.audit.rate_limited()
                body = {"error": "rate_limited", "retry_after": decision.reset}
                response: Response = JSONResponse(body, 429, headers=decision.headers())
                await response(scope, receive, send)
                return
        flaky = faults.flaky_percent
        if flaky and kind in (Kind.API, Kind.PAGE) and state.rng.random() * 100 < flaky:
            await self._flaky_response(kind, decision)(scope, receive, send)
            return
        if decision is not None:
            send = _add_headers(send, decision.headers())
        await self.app(scope, receive, send)

    async def _delays(self, faults: Faults, kind: Kind, path: str) -> bool:
        """Apply hang, jitter and slow-* delays; False if the server began stopping."""
        state = self._state
        if faults.hang and not await state.stall(None):
            return False
        jitter = faults.jitter_percent
        jittered = jitter and state.rng.random() * 100 < jitter
        if jittered and not await state.stall(state.rng.uniform(*JITTER_SECONDS)):
            return False
        delay_ms = 0
        if kind is Kind.PAGE:
            delay_ms = (faults.slow_homepage_ms or 0) if path == "/" else 0
            delay_ms += faults.slow_first_byte_ms or 0
        elif kind is Kind.API:
            delay_ms = faults.slow_api_ms or 0
        elif kind is Kind.STATIC and path.startswith("/static/"):
            delay_ms = (faults.slow_assets_ms or 0) + vitals.asset_delay_ms(faults, path)
        return not delay_ms or await state.stall(delay_ms / 1000)

    def _flaky_response(self, kind: Kind, decision: Decision | None) -> Response:
        if kind is Kind.PAGE:
            return render.message_page(
                heading="Service temporarily unavailable",
                text="BetterPrompts is having a moment. Please try again.",
                status=503,
            )
        return JSONResponse(
            {"error": "service unavailable"}, 503, headers=decision.headers() if decision else None
        )

    async def _shutting_down(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1001})
            return
        response = JSONResponse(
            {"error": "server shutting down"}, 503, headers={"Connection": "close"}
        )
        await response(scope, receive, send)
