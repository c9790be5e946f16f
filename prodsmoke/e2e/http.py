"""The one httpx client factory. Its transport enforces the guard before a byte is sent.

`GuardTransport` wraps httpx's own transport (the one-method contract of
`httpx.AsyncBaseTransport`): it asks the guard, marks the request as synthetic, times the wait for
response headers (`[RESPONSE_TIME]`), and feeds rate-limit headers back to the budget.
"""

from __future__ import annotations

import time

import httpx

from prodsmoke.e2e.guard import BUDGET_EXHAUSTED, Guard
from prodsmoke.errors import BlockedRequest, BudgetExhausted

CHECK = "prodsmoke.check"  # request extension: which check sent it
HEADERS_MS = "prodsmoke.headers_ms"  # response extension: ms from send to response headers


class GuardTransport(httpx.AsyncBaseTransport):
    """An httpx transport that only sends what the guard allows."""

    def __init__(self, guard: Guard, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._guard = guard
        self._inner = inner or httpx.AsyncHTTPTransport(retries=0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Refuse, or mark, send, time and observe one request."""
        url = str(request.url)
        check = str(request.extensions.get(CHECK, "-"))
        reason = await self._guard.admit(request.method, url, check)
        if reason is not None:
            error = BudgetExhausted if reason.startswith(BUDGET_EXHAUSTED) else BlockedRequest
            raise error(request.method, url, reason)
        request.headers.update(self._guard.outgoing_headers(url, request.headers))
        started = time.perf_counter()
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException:
            self._guard.failed(url)
            raise
        response.extensions = {
            **response.extensions,
            HEADERS_MS: (time.perf_counter() - started) * 1000,
        }
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
