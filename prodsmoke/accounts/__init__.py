"""Who the journeys log in as, and where their secrets come from.

`AccountBroker(settings).lease(name)` resolves an account's password (config, AWS Secrets Manager
or SSM Parameter Store) and holds the account exclusively for the block; `is_locked` recognises a
locked account; `AccountBroker.unlock` runs its configured unlock step.
"""

from prodsmoke.accounts.broker import AccountBroker
from prodsmoke.accounts.credentials import Credentials, resolve_password
from prodsmoke.accounts.lockout import is_locked

__all__ = ["AccountBroker", "Credentials", "is_locked", "resolve_password"]
