"""An error's fingerprint: what stays the same when the same failure happens again (SPEC §17).

The error text is normalised — URLs keep their scheme, host and path template (no port, query
or fragment; numeric, UUID, hex and long opaque segments become `:id`), UUIDs, hex strings, long
tokens and numbers become placeholders — and the fingerprint is a short hash of the check id and
that text. `after 3021 ms` and `after 2987 ms` are one fingerprint; `HTTP 503` and `HTTP 500` are
two (a status code is what failed, not a varying value, so it is kept).

    >>> normalise("GET https://app.example.com:8443/orders/8412?x=1 answered HTTP 503 in 3021 ms")
    'GET https://app.example.com/orders/:id answered HTTP 503 in N ms'
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from prodsmoke import redact

MAX_TEXT = 300  # characters of the normalised text kept (the report shows it)
_URL = re.compile(r"\b(?:https?|wss?)://[^\s'\"<>()]+")
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
_HEX = re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", re.I)
_TOKEN = re.compile(r"\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{20,}\b")
# A number, unless it is a status code ("HTTP 503", "status 404") or part of a word.
_NUMBER = re.compile(r"(?<!HTTP )(?<!status )(?<![A-Za-z_\d.,])\d+(?:[.,]\d+)*")
_SEGMENT = (
    re.compile(r"^\d+$"),
    re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I),
    re.compile(r"^(?=.*\d)[0-9a-f]{8,}$", re.I),
    re.compile(r"^(?=.*\d)[A-Za-z0-9_\-.~%]{20,}$"),
)


def normalise(error: str) -> str:
    """`error` (redacted) with what varies between occurrences replaced by placeholders."""
    text = _URL.sub(lambda m: _url(m.group(0)), redact.redact(error))
    text = _UUID.sub("<uuid>", text)
    text = _HEX.sub("<hex>", text)
    text = _TOKEN.sub("<id>", text)
    text = _NUMBER.sub("N", text)
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def fingerprint(check_id: str, error: str | None) -> str | None:
    """12 hex digits naming one kind of failure of one check; None when there is no error."""
    if not error:
        return None
    digest = hashlib.sha256(f"{check_id}\n{normalise(error)}".encode()).hexdigest()
    return digest[:12]


def _url(url: str) -> str:
    trailing = ""
    while url and url[-1] in ".,;:!?":  # the sentence's punctuation, not the URL's
        trailing, url = url[-1] + trailing, url[:-1]
    parts = urlsplit(url)
    host = parts.hostname or ""
    path = "/".join(
        ":id" if any(p.match(s) for p in _SEGMENT) else s for s in (parts.path or "").split("/")
    )
    return f"{parts.scheme}://{host}{path}{trailing}"
