"""The one scrubber for everything that leaves the process.

stdout, logs, results.json, junit.xml, metric tags, error texts and artifacts all pass `redact()`.
Secrets resolved from config are registered here at load time; each is scrubbed in its raw,
URL-encoded and JSON-escaped forms; one-time codes (TOTP) wherever they stand as a whole
number. Credentials that never were config (cookies, bearer tokens,
`Authorization` values, `password=` form fields) are scrubbed by pattern.
"""

from __future__ import annotations

import base64
import html
import json
import re
import sys
import threading
from typing import TextIO
from urllib.parse import quote, quote_plus

MASK = "[REDACTED]"
MIN_SECRET = 4  # characters; a secret shorter than this is not registered
MIN_BASE64_SECRET = 8  # characters; shorter ones get no base64 forms

_PATTERNS = (
    # header lines and JSON/HAR header objects: Authorization, Cookie, Set-Cookie, X-Api-Key …
    re.compile(
        r"(?i)((?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|dd-api-key|api-key)"
        r"\"?\s*[:=]\s*\"?)([^\"\r\n]+)"
    ),
    re.compile(r"(?i)(bearer\s+)([A-Za-z0-9._~+/=-]{8,})"),
    # form fields and query strings: password=…, token=…, session=…
    re.compile(r"(?i)((?:password|passwd|token|secret|session|api_key)=)([^&\s\"']+)"),
    re.compile(r"(?i)(\"(?:password|token|secret|session|api_key)\"\s*:\s*\")([^\"]*)"),
)

_lock = threading.Lock()
_secrets: set[str] = set()
# One-time codes (issue 21): masked only as a whole number, never inside a longer one (a code's
# six digits turn up in timestamps and byte counts, and a trace must stay valid JSON).
_codes: set[str] = set()
_code_patterns: tuple[re.Pattern[str], re.Pattern[bytes]] | None = None
MIN_CODE = 6


def _forms(secret: str) -> set[str]:
    """The ways a secret can appear in text we (or Playwright, Node's JSON) write."""
    escaped = json.dumps(secret)[1:-1]  # Python: non-ASCII as \uXXXX
    escaped_utf8 = json.dumps(secret, ensure_ascii=False)[1:-1]  # Node's JSON.stringify
    return {
        *base64_cores(secret),
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        quote(secret, safe="/"),
        escaped,
        escaped_utf8,
        quote(escaped, safe=""),
        html.escape(secret),
        html.escape(secret, quote=False),
    }


def base64_cores(secret: str) -> set[str]:
    """The part of the base64 text of `secret` that does not depend on what surrounds it, at
    each of the three alignments it can start at inside a larger encoded blob."""
    if len(secret) < MIN_BASE64_SECRET:  # a shorter core would be a few characters, anywhere
        return set()
    cores = set()
    raw = secret.encode()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode().rstrip("=")
        start = -(-offset * 4 // 3)  # characters that still carry the padding bytes
        end = len(encoded) - (1 if (offset + len(raw)) % 3 else 0)  # ...and the last partial one
        cores.add(encoded[start:end])
    return {c for c in cores if len(c) >= MIN_BASE64_SECRET}


class RedactingStream:
    """A text stream that redacts everything written to it before passing it on."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        """Write `text`, redacted; report the length the caller gave."""
        self._inner.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


def protect_standard_streams() -> None:
    """Redact what anything in this process prints to stdout or stderr from now on (a team's
    journey printing a leased password, say). Idempotent."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, RedactingStream):
            setattr(sys, name, RedactingStream(stream))


def register_secret(value: str) -> None:
    """Scrub `value` (and its encoded forms) from everything redacted from now on."""
    if len(value) < MIN_SECRET:  # shorter would mangle ordinary text; config refuses them too
        return
    with _lock:
        _secrets.update(f for f in _forms(value) if f)


def register_code(code: str) -> None:
    """Scrub a one-time code (digits) wherever it stands alone, from now on."""
    global _code_patterns  # noqa: PLW0603 - the one registry of the process, like _secrets
    if len(code) < MIN_CODE or not code.isdigit():
        return
    with _lock:
        if code not in _codes:
            _codes.add(code)
            alternatives = "|".join(sorted(_codes))
            text = rf"(?<![0-9])(?:{alternatives})(?![0-9])"
            _code_patterns = (re.compile(text), re.compile(text.encode()))


def codes() -> frozenset[str]:
    """Every registered one-time code (for leak tests)."""
    with _lock:
        return frozenset(_codes)


def secrets() -> frozenset[str]:
    """Every registered secret form (for artifact scrubbing and leak tests)."""
    with _lock:
        return frozenset(_secrets)


def redact(text: str) -> str:
    """Return `text` with every registered secret and credential-shaped value masked."""
    if not text:
        return text
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
        patterns = _code_patterns
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    if patterns is not None:
        text = patterns[0].sub(MASK, text)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


def redact_bytes(data: bytes) -> bytes:
    """`redact()` for binary artifacts: replaces registered secret forms byte-for-byte."""
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
        patterns = _code_patterns
    for secret in known:
        raw = secret.encode()
        if raw in data:
            data = data.replace(raw, MASK.encode())
    if patterns is not None:
        data = patterns[1].sub(MASK.encode(), data)
    return data
