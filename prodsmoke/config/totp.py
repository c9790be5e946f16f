"""An account's TOTP secret, in the forms people keep it, and its RFC 6238 codes.

    JBSWY3DPEHPK3PXP                                   base32, as an enrolment screen shows it
    jbsw y3dp ehpk 3pxp                                (any case, spaces, no padding: the same)
    otpauth://totp/Example:smoke?secret=JBSW…&digits=6&period=30&algorithm=SHA1   (a QR code's)

RFC 6238 over RFC 4226 in the standard library (`hmac`, `hashlib`): the whole algorithm is the
few lines of `code`, checked against the RFC's own test vectors (tests/accounts/test_totp.py),
so no package is added to the Lambda image for it. Pure, so the configuration validates a
secret's form when it loads it and the accounts layer makes the codes.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import time
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

Algorithm = Literal["SHA1", "SHA256", "SHA512"]
ALGORITHMS: dict[str, str] = {"SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512"}
MIN_KEY_BYTES = 10  # RFC 4226 §4: at least 128 bits; 80 (16 base32 characters) is the common floor
_BASE32 = re.compile(r"^[A-Z2-7]+=*$")


class TotpFormError(ValueError):
    """A TOTP secret that is neither base32 nor an otpauth:// URI; never quotes the secret."""


@dataclass(frozen=True, slots=True)
class TotpSecret:
    """A shared key and the code parameters; the key never appears in repr."""

    key: bytes = field(repr=False)
    digits: int = 6
    period_s: int = 30
    algorithm: Algorithm = "SHA1"

    @property
    def base32(self) -> str:
        """The key as base32 text without padding (how it was probably given)."""
        return base64.b32encode(self.key).decode().rstrip("=")

    def counter(self, at: float | None = None) -> int:
        """The time step `at` (Unix seconds; now by default) falls in."""
        return int((time.time() if at is None else at) // self.period_s)

    def code(self, counter: int) -> str:
        """The code of time step `counter` (RFC 6238 §4 over RFC 4226 §5.3)."""
        digest = hmac.new(self.key, counter.to_bytes(8, "big"), ALGORITHMS[self.algorithm]).digest()
        offset = digest[-1] & 0x0F
        binary = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
        return str(binary % 10**self.digits).zfill(self.digits)

    def seconds_left(self, at: float | None = None) -> float:
        """Seconds until the time step of `at` ends."""
        now = time.time() if at is None else at
        return self.period_s - (now % self.period_s)


def parse(
    text: str, *, digits: int = 6, period_s: int = 30, algorithm: Algorithm = "SHA1"
) -> TotpSecret:
    """A secret from base32 text or an `otpauth://totp/…` URI (whose parameters win)."""
    text = text.strip()
    if text.lower().startswith("otpauth://"):
        return _from_uri(text)
    return TotpSecret(_key(text), digits=digits, period_s=period_s, algorithm=algorithm)


def _key(text: str) -> bytes:
    squeezed = re.sub(r"[\s-]+", "", text).upper()
    if not squeezed or not _BASE32.match(squeezed):
        raise TotpFormError(
            "the TOTP secret is not base32 (letters A-Z and digits 2-7, as enrolment screens "
            "show it) nor an otpauth://totp/ URI"
        )
    try:
        key = base64.b32decode(squeezed.rstrip("=") + "=" * (-len(squeezed.rstrip("=")) % 8))
    except binascii.Error as exc:
        raise TotpFormError("the TOTP secret is not valid base32 (its length is wrong)") from exc
    if len(key) < MIN_KEY_BYTES:
        raise TotpFormError(
            f"the TOTP secret is {len(key)} bytes; expected at least {MIN_KEY_BYTES} "
            "(16 base32 characters), as enrolment screens give"
        )
    return key


def _from_uri(text: str) -> TotpSecret:
    parts = urlsplit(text)
    if parts.netloc.lower() != "totp":
        raise TotpFormError(
            f"otpauth://{parts.netloc}/ is not a TOTP URI; expected otpauth://totp/LABEL?secret=…"
        )
    query = {k.lower(): v[-1] for k, v in parse_qs(parts.query).items()}
    if "secret" not in query:
        raise TotpFormError("the otpauth:// URI has no secret= parameter")
    algorithm = query.get("algorithm", "SHA1").upper()
    if algorithm not in ALGORITHMS:
        raise TotpFormError(
            f"the otpauth:// URI's algorithm {algorithm!r} is not one of SHA1, SHA256, SHA512"
        )
    try:
        digits = int(query.get("digits", "6"))
        period = int(query.get("period", "30"))
    except ValueError:
        raise TotpFormError("the otpauth:// URI's digits= and period= must be numbers") from None
    if not 6 <= digits <= 8 or not 10 <= period <= 120:  # noqa: PLR2004 - RFC 4226's range
        raise TotpFormError(
            f"the otpauth:// URI's digits={digits} / period={period}: expected 6-8 digits and a "
            "period of 10-120 s"
        )
    return TotpSecret(
        _key(unquote(query["secret"])),
        digits=digits,
        period_s=period,
        algorithm=algorithm,  # type: ignore[arg-type]  # checked against ALGORITHMS
    )
