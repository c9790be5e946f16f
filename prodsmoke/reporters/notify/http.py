"""One POST to a notification service, its answer turned into `SendError`s that say what to do.

A timeout, a connection failure, 408, 429 and 5xx are worth retrying and, failing that, spooling
for the next run; any other 4xx means the service will never take this notification (a wrong
URL or key, a payload it refuses): not retried, not spooled, and the line says which. Only the
service's host is ever named: the URLs are secrets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from prodsmoke import __version__, redact
from prodsmoke.errors import SendError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import httpx

USER_AGENT = f"prodsmoke/{__version__}"
RETRY = frozenset({408, 425, 429})


def post(  # noqa: PLR0913 - one request and how to read its answer
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    timeout_s: float,
    *,
    accepted: Callable[[httpx.Response], bool],
    explain: Callable[[httpx.Response], str],
) -> None:
    """POST `body`; return when `accepted`, else raise a `SendError` worded by `explain`."""
    import httpx

    host = urlsplit(url).hostname or "the service"
    sent = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers}
    try:
        response = httpx.post(url, content=body, headers=sent, timeout=timeout_s)
    except httpx.TimeoutException:
        raise SendError(f"POST {host} timed out after {timeout_s:.1f} s") from None
    except httpx.HTTPError as exc:
        raise SendError(f"POST {host} failed: {type(exc).__name__}") from None
    if accepted(response):
        return
    status = response.status_code
    detail = redact.redact(explain(response))
    message = f"POST {host} answered HTTP {status}{f' ({detail})' if detail else ''}"
    if status in RETRY or status >= 500:  # noqa: PLR2004 - the server's errors
        raise SendError(message)
    raise SendError(message, retry=False, keep=False)


def short(text: str, limit: int = 160) -> str:
    """A response body as a few words on one line."""
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"
