"""The DynamoDB lease (against moto): exclusive, lapses when its holder crashes, released after."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import boto3
import pytest
import yaml

from prodsmoke.accounts import AccountBroker
from prodsmoke.accounts.broker import lease_key
from prodsmoke.accounts.lease_dynamodb import EXPIRES, DynamoDbLeases
from prodsmoke.accounts.lease_dynamodb import KEY as KEY_ATTRIBUTE
from prodsmoke.errors import AccountError

TABLE = "prodsmoke-account-leases"
LEASES_TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "lambda" / "leases.yaml"
KEY = lease_key("http://127.0.0.1:9", "basic@example.com")


@pytest.fixture
def table(moto_reset):
    """The table as deploy/lambda/leases.yaml creates it (so the IaC and the code agree)."""
    cloudformation = boto3.client("cloudformation", region_name="us-east-1")
    cloudformation.create_stack(
        StackName="prodsmoke-account-leases",
        TemplateBody=LEASES_TEMPLATE.read_text(),
        Parameters=[{"ParameterKey": "TableName", "ParameterValue": TABLE}],
    )
    return boto3.client("dynamodb", region_name="us-east-1")


def test_the_template_sweeps_expired_leases_by_ttl() -> None:
    # moto's CloudFormation does not apply TimeToLiveSpecification, so read the template.
    text = LEASES_TEMPLATE.read_text().replace("!Ref ", "").replace("!GetAtt ", "")
    table = yaml.safe_load(text)["Resources"]["Leases"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": EXPIRES, "Enabled": True}
    assert table["KeySchema"] == [{"AttributeName": KEY_ATTRIBUTE, "KeyType": "HASH"}]


@pytest.fixture
def dynamo_settings(account_settings):
    def make(**lease):
        return account_settings(
            lease={"backend": "dynamodb", "table": TABLE, "region": "us-east-1"} | lease
        )

    return make


def item(dynamodb) -> dict:
    """The lease's item ({} when there is none)."""
    return dynamodb.get_item(TableName=TABLE, Key={"lease_id": {"S": KEY}}).get("Item") or {}


async def test_exclusive_while_held_and_deleted_on_release(table, dynamo_settings) -> None:
    first = AccountBroker(dynamo_settings())
    async with first.lease("basic"):
        assert item(table)["holder"]["S"] == first.holder
        with pytest.raises(AccountError) as info:
            async with AccountBroker(dynamo_settings(wait_s=0.3)).lease("basic"):
                pytest.fail("two runs held the same account")
    assert re.fullmatch(
        rf"account 'basic' is leased by another run \(holder {re.escape(first.holder)}, "
        r"expires in 1[12]\d s\); waited 0\.3 s \(account_lease\.wait_s\)",
        str(info.value),
    ), str(info.value)
    assert item(table) == {}, "release deletes the item"
    async with AccountBroker(dynamo_settings()).lease("basic"):
        pass


async def test_released_on_exception_and_cancellation(table, dynamo_settings) -> None:
    with pytest.raises(RuntimeError):
        async with AccountBroker(dynamo_settings()).lease("basic"):
            raise RuntimeError("journey failed")
    assert item(table) == {}

    leased = asyncio.Event()

    async def journey() -> None:
        async with AccountBroker(dynamo_settings()).lease("basic"):
            leased.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(journey())
    await leased.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert item(table) == {}


async def test_a_crashed_holders_lease_expires_and_lets_a_new_holder_in(
    table, dynamo_settings
) -> None:
    # The crashed run took the lease and never released or renewed it.
    assert DynamoDbLeases(TABLE, "us-east-1").try_acquire(KEY, "crashed run", ttl_s=1) is None
    with pytest.raises(AccountError, match=r"\(holder crashed run, expires in [0-2] s\)"):
        async with AccountBroker(dynamo_settings(wait_s=0)).lease("basic"):
            pass
    waiter = AccountBroker(dynamo_settings(wait_s=5))
    async with waiter.lease("basic"):
        assert item(table)["holder"]["S"] == waiter.holder


async def test_a_held_lease_is_renewed_past_its_ttl(table, dynamo_settings) -> None:
    async with AccountBroker(dynamo_settings(ttl_s=1)).lease("basic"):
        await asyncio.sleep(2.5)
        assert float(item(table)["expires_at"]["N"]) >= time.time()
        with pytest.raises(AccountError, match="is leased by another run"):
            async with AccountBroker(dynamo_settings(wait_s=0)).lease("basic"):
                pass


async def test_a_release_never_ends_someone_elses_lease(table) -> None:
    leases = DynamoDbLeases(TABLE, "us-east-1")
    assert leases.try_acquire(KEY, "run a", ttl_s=60) is None
    leases.release(KEY, "run b")
    assert not leases.renew(KEY, "run b", ttl_s=60)
    assert item(table)["holder"]["S"] == "run a"


async def test_a_missing_table_says_how_to_create_it(moto_reset, dynamo_settings) -> None:
    with pytest.raises(AccountError) as info:
        async with AccountBroker(dynamo_settings()).lease("basic"):
            pass
    assert str(info.value) == (
        f"account lease table {TABLE} (us-east-1) does not exist; "
        "deploy deploy/lambda/leases.yaml (partition key lease_id, string)"
    )
