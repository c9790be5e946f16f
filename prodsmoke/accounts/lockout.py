"""A locked test account: how to recognise one, and the optional configured step that unlocks it.

A locked account is the smoke suite's problem, not a product outage: the login journey reports it
as `failure_class: infrastructure` naming the account. The unlock step is an ordinary request
sent through the caller's guarded client, so it must be listed in `safety.allowed_writes`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit

import httpx

from prodsmoke import redact
from prodsmoke.errors import BlockedRequest

if TYPE_CHECKING:
    from prodsmoke.config.models import Account

LOCKED_STATUS = 423  # RFC 4918 "Locked", which products use for lockouts


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def is_locked(status: int | None, page_text: str, account: Account) -> bool:
    """True when the login answered 423 or the page shows the account's `locked_text`."""
    if status == LOCKED_STATUS:
        return True
    # Compared ignoring case and runs of whitespace: page text is reflowed HTML.
    return bool(account.locked_text) and _squeeze(account.locked_text or "") in _squeeze(page_text)


async def unlock(
    name: str, account: Account, base_url: str, client: httpx.AsyncClient
) -> str | None:
    """Send the account's unlock step; a one-line outcome, or None when none is configured."""
    step = account.unlock
    if step is None:
        return None
    url = urljoin(base_url + "/", _fill(step.url, quote(account.username, safe="@")))
    shown = f"{step.method} {urlsplit(url).path}"
    try:
        response = await client.request(
            step.method, url, json=_fill(step.body, account.username) if step.body else None
        )
    except BlockedRequest as exc:
        outcome = f"could not unlock account {name!r}: {shown} was blocked ({exc.reason})"
        if "allowed_writes" in exc.reason:
            outcome += "; list it in safety.allowed_writes"
        return redact.redact(outcome)
    except httpx.HTTPError as exc:
        return redact.redact(
            f"could not unlock account {name!r}: {shown} failed ({type(exc).__name__})"
        )
    if response.is_error:
        return f"could not unlock account {name!r}: {shown} answered HTTP {response.status_code}"
    return f"unlocked account {name!r} via {shown} (HTTP {response.status_code})"


def _fill(value: Any, username: str) -> Any:
    """`value` with `{username}` replaced in every string (the only placeholder config allows)."""
    if isinstance(value, str):
        return value.replace("{username}", username)
    if isinstance(value, dict):
        return {k: _fill(v, username) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, username) for v in value]
    return value
