"""The guard on Playwright's API requests: `page.request`, `context.request`, `playwright.request`.

Playwright never routes an `APIRequestContext` through a context's routes, so a journey's API
request would leave unseen. Inside a journey, each one goes through here instead (the seal sends
it, `e2e.seal.Provider.fetch`): the guard decides on the method, the host and the budget before
anything is sent, the request is marked as synthetic, rate-limit headers feed the budget, and a
redirect is followed here, one hop at a time, each hop judged like the first (Playwright would
follow it unseen). A refusal raises `BlockedRequest` / `BudgetExhausted` where the journey made
the call; it is in `safety.blocked` like a browser's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from prodsmoke.errors import BlockedRequest, BudgetExhausted
from prodsmoke.results import RefusalKind

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from prodsmoke.e2e.guard import Guard

BASE_URL = "_prodsmoke_base_url"  # set on an APIRequestContext made for a journey
REDIRECTS = {301, 302, 303, 307, 308}
DEFAULT_MAX_REDIRECTS = 20  # Playwright's own default
REFUSED_OPTIONS = {"proxy": "a proxy would carry requests past the guard"}


def refused_option(options: Mapping[str, Any]) -> str | None:
    """Why `playwright.request.new_context(**options)` would weaken the guard, or None."""
    for name, why in REFUSED_OPTIONS.items():
        if options.get(name) is not None:
            return f"playwright.request.new_context({name}=…): {why}; prodsmoke refuses it"
    return None


def api_context_options(guard: Guard, options: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    """`options` for a new APIRequestContext, marked as synthetic like a browser context."""
    out = dict(options)
    out.setdefault("base_url", base_url)
    headers = dict(out.get("extra_http_headers") or {})
    headers.update(guard.marker())
    out["extra_http_headers"] = headers
    out["user_agent"] = guard.user_agent(out.get("user_agent") or "prodsmoke")
    return out


async def fetch(
    guard: Guard,
    check: str,
    send: Callable[..., Awaitable[Any]],
    request_context: Any,
    bound: dict[str, Any],
    *,
    default_base: str,
) -> Any:
    """Send one API request as the guard allows (see the module docstring)."""
    base = getattr(request_context, BASE_URL, None) or default_base
    request = bound.get("request")
    url = bound.get("url") or (request.url if request is not None else "")
    method = bound.get("method") or (request.method if request is not None else None) or "GET"
    url = _with_params(urljoin(base.rstrip("/") + "/", url), bound.get("params"))
    hops = bound.get("max_redirects")
    hops = DEFAULT_MAX_REDIRECTS if hops is None else int(hops)
    arguments = {**bound, "max_redirects": 0, "params": None}
    while True:
        await _admit(guard, method.upper(), url, check)
        headers = dict(arguments.get("headers") or {})
        headers = guard.outgoing_headers(url, headers)
        arguments.update(url=url, method=method, headers=headers)
        try:
            response = await send(**arguments)
        except Exception:
            guard.failed(url)
            raise
        guard.observe(url, response.status, _lower(response.headers))
        location = _lower(response.headers).get("location")
        if response.status not in REDIRECTS or not location or hops <= 0:
            return response
        hops -= 1
        url = urljoin(url, location)
        if response.status == 303 or (response.status in (301, 302) and method.upper() == "POST"):
            method = "GET"  # as browsers (and Playwright) do
            arguments.update(data=None, form=None, multipart=None, request=None)


async def _admit(guard: Guard, method: str, url: str, check: str) -> None:
    refusal = await guard.admit(method, url, check, resource="api")
    if refusal is None:
        return
    if refusal.kind is RefusalKind.BUDGET:
        raise BudgetExhausted(method, url, refusal.reason)
    raise BlockedRequest(method, url, refusal.reason)


def _with_params(url: str, params: object) -> str:
    if not params:
        return url
    query = params if isinstance(params, str) else urlencode(dict(params))  # type: ignore[call-overload]
    parts = urlsplit(url)
    joined = f"{parts.query}&{query}" if parts.query else query
    return urlunsplit(parts._replace(query=joined))


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}
