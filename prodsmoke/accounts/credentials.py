"""A test account's username and password, resolved from its config reference."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import SecretStr

from prodsmoke import redact
from prodsmoke.errors import AccountError

if TYPE_CHECKING:
    from prodsmoke.config.models import Account


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a login journey types. The password never appears in repr or str."""

    name: str
    username: str
    password: str = field(repr=False)


def resolve_password(name: str, account: Account) -> Credentials:
    """Credentials for `account`; the password is registered with the redactor."""
    if not isinstance(account.password, SecretStr):
        raise AccountError(
            f"account {name!r}: password reference {type(account.password).__name__} "
            "needs a secrets backend that this run does not have"
        )
    password = account.password.get_secret_value()
    redact.register_secret(password)
    return Credentials(name, account.username, password)
