"""A test account's secrets, resolved from their config references: the password, and the
second factors an account may carry (a TOTP secret, a passkey; SPEC §16).

Every secret is registered with the redactor the moment it is read, and so is every TOTP code
`Credentials.totp()` hands out (as a whole number only: a code's six digits inside a longer
number, a timestamp say, are left alone).
"""

from __future__ import annotations

import contextvars
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prodsmoke import redact
from prodsmoke.accounts.sources import fetch_password, fetch_secret
from prodsmoke.config import passkey as passkeys
from prodsmoke.config import totp as totps
from prodsmoke.errors import AccountError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from prodsmoke.config.models import Account

# The redactor ignores shorter values (they would mangle ordinary text), so it could not hide them.
MIN_PASSWORD = 4
# Set by whoever runs an attempt (a list): the time steps of the codes the attempt was handed,
# so a failed attempt that typed one is not retried (each retry is another code: a lockout risk).
CODES_HANDED_OUT: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "prodsmoke_totp_codes", default=None
)
# Per username: the TOTP time step whose code was typed last - by this process, or, as far as it
# can tell, by the run whose lease on the account it waited for (`AccountBroker.lease`). A product
# refuses a code it accepted once (RFC 6238 §5.2), so no code of that step is typed again.
SPENT_STEPS: dict[str, int] = {}
# Set by the engine (`e2e.second_factor`): waits, where waiting does not stall the run (a sync
# journey), until the account's next code is worth typing; `totp()` calls it.
CODE_WAITER: list[Callable[[Credentials], None]] = []


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a login journey types. No secret appears in repr or str."""

    name: str
    username: str
    password: str = field(repr=False)
    totp_secret: totps.TotpSecret | None = field(default=None, repr=False)
    passkey: passkeys.Passkey | None = field(default=None, repr=False)

    def totp(self, at: float | None = None) -> str:
        """The account's TOTP code for now (RFC 6238); scrubbed from everything from now on.

        In a sync journey, `totp()` first waits (yielding to the run) when the current code is
        about to expire or was typed already (`SPENT_STEPS`): products refuse a code used once.
        """
        if at is None:
            self._secret()
            for wait in CODE_WAITER:
                wait(self)
        step = self.totp_step(at)
        if at is None:
            SPENT_STEPS[self.username] = max(step, SPENT_STEPS.get(self.username, -1))
        return self.totp_code(step)

    def totp_step(self, at: float | None = None) -> int:
        """The TOTP time step `at` (now by default) falls in."""
        return self._secret().counter(time.time() if at is None else at)

    def totp_code(self, step: int) -> str:
        """The code of time step `step`, registered with the redactor and noted as handed out."""
        code = self._secret().code(step)
        redact.register_code(code)
        handed = CODES_HANDED_OUT.get()
        if handed is not None:
            handed.append(step)
        return code

    def _secret(self) -> totps.TotpSecret:
        if self.totp_secret is None:
            raise AccountError(
                f'account {self.name!r} has no TOTP secret; add totp: {{secret: "${{VAR}}"}} '
                "to it under accounts:"
            )
        return self.totp_secret


def resolve_password(
    name: str, account: Account, environ: Mapping[str, str] | None = None
) -> Credentials:
    """Credentials for `account`: its password, TOTP secret and passkey, each registered with
    the redactor.

    Reads AWS Secrets Manager or SSM when a reference points there, so it may block.
    """
    password = fetch_password(name, account, environ)
    # Registered before any check, so even an error text that somehow echoed it is scrubbed.
    redact.register_secret(password)
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            f"account {name!r}: the password is shorter than {MIN_PASSWORD} characters, "
            "too short to scrub from output; use a longer one"
        )
    return Credentials(
        name,
        account.username,
        password,
        totp_secret=_totp(name, account, environ),
        passkey=_passkey(name, account, environ),
    )


def _totp(
    name: str, account: Account, environ: Mapping[str, str] | None
) -> totps.TotpSecret | None:
    if account.totp is None:
        return None
    config = account.totp
    text = fetch_secret(config.secret, f"account {name!r}", environ, what="TOTP secret")
    redact.register_secret(text)
    try:
        secret = totps.parse(
            text, digits=config.digits, period_s=config.period_s, algorithm=config.algorithm
        )
    except totps.TotpFormError as exc:
        raise AccountError(f"account {name!r}: {exc}") from None
    redact.register_secret(secret.base32)  # as the product's enrolment page would show it
    return secret


def _passkey(
    name: str, account: Account, environ: Mapping[str, str] | None
) -> passkeys.Passkey | None:
    if account.passkey is None:
        return None
    text = fetch_secret(account.passkey, f"account {name!r}", environ, what="passkey")
    redact.register_secret(text)
    try:
        passkey = passkeys.parse(text)
    except passkeys.PasskeyFormError as exc:
        raise AccountError(f"account {name!r}: {exc}") from None
    redact.register_secret(passkey.private_key)
    return passkey
