"""An exclusive lease per account, so two concurrent runs never log in as the same account.

A backend makes single, blocking attempts (`try_acquire`, `renew`, `release`); `hold()` turns
them into an async context manager that waits up to `wait_s`, renews leases that expire while a
journey still runs, and always releases — on success, on exception and on cancellation.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
from typing import TYPE_CHECKING

from prodsmoke.errors import AccountError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from prodsmoke.accounts.lease_backend import Busy, LeaseBackend
    from prodsmoke.config.models import AccountLease

POLL_S = 0.2  # how often a waiting run tries again


def backend_for(config: AccountLease) -> LeaseBackend:
    """The configured backend; DynamoDB's module (and boto3) is imported only when configured."""
    if config.backend == "dynamodb":
        from prodsmoke.accounts.lease_dynamodb import DynamoDbLeases

        return DynamoDbLeases(config.table or "", config.region)
    from prodsmoke.accounts.lease_file import FileLeases

    return FileLeases(config.folder)


def holder_id(environ: Mapping[str, str] | None = None) -> str:
    """Who we are, readable in another run's error: where we run, our pid and a random tag."""
    environ = os.environ if environ is None else environ
    if environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        where = f"lambda {environ.get('AWS_REGION', '?')}"
    elif environ.get("GITHUB_ACTIONS") == "true":
        where = f"gha run {environ.get('GITHUB_RUN_ID', '?')}"
    else:
        where = socket.gethostname() or "localhost"
    return f"{where} pid {os.getpid()} #{secrets.token_hex(3)}"


@contextlib.asynccontextmanager
async def hold(
    backend: LeaseBackend, key: str, *, account: str, holder: str, config: AccountLease
) -> AsyncIterator[bool]:
    """Hold the lease on `key` for the body's duration, or raise `AccountError` after wait_s;
    yields whether another holder had it first (it may have just logged in as the account)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + config.wait_s
    waited = False
    while (busy := await _attempt(backend, key, holder, config.ttl_s)) is not None:
        waited = True
        left = give_up - loop.time()
        if left <= 0:
            raise AccountError(
                f"account {account!r} is leased by another run ({busy.describe()}); "
                f"waited {config.wait_s:g} s (account_lease.wait_s)"
            )
        await asyncio.sleep(min(POLL_S, left))
    renewer = (
        asyncio.create_task(_renew(backend, key, holder, config.ttl_s), name=f"renew {key}")
        if backend.expires
        else None
    )
    try:
        yield waited
    finally:
        if renewer is not None:
            renewer.cancel()
        try:
            # The release runs in a thread: even if this task is cancelled again while waiting
            # for it, the thread finishes the release. An expiring lease also lapses on its own.
            with contextlib.suppress(AccountError):
                await asyncio.to_thread(backend.release, key, holder)
        finally:
            if renewer is not None:
                await asyncio.wait({renewer})  # let it finish cancelling; never raises its error


async def _attempt(backend: LeaseBackend, key: str, holder: str, ttl_s: float) -> Busy | None:
    """One try; if we are cancelled while the thread still takes the lease, it is released."""
    attempt = asyncio.ensure_future(asyncio.to_thread(backend.try_acquire, key, holder, ttl_s))
    try:
        return await asyncio.shield(attempt)
    except asyncio.CancelledError:
        attempt.add_done_callback(lambda done: _release_if_taken(done, backend, key, holder))
        raise


def _release_if_taken(
    done: asyncio.Future[Busy | None], backend: LeaseBackend, key: str, holder: str
) -> None:
    if not done.cancelled() and done.exception() is None and done.result() is None:
        asyncio.get_running_loop().run_in_executor(None, backend.release, key, holder)


async def _renew(backend: LeaseBackend, key: str, holder: str, ttl_s: float) -> None:
    """Keep an expiring lease alive while the journey runs (a crashed run's simply lapses)."""
    while True:
        await asyncio.sleep(ttl_s / 3)
        try:
            if not await asyncio.to_thread(backend.renew, key, holder, ttl_s):
                return  # lost it (we were too slow): nothing left to keep alive
        except AccountError:
            continue  # a transient AWS error; the next renewal may work before expiry
