"""The one object a run asks for test accounts: resolved credentials under an exclusive lease."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from prodsmoke.accounts import lockout
from prodsmoke.accounts.credentials import SPENT_STEPS, Credentials, resolve_password
from prodsmoke.accounts.lease import backend_for, hold, holder_id
from prodsmoke.errors import AccountError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import httpx

    from prodsmoke.accounts.lease_backend import LeaseBackend
    from prodsmoke.config.models import Account, Settings


class AccountBroker:
    """Resolves each account's secret once per run and leases the account around each use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.holder = holder_id()
        self._resolved: dict[str, Credentials] = {}
        self._backend: LeaseBackend | None = None
        self._run_held: set[str] = set()  # held by the run for a shared session (issue 21)

    def account(self, name: str) -> Account:
        """The configured account `name`, or a one-line `AccountError`."""
        try:
            return self.settings.accounts[name]
        except KeyError:
            known = ", ".join(self.settings.accounts) or "none defined"
            raise AccountError(f"account {name!r} is not configured (accounts: {known})") from None

    async def credentials(self, name: str) -> Credentials:
        """The account's credentials, without a lease; AWS is read in a thread, once per run."""
        if name not in self._resolved:
            account = self.account(name)
            self._resolved[name] = await asyncio.to_thread(resolve_password, name, account)
        return self._resolved[name]

    @contextlib.asynccontextmanager
    async def lease(self, name: str) -> AsyncIterator[Credentials]:
        """Resolve the account, then hold it exclusively until the block ends (however it ends).

        While the run holds the account for its session (`hold_for_run`), its journeys share
        that lease: they use the one session, so no other run may log in meanwhile, but they
        need not wait for each other.
        """
        credentials = await self.credentials(name)
        if name in self._run_held:
            yield credentials
            return
        if self._backend is None:
            self._backend = backend_for(self.settings.account_lease)
        key = lease_key(self.settings.base_url, credentials.username)
        async with hold(
            self._backend,
            key,
            account=name,
            holder=self.holder,
            config=self.settings.account_lease,
        ) as waited:
            if waited and credentials.totp_secret is not None:
                # The run before us may have typed this window's code: the product would refuse
                # it again (issue 21), so ours comes from the next window.
                step = credentials.totp_step()
                SPENT_STEPS[credentials.username] = max(
                    step, SPENT_STEPS.get(credentials.username, -1)
                )
            yield credentials

    @contextlib.asynccontextmanager
    async def hold_for_run(self, name: str) -> AsyncIterator[Credentials]:
        """Lease the account for a session the run's journeys share, until the block ends."""
        async with self.lease(name) as credentials:
            self._run_held.add(name)
            try:
                yield credentials
            finally:
                self._run_held.discard(name)

    async def unlock(self, name: str, client: httpx.AsyncClient) -> str | None:
        """Run the account's configured unlock step through `client`; None when it has none."""
        return await lockout.unlock(name, self.account(name), self.settings.base_url, client)


def lease_key(base_url: str, username: str) -> str:
    """A file-name-safe key for one account on one target, the same from every run and region."""
    who = username.strip().casefold()
    digest = hashlib.sha256(f"{urlsplit(base_url).netloc.casefold()}/{who}".encode()).hexdigest()
    slug = re.sub(r"[^a-z0-9]+", "-", who).strip("-")[:40]
    return f"{slug}-{digest[:12]}"
