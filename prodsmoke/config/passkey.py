"""An account's passkey: the credential Playwright's virtual authenticator signs in with.

The secret is one JSON document, the one `context.credentials.get()` (and `smoke accounts
passkey`) returns, camelCase or snake_case:

    {"id": "<base64url credential id>", "rpId": "app.example.com",
     "userHandle": "<base64url>", "privateKey": "<base64url PKCS#8 DER>",
     "publicKey": "<base64url SPKI DER>"}                    # publicKey may be left out

Playwright needs the public key too (given only a private key it silently makes a new pair), so
a missing one is taken from the PKCS#8 document, which carries it (RFC 5915's optional
`publicKey`, written by OpenSSL, BoringSSL, Node and Chrome's virtual authenticator). Pure, so
the configuration validates a `${VAR}` passkey when it loads it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

# SubjectPublicKeyInfo of a P-256 key, up to the 65-byte uncompressed point (RFC 5480).
P256_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")
_PUBLIC_KEY_TAG = 0xA1  # ECPrivateKey's [1] publicKey (RFC 5915)
_P256_ALGORITHM = bytes.fromhex("06072a8648ce3d020106082a8648ce3d030107")  # ecPublicKey, P-256
_B64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
_NAMES = {
    "credential_id": ("id", "credentialId", "credential_id"),
    "rp_id": ("rpId", "rp_id"),
    "user_handle": ("userHandle", "user_handle"),
    "private_key": ("privateKey", "private_key"),
    "public_key": ("publicKey", "public_key"),
}


# Signature counters (WebAuthn §6.1.1: a relying party may refuse one that did not grow) are
# tenths of a second since 2025, so each context's is above any an earlier run used; it fits the
# counter's 32 bits until 2038.
_COUNTER_EPOCH = 1735689600.0  # 2025-01-01T00:00:00Z
_counter_lock = threading.Lock()
_last = [0]


def next_sign_count(now: float | None = None) -> int:
    """A signature counter above every one this process handed out before (see above)."""
    at = int(((time.time() if now is None else now) - _COUNTER_EPOCH) * 10)
    with _counter_lock:
        _last[0] = max(at, _last[0] + 1)
        return _last[0]


class PasskeyFormError(ValueError):
    """A passkey secret that is not the expected JSON document; never quotes a key."""


@dataclass(frozen=True, slots=True)
class Passkey:
    """A WebAuthn credential for Playwright's virtual authenticator (ES256)."""

    credential_id: str
    rp_id: str
    user_handle: str
    private_key: str = field(repr=False)  # base64url PKCS#8 DER
    public_key: str  # base64url SPKI DER

    def virtual_credential(self, sign_count: int) -> dict[str, Any]:
        """The credential as Playwright's storage state (and `credentials.create`) take it."""
        return {
            "id": self.credential_id,
            "rpId": self.rp_id,
            "userHandle": self.user_handle,
            "privateKey": self.private_key,
            "publicKey": self.public_key,
            "signCount": sign_count,
        }


def parse(text: str) -> Passkey:
    """A passkey from its JSON secret (see the module docstring)."""
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise PasskeyFormError(
            "the passkey is not a JSON object; expected "
            '{"id": …, "rpId": …, "userHandle": …, "privateKey": …} (smoke accounts passkey)'
        )
    values: dict[str, str] = {}
    for name, spellings in _NAMES.items():
        given = next((document[s] for s in spellings if s in document), None)
        if given is None and name == "public_key":
            continue
        if not isinstance(given, str) or not given.strip():
            raise PasskeyFormError(f"the passkey has no {spellings[0]!r} (a non-empty string)")
        values[name] = given.strip()
    for name in ("credential_id", "user_handle", "private_key", "public_key"):
        if name in values and not _B64URL.match(values[name]):
            raise PasskeyFormError(f"the passkey's {_NAMES[name][0]!r} is not base64url text")
    der = _decode(values["private_key"])
    if "public_key" not in values:
        values["public_key"] = _b64url(P256_SPKI_PREFIX + public_point(der))
    return Passkey(**values)


def public_point(pkcs8: bytes) -> bytes:
    """The uncompressed P-256 point (65 bytes) a PKCS#8 EC private key carries."""
    try:
        info = _children(_tlv(pkcs8, 0x30))
        if len(info) < 3 or _P256_ALGORITHM not in info[1]:  # noqa: PLR2004 - RFC 5208's fields
            raise PasskeyFormError("the passkey's privateKey is not a P-256 (ES256) key")
        ec_private_key = _children(_tlv(_tlv(info[2], 0x04), 0x30))
        for child in ec_private_key[2:]:
            if child[0] == _PUBLIC_KEY_TAG:  # a BIT STRING inside
                bits = _tlv(_tlv(child, _PUBLIC_KEY_TAG), 0x03)
                point = bits[1:]
                if bits[0] == 0 and len(point) == 65 and point[0] == 4:  # noqa: PLR2004
                    return point
    except (IndexError, ValueError) as exc:
        if isinstance(exc, PasskeyFormError):
            raise
        raise PasskeyFormError("the passkey's privateKey is not PKCS#8 DER") from None
    raise PasskeyFormError(
        "the passkey's privateKey does not carry its public key; add publicKey "
        "(base64url SPKI) to the secret"
    )


def _decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise PasskeyFormError("the passkey's privateKey is not base64url text") from None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _tlv(data: bytes, tag: int) -> bytes:
    """The content of the DER element at the start of `data`, which must have `tag`."""
    if data[0] != tag:
        raise ValueError(f"expected DER tag {tag:#x}, got {data[0]:#x}")
    length, start = _length(data)
    return data[start : start + length]


def _length(data: bytes) -> tuple[int, int]:
    first = data[1]
    if first < 0x80:  # noqa: PLR2004 - DER's short form
        return first, 2
    size = first & 0x7F
    return int.from_bytes(data[2 : 2 + size], "big"), 2 + size


def _children(content: bytes) -> list[bytes]:
    """The whole DER elements (tag, length, content) inside a constructed element's content."""
    out = []
    while content:
        length, start = _length(content)
        out.append(content[: start + length])
        content = content[start + length :]
    return out
