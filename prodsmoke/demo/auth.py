"""The demo's accounts, lockouts and sessions (in memory, thread-safe)."""

from __future__ import annotations

import base64
import enum
import hmac
import secrets
import threading

BASIC_AUTH_USER = "smoke"  # the `basic-auth` fault's user; its password is the accounts' one
ACCOUNTS = (
    "smoke-test-basic@betterprompts.com",
    "smoke-test-premium@betterprompts.com",
    # Issue 21 (demo.mfa): a TOTP code after the password; a passkey (a password works too).
    "smoke-test-mfa@betterprompts.com",
    "smoke-test-passkey@betterprompts.com",
)
# Like the real product: the 5th consecutive wrong password locks the account (answered 401),
# and every attempt after that, right password or not, is answered 423 until unlocked.
MAX_FAILURES = 5
SESSION_COOKIE = "bp_session"


class LoginOutcome(enum.Enum):
    """How a login attempt ended."""

    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"


class AuthStore:
    """Checks passwords, counts failures per account and maps session tokens to accounts."""

    def __init__(self, password: str) -> None:
        self._password = password.encode()
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}
        self._sessions: dict[str, str] = {}

    def basic_auth_ok(self, header: str) -> bool:
        """Whether an Authorization header carries the `basic-auth` fault's credentials."""
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            pair = base64.b64decode(encoded.strip(), validate=True)
        except ValueError:
            return False
        return hmac.compare_digest(pair, BASIC_AUTH_USER.encode() + b":" + self._password)

    def attempt(self, email: str, password: str) -> LoginOutcome:
        """Check one login attempt, updating the account's failure count."""
        account = normalize(email)
        # compare_digest on bytes: str arguments must be ASCII, and a password may not be.
        matches = hmac.compare_digest(password.encode(), self._password)
        with self._lock:
            if account not in ACCOUNTS:
                return LoginOutcome.INVALID
            if self._failures.get(account, 0) >= MAX_FAILURES:
                return LoginOutcome.LOCKED
            if not matches:
                self._failures[account] = self._failures.get(account, 0) + 1
                return LoginOutcome.INVALID
            self._failures.pop(account, None)
            return LoginOutcome.OK

    def is_locked(self, email: str) -> bool:
        """Whether the account is locked."""
        with self._lock:
            return self._failures.get(normalize(email), 0) >= MAX_FAILURES

    def unlock(self, email: str) -> bool:
        """Clear the account's failures; True if it was locked."""
        account = normalize(email)
        with self._lock:
            return self._failures.pop(account, 0) >= MAX_FAILURES

    def open_session(self, email: str) -> str:
        """Start a session for the account and return its random token."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[token] = normalize(email)
        return token

    def account_for(self, token: str | None) -> str | None:
        """The account a session token belongs to, or None."""
        if not token:
            return None
        with self._lock:
            return self._sessions.get(token)

    def close_session(self, token: str | None) -> str | None:
        """End a session; return its account, or None if there was none."""
        if not token:
            return None
        with self._lock:
            return self._sessions.pop(token, None)

    def clear(self) -> None:
        """Forget all lockouts and sessions."""
        with self._lock:
            self._failures.clear()
            self._sessions.clear()


def normalize(email: str) -> str:
    """Emails compare case-insensitively, ignoring surrounding blanks."""
    return email.strip().lower()
