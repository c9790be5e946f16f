"""A test account's username and password, resolved from its config reference."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prodsmoke import redact
from prodsmoke.accounts.sources import fetch_password
from prodsmoke.errors import AccountError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from prodsmoke.config.models import Account

# The redactor ignores shorter values (they would mangle ordinary text), so it could not hide them.
MIN_PASSWORD = 4


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a login journey types. The password never appears in repr or str."""

    name: str
    username: str
    password: str = field(repr=False)


def resolve_password(
    name: str, account: Account, environ: Mapping[str, str] | None = None
) -> Credentials:
    """Credentials for `account`; the password is registered with the redactor.

    Reads AWS Secrets Manager or SSM when the reference points there, so it may block.
    """
    password = fetch_password(name, account, environ)
    # Registered before any check, so even an error text that somehow echoed it is scrubbed.
    redact.register_secret(password)
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            f"account {name!r}: the password is shorter than {MIN_PASSWORD} characters, "
            "too short to scrub from output; use a longer one"
        )
    return Credentials(name, account.username, password)
