"""The file lease: exclusive across processes and inside one, released however the block ends."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from prodsmoke.accounts import AccountBroker
from prodsmoke.errors import AccountError

# Another run, in its own process: leases `basic`, says so, holds it until its stdin closes.
HOLDER = """
import asyncio, json, sys
from prodsmoke.accounts import AccountBroker
from prodsmoke.config.models import Settings

async def main():
    broker = AccountBroker(Settings.model_validate(json.loads(sys.argv[1])))
    async with broker.lease("basic"):
        print("held", flush=True)
        await asyncio.to_thread(sys.stdin.read)

asyncio.run(main())
"""


@pytest.fixture
def other_run(account_settings):
    settings = account_settings()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HOLDER,
            json.dumps(
                settings.model_dump(mode="json")
                | {
                    "accounts": {
                        "basic": {"username": "basic@example.com", "password": "pw-other-run"}
                    }
                }
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()


async def test_a_second_process_waits_then_fails_naming_the_holder(
    account_settings, other_run
) -> None:
    broker = AccountBroker(account_settings(lease={"wait_s": 0.6}))
    started = time.monotonic()
    with pytest.raises(AccountError) as info:
        async with broker.lease("basic"):
            pytest.fail("two runs held the same account")
    assert time.monotonic() - started >= 0.6, "it waited wait_s before giving up"
    assert re.fullmatch(
        rf"account 'basic' is leased by another run \(holder \S+ pid {other_run.pid} "
        r"#[0-9a-f]{6}, held for \d+ s\); waited 0\.6 s \(account_lease\.wait_s\)",
        str(info.value),
    ), str(info.value)


async def test_the_lease_is_free_once_the_other_run_ends(account_settings, other_run) -> None:
    broker = AccountBroker(account_settings(lease={"wait_s": 10}))
    other_run.stdin.close()  # the other run finishes its journey and releases
    async with broker.lease("basic") as credentials:
        assert credentials.username == "basic@example.com"


async def test_a_crashed_holder_never_leaves_the_account_leased(
    account_settings, other_run
) -> None:
    os.kill(other_run.pid, signal.SIGKILL)
    other_run.wait(timeout=10)
    async with AccountBroker(account_settings()).lease("basic") as credentials:
        assert credentials.name == "basic"


async def test_two_leases_in_one_process_exclude_each_other(account_settings) -> None:
    first, second = AccountBroker(account_settings()), AccountBroker(account_settings())
    async with first.lease("basic"):
        with pytest.raises(AccountError, match="is leased by another run"):
            async with second.lease("basic"):
                pass
        with pytest.raises(AccountError, match="is leased by another run"):
            async with first.lease("basic"):
                pass  # a run's own two journeys never share an account either


async def test_released_after_an_exception(account_settings) -> None:
    broker = AccountBroker(account_settings())
    with pytest.raises(RuntimeError):
        async with broker.lease("basic"):
            raise RuntimeError("journey failed")
    async with AccountBroker(account_settings()).lease("basic"):
        pass


async def test_released_when_the_journey_is_cancelled(account_settings) -> None:
    broker = AccountBroker(account_settings())
    leased = asyncio.Event()

    async def journey() -> None:
        async with broker.lease("basic"):
            leased.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(journey())
    await leased.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with AccountBroker(account_settings()).lease("basic"):
        pass


async def test_a_run_cancelled_while_waiting_leaves_nothing_behind(account_settings) -> None:
    holder = AccountBroker(account_settings())
    waiter = AccountBroker(account_settings(lease={"wait_s": 30}))
    async with holder.lease("basic"):
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.5), waiter.lease("basic"):
                pytest.fail("leased while held")
    async with AccountBroker(account_settings()).lease("basic"):
        pass


async def test_an_unconfigured_account_is_named(account_settings) -> None:
    with pytest.raises(AccountError) as info:
        async with AccountBroker(account_settings()).lease("gold"):
            pass
    assert str(info.value) == "account 'gold' is not configured (accounts: basic)"


async def test_an_unwritable_lease_folder_says_what_to_do(account_settings, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    broker = AccountBroker(account_settings(lease={"folder": str(blocker / "leases")}))
    with pytest.raises(AccountError) as info:
        async with broker.lease("basic"):
            pass
    assert str(info.value).startswith(f"cannot open lease file {blocker}/leases/basic-example-com-")
    assert str(info.value).endswith(
        ": Not a directory; set account_lease.folder to a writable folder"
    )
