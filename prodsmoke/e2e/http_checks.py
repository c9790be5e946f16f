"""Health and API checks: one guarded GET, judged by its conditions.

The body is read as it streams, up to the check's `max_body_bytes` (the environment's, 1 MiB by
default): a longer one fails the check as `product` ("body over 1 MiB") without being held whole.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import httpx

from prodsmoke.config.conditions import Observation, Outcome, evaluate
from prodsmoke.e2e import failures
from prodsmoke.e2e.guard import where
from prodsmoke.e2e.http import CHECK, HEADERS_MS, MAX_BODY, BodyTooLarge
from prodsmoke.errors import BlockedRequest, BudgetExhausted
from prodsmoke.results import FailureClass, Status

if TYPE_CHECKING:
    from prodsmoke.config.models import HttpCheck

EVIDENCE_BODY = 4096  # an artifact keeps the start of the body, never a whole large one


@dataclass
class HttpVerdict:
    """What one attempt of an HTTP check found."""

    status: Status
    metrics: dict[str, float] = field(default_factory=dict)
    message: str | None = None
    failure_class: FailureClass | None = None


async def run(
    client: httpx.AsyncClient,
    check: HttpCheck,
    *,
    base_url: str,
    warn_ratio: float,
    timeout_s: float | None = None,
    evidence: Callable[[str], None] | None = None,
) -> HttpVerdict:
    """Send the check's request and judge every condition; a network failure raises
    `CheckFailure`, a failed condition is a `fail` verdict that keeps the measured timings.

    On a fail, `evidence` receives what QA needs to see: the response's status, headers, time
    and the start of its body (the caller saves it, scrubbed, as an artifact).
    """
    url = urljoin(base_url + "/", check.url)
    path = urlsplit(url).path
    timeout = min(check.timeout_s, timeout_s or check.timeout_s)
    extensions: dict[str, object] = {CHECK: check.id}
    if check.max_body_bytes is not None:
        extensions[MAX_BODY] = check.max_body_bytes
    try:
        request = client.build_request(
            check.method, url, headers=check.headers, extensions=extensions, timeout=timeout
        )
        response = await client.send(request, stream=True)
        try:
            body = await _bounded_body(response)
        finally:
            await response.aclose()
    except BudgetExhausted:
        raise
    except BlockedRequest as exc:
        refused = f"{check.method} {where(url)} was refused by the guard: {exc.reason}"
        raise failures.http_error(refused, exc) from exc
    except BodyTooLarge as exc:
        # What was measured still counts: the status and the time to headers are known.
        return HttpVerdict(
            Status.FAIL,
            {
                "response_time_ms": round(float(response.extensions[HEADERS_MS]), 1),
                "status_code": response.status_code,
            },
            f"{check.method} {path}: {exc}",
            failures.for_status(response.status_code),
        )
    except httpx.TimeoutException as exc:
        timed = f"{check.method} {path} timed out after {timeout:.1f} s ({type(exc).__name__})"
        raise failures.http_error(timed, exc) from exc
    except httpx.HTTPError as exc:
        why = f"{check.method} {path} failed: {_network_reason(exc, url)}"
        raise failures.http_error(why, exc) from exc

    observation = Observation(
        status=response.status_code,
        response_time_ms=float(response.extensions[HEADERS_MS]),
        headers=dict(response.headers),
        body=body.decode(response.encoding or "utf-8", errors="replace"),
    )
    outcomes = [evaluate(c, observation, warn_ratio=warn_ratio) for c in check.conditions]
    metrics = {
        "response_time_ms": round(observation.response_time_ms, 1),
        "status_code": response.status_code,
    }
    failed = [o for o in outcomes if o.verdict is Status.FAIL]
    if failed and evidence is not None:
        evidence(_evidence(check, url, response, observation, outcomes))
    if failed:  # a verdict, not an exception: what was measured still reaches the metrics
        return HttpVerdict(
            Status.FAIL,
            metrics,
            f"{check.method} {path}: " + "; ".join(o.detail for o in failed),
            failures.for_status(response.status_code),
        )
    warned = [o for o in outcomes if o.verdict is Status.WARN]
    if warned:
        return HttpVerdict(
            Status.WARN, metrics, f"{check.method} {path}: " + "; ".join(_details(warned))
        )
    return HttpVerdict(Status.PASS, metrics)


async def _bounded_body(response: httpx.Response) -> bytes:
    """The decoded body, or `BodyTooLarge` as soon as it passes the limit (a compressed body
    is bounded after decompression too)."""
    limit = int(response.extensions[MAX_BODY])
    chunks: list[bytes] = []
    seen = 0
    async for chunk in response.aiter_bytes():
        seen += len(chunk)
        if seen > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _evidence(
    check: HttpCheck,
    url: str,
    response: httpx.Response,
    observation: Observation,
    outcomes: list[Outcome],
) -> str:
    lines = [
        f"{check.method} {url}",
        f"HTTP {response.status_code} {response.reason_phrase} after "
        f"{observation.response_time_ms:.0f} ms to headers",
        "",
        *(f"{name}: {value}" for name, value in response.headers.items()),
        "",
        "conditions:",
        *(f"  {o.verdict!s:4} {o.detail}" for o in outcomes),
        "",
        f"body (first {EVIDENCE_BODY} characters):",
        observation.body[:EVIDENCE_BODY],
    ]
    return "\n".join(lines) + "\n"


def _details(outcomes: list[Outcome]) -> list[str]:
    return [o.detail for o in outcomes]


def _network_reason(exc: httpx.HTTPError, url: str) -> str:
    """The innermost OS-level reason, e.g. 'cannot connect to 127.0.0.1:9: connection refused'."""
    reason = str(exc) or type(exc).__name__
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            reason = f"DNS lookup failed ({cause.strerror})"
        elif isinstance(cause, OSError) and (cause.errno or cause.strerror):
            reason = (os.strerror(cause.errno) if cause.errno else str(cause.strerror)).lower()
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {urlsplit(url).netloc}: {reason}"
    return reason
