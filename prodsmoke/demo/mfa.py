"""The demo's second factors: a TOTP account and a passkey account, verified for real.

- `smoke-test-mfa@betterprompts.com` signs in with its password, then a TOTP code (RFC 6238,
  checked with `pyotp`, strictly: the current 30 s window only, and a code that was used once is
  refused again, RFC 6238 §5.2). Five wrong codes lock the account like five wrong passwords.
- `smoke-test-passkey@betterprompts.com` signs in with a passkey alone (WebAuthn, verified with
  the `webauthn` package: challenge, origin, RP id, signature, and a signature counter that must
  grow).

Their secrets are derived from the accounts' password (`SMOKE_TEST_PASSWORD`), so `smoke demo`
and `smoke serve-demo` agree with the run without another variable: `totp_secret(password)` and
`passkey(password)` (the JSON a smoke account's passkey secret holds).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

MFA_ACCOUNT = "smoke-test-mfa@betterprompts.com"
PASSKEY_ACCOUNT = "smoke-test-passkey@betterprompts.com"
RP_ID = "127.0.0.1"  # the demo serves on loopback; the passkey is bound to it
PENDING_COOKIE = "bp_pending"  # a password accepted, the second factor still to come
PENDING_S = 300.0
CHALLENGE_S = 120.0
MAX_CODE_FAILURES = 5


def _derive(password: str, purpose: str, size: int = 32) -> bytes:
    return hashlib.sha256(f"prodsmoke-demo/{purpose}/{password}".encode()).digest()[:size]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def totp_secret(password: str) -> str:
    """The mfa account's TOTP secret (base32, 160 bits)."""
    return base64.b32encode(_derive(password, "totp", 20)).decode().rstrip("=")


def passkey(password: str) -> dict[str, Any]:
    """The passkey account's credential, as Playwright's virtual authenticator keeps it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # P-256's n
    scalar = int.from_bytes(_derive(password, "passkey-key"), "big") % (order - 1) + 1
    key = ec.derive_private_key(scalar, ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {
        "id": _b64url(_derive(password, "passkey-id", 16)),
        "rpId": RP_ID,
        "userHandle": _b64url(_derive(password, "passkey-user", 16)),
        "privateKey": _b64url(private),
        "publicKey": _b64url(public),
    }


def cose_public_key(spki_b64url: str) -> bytes:
    """The COSE_Key (ES256) of a base64url SPKI public key, as WebAuthn servers store it."""
    import cbor2
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    der = base64.urlsafe_b64decode(spki_b64url + "=" * (-len(spki_b64url) % 4))
    key = load_der_public_key(der)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise TypeError("the demo's passkey is a P-256 key")
    numbers = key.public_numbers()
    x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
    return bytes(cbor2.dumps({1: 2, 3: -7, -1: 1, -2: x, -3: y}))


@dataclass
class SecondFactors:
    """Pending logins, used codes, outstanding challenges and counters (thread-safe)."""

    password: str
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pending: dict[str, tuple[str, float]] = field(default_factory=dict)
    _used_steps: dict[str, int] = field(default_factory=dict)
    _code_failures: dict[str, int] = field(default_factory=dict)
    _challenges: dict[bytes, float] = field(default_factory=dict)
    _sign_count: int = 0

    def __post_init__(self) -> None:
        self.totp = totp_secret(self.password)
        self.credential = passkey(self.password)
        self.public_key = cose_public_key(self.credential["publicKey"])

    def pending(self, account: str) -> str:
        """A token for a login whose password was right; its second factor is next."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._pending[token] = (account, time.monotonic() + PENDING_S)
        return token

    def pending_account(self, token: str | None) -> str | None:
        """The account a pending token belongs to (None: none, or expired)."""
        with self._lock:
            account, until = self._pending.get(token or "", ("", 0.0))
        return account if account and time.monotonic() < until else None

    def check_code(self, token: str, code: str, *, broken: bool) -> str:
        """'ok', 'invalid' or 'locked'; an accepted code ends the pending login."""
        import pyotp

        account = self.pending_account(token)
        if account is None:
            return "invalid"
        totp = pyotp.TOTP(self.totp)
        step = int(time.time() // totp.interval)
        with self._lock:
            if self._code_failures.get(account, 0) >= MAX_CODE_FAILURES:
                return "locked"
            fresh = self._used_steps.get(account, -1) < step
            if not broken and fresh and totp.verify(code.strip(), valid_window=0):
                self._used_steps[account] = step
                self._code_failures.pop(account, None)
                self._pending.pop(token, None)
                return "ok"
            self._code_failures[account] = self._code_failures.get(account, 0) + 1
            return "invalid"

    def challenge(self) -> bytes:
        """A fresh WebAuthn challenge, valid for CHALLENGE_S."""
        value = secrets.token_bytes(32)
        with self._lock:
            self._challenges[value] = time.monotonic() + CHALLENGE_S
        return value

    def take_challenge(self, value: bytes) -> bool:
        """Whether `value` is an outstanding challenge (each is good once)."""
        with self._lock:
            until = self._challenges.pop(value, 0.0)
        return time.monotonic() < until

    def credential_account(self, body: dict[str, Any]) -> str:
        """The account whose credential an assertion names (verified or not), for the audit."""
        return PASSKEY_ACCOUNT if body.get("id") == self.credential["id"] else "unknown"

    def verify_assertion(self, body: dict[str, Any], origin: str, *, broken: bool) -> str | None:
        """The account a passkey assertion signs in, or None when it does not verify."""
        import webauthn
        from webauthn.helpers import base64url_to_bytes, parse_client_data_json

        try:
            client_data = parse_client_data_json(
                base64url_to_bytes(body["response"]["clientDataJSON"])
            )
            if body.get("id") != self.credential["id"] or not self.take_challenge(
                client_data.challenge
            ):
                return None
            key = cose_public_key(passkey(self.password + "-lost")["publicKey"]) if broken else None
            verified = webauthn.verify_authentication_response(
                credential=body,
                expected_challenge=client_data.challenge,
                expected_rp_id=RP_ID,
                expected_origin=origin,
                credential_public_key=key or self.public_key,
                credential_current_sign_count=self._sign_count,
            )
        except Exception:  # noqa: BLE001 - any malformed or forged assertion is simply refused
            return None
        with self._lock:
            self._sign_count = verified.new_sign_count
        return PASSKEY_ACCOUNT

    def clear(self) -> None:
        """Forget pending logins, used codes, failures and challenges (not the counter)."""
        with self._lock:
            self._pending.clear()
            self._used_steps.clear()
            self._code_failures.clear()
            self._challenges.clear()

    def unlock(self, account: str) -> bool:
        """Clear the account's wrong codes; True if it was locked by them."""
        with self._lock:
            return self._code_failures.pop(account, 0) >= MAX_CODE_FAILURES
