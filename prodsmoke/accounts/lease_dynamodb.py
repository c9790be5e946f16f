"""Leases as DynamoDB items, shared by runs anywhere (GitHub Actions, Lambda in three regions).

A lease is taken by a conditional PutItem that succeeds only when no item exists or the existing
one has expired, so a crashed holder's lease lapses after `ttl_s`. Renewal and release are
conditional on still being the holder, so a run that lost its lease never ends someone else's.

Table: deploy/lambda/leases.yaml (partition key `lease_id`, string; TTL on `expires_at` sweeps
old items); correctness never relies on TTL (its deletion lags by hours). Expiry compares wall
clocks across hosts, which NTP keeps within well under a second of each other.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from typing import Any

from prodsmoke.accounts import aws
from prodsmoke.accounts.lease_backend import Busy
from prodsmoke.backends.aws import region as aws_region
from prodsmoke.errors import AccountError

KEY = "lease_id"
EXPIRES = "expires_at"


class DynamoDbLeases:
    """One item per lease key in `table`."""

    expires = True

    def __init__(self, table: str, region: str | None = None) -> None:
        self.table = table
        self.region = region
        self._client: Any = None
        self._lock = threading.Lock()

    def try_acquire(self, key: str, holder: str, ttl_s: float) -> Busy | None:
        """Put our item unless a live one exists; then say whose it is."""
        now = time.time()
        item = {
            KEY: {"S": key},
            "holder": {"S": holder},
            "acquired_at": {"N": f"{now:.3f}"},
            EXPIRES: {"N": str(math.ceil(now + ttl_s))},
        }
        try:
            self._call(
                "put_item",
                TableName=self.table,
                Item=item,
                ConditionExpression=f"attribute_not_exists({KEY}) OR {EXPIRES} < :now",
                ExpressionAttributeValues={":now": {"N": str(math.floor(now))}},
            )
        except _ConditionFailed:
            return self._holder_of(key)
        return None

    def renew(self, key: str, holder: str, ttl_s: float) -> bool:
        """Push our item's expiry out by `ttl_s`, if it is still ours."""
        try:
            self._call(
                "update_item",
                TableName=self.table,
                Key={KEY: {"S": key}},
                UpdateExpression=f"SET {EXPIRES} = :expires",
                ConditionExpression="holder = :me",
                ExpressionAttributeValues={
                    ":expires": {"N": str(math.ceil(time.time() + ttl_s))},
                    ":me": {"S": holder},
                },
            )
        except _ConditionFailed:
            return False
        return True

    def release(self, key: str, holder: str) -> None:
        """Delete our item, if it is still ours."""
        # Condition failed: it expired and someone else holds it now; theirs to release.
        with contextlib.suppress(_ConditionFailed):
            self._call(
                "delete_item",
                TableName=self.table,
                Key={KEY: {"S": key}},
                ConditionExpression="holder = :me",
                ExpressionAttributeValues={":me": {"S": holder}},
            )

    def _holder_of(self, key: str) -> Busy:
        answer = self._call(
            "get_item", TableName=self.table, Key={KEY: {"S": key}}, ConsistentRead=True
        )
        item = answer.get("Item")
        if not item:
            return Busy("unknown (just released)")
        expires = float(item.get(EXPIRES, {}).get("N", "0"))
        return Busy(item.get("holder", {}).get("S", "unknown"), expires_in_s=expires - time.time())

    def _call(self, operation: str, **params: Any) -> Any:
        client = self._boto()
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(client, operation)(**params)
        except ClientError as exc:
            code = aws.error_code(exc)
            if code == "ConditionalCheckFailedException":
                raise _ConditionFailed from exc
            raise AccountError(self._explain(code)) from exc
        except BotoCoreError as exc:
            raise AccountError(f"account lease table {self.table}: {exc}") from exc

    def _boto(self) -> Any:
        with self._lock:  # calls come from several threads; build the client once
            if self._client is None:
                self._client = _client(self.table, self.region)
            return self._client

    def _explain(self, code: str) -> str:
        where = f"account lease table {self.table} ({self.region or 'default region'})"
        if code == "ResourceNotFoundException":
            return (
                f"{where} does not exist; deploy deploy/lambda/leases.yaml "
                f"(partition key {KEY}, string)"
            )
        if code in ("AccessDeniedException", "AccessDenied"):
            return f"{where}: access denied; the run's role needs Get/Put/Update/DeleteItem on it"
        return f"{where}: AWS answered {code or 'an error'}"


class _ConditionFailed(Exception):
    """The conditional write did not apply (someone else holds the lease)."""


def _client(table: str, explicit: str | None) -> Any:
    region = aws_region(explicit)
    if not region:
        raise AccountError(
            f"account lease table {table}: no AWS region; set account_lease.region or AWS_REGION"
        )
    return aws.client("dynamodb", region, where=f"account lease table {table}")
