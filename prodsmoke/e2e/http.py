"""The one httpx client factory. Its transport enforces the guard before a byte is sent.

`GuardTransport` wraps httpx's own transport (the one-method contract of
`httpx.AsyncBaseTransport`): it asks the guard, marks the request as synthetic, adds the target's
basic-auth credentials (to its own origin only), times the wait for response headers
(`[RESPONSE_TIME]`), feeds rate-limit headers back to the budget, and bounds the body: reading more
than `max_body_bytes` raises `BodyTooLarge` as the bytes arrive, so memory stays flat whatever a
target sends.
"""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import httpx

from prodsmoke.config.fields import size
from prodsmoke.errors import BlockedRequest, BudgetExhausted
from prodsmoke.results import RefusalKind

if TYPE_CHECKING:
    from prodsmoke.e2e.guard import Guard

CHECK = "prodsmoke.check"  # request extension: which check sent it
HEADERS_MS = "prodsmoke.headers_ms"  # response extension: ms from send to response headers
MAX_BODY = "prodsmoke.max_body_bytes"  # request extension: this request's own body limit;
# on the response: the limit that applied


class BodyTooLarge(httpx.HTTPError):
    """A response body went over its limit; reading stopped there."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"body over {size(limit)} (too large; max_body_bytes is {limit})")


class _Capped(httpx.AsyncByteStream):
    """A response stream that raises `BodyTooLarge` once more than `limit` bytes have come."""

    def __init__(self, inner: httpx.AsyncByteStream, limit: int) -> None:
        self._inner = inner
        self._limit = limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self._inner:
            seen += len(chunk)
            if seen > self._limit:
                raise BodyTooLarge(self._limit)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class GuardTransport(httpx.AsyncBaseTransport):
    """An httpx transport that only sends what the guard allows."""

    def __init__(self, guard: Guard, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._guard = guard
        self._inner = inner or httpx.AsyncHTTPTransport(retries=0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Refuse, or mark, send, time and observe one request."""
        url = str(request.url)
        check = str(request.extensions.get(CHECK, "-"))
        refusal = await self._guard.admit(request.method, url, check)
        if refusal is not None:
            error = BudgetExhausted if refusal.kind is RefusalKind.BUDGET else BlockedRequest
            raise error(request.method, url, refusal.reason)
        request.headers.update(self._guard.outgoing_headers(url, request.headers))
        credentials = self._guard.credentials
        if credentials and self._guard.is_origin(url) and "authorization" not in request.headers:
            pair = f"{credentials.username}:{credentials.password.get_secret_value()}"
            request.headers["authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        limit = int(request.extensions.get(MAX_BODY) or self._guard.max_body_bytes)
        started = time.perf_counter()
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException:
            self._guard.failed(url)
            raise
        response.extensions = {
            **response.extensions,
            HEADERS_MS: (time.perf_counter() - started) * 1000,
            MAX_BODY: limit,
        }
        if isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = _Capped(response.stream, limit)
        self._guard.observe(url, response.status_code, response.headers)
        return response

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()


def client(guard: Guard, *, timeout_s: float = 10.0) -> httpx.AsyncClient:
    """An AsyncClient whose every request passes the guard. Redirects are not followed."""
    return httpx.AsyncClient(
        transport=GuardTransport(guard),
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=False,
        headers={"user-agent": guard.user_agent(f"python-httpx/{httpx.__version__}")},
    )
