"""Who the journeys log in as, and where their secrets come from."""

from prodsmoke.accounts.credentials import Credentials, resolve_password

__all__ = ["Credentials", "resolve_password"]
