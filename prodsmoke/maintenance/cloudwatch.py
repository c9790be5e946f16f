"""CloudWatch alarm actions for one environment: off for a window, back on after it.

The alarms are the ones `smoke alerts apply` creates (`prodsmoke-<env>-<rule>…`). Only alarms
whose actions were on are switched off, and their names are kept with the window, so restoring
never turns on actions someone had switched off on purpose. boto3 is imported only here.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from prodsmoke.backends.aws import one_line_errors
from prodsmoke.backends.names import alarm_prefix
from prodsmoke.errors import MaintenanceError

BATCH = 100  # DisableAlarmActions / EnableAlarmActions take at most 100 names


@dataclass
class CloudWatchAlarms:
    """The alarms of one account and region."""

    region: str
    endpoint_url: str | None = None
    _client: Any = None

    def disable(self, env: str) -> list[str]:
        """Switch off the actions of `env`'s alarms that have them on; their names."""
        names: list[str] = []
        prefix = alarm_prefix(env)
        with _errors(f"list the alarms {prefix}*"):
            pages = (
                self.client()
                .get_paginator("describe_alarms")
                .paginate(AlarmNamePrefix=prefix, AlarmTypes=["MetricAlarm"])
            )
            for page in pages:
                names += [a["AlarmName"] for a in page["MetricAlarms"] if a["ActionsEnabled"]]
        for i in range(0, len(names), BATCH):
            with _errors(f"disable the actions of {len(names)} alarms"):
                self.client().disable_alarm_actions(AlarmNames=names[i : i + BATCH])
        return names

    def enable(self, names: list[str]) -> None:
        """Switch the actions of `names` back on."""
        for i in range(0, len(names), BATCH):
            with _errors(f"enable the actions of {len(names)} alarms"):
                self.client().enable_alarm_actions(AlarmNames=names[i : i + BATCH])

    def client(self) -> Any:
        """A boto3 CloudWatch client with timeouts that fit a run."""
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.client(
                "cloudwatch",
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                config=Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 2}),
            )
        return self._client


def _errors(doing: str) -> AbstractContextManager[None]:
    """A botocore error as one `MaintenanceError` line."""
    return one_line_errors(MaintenanceError, "cloudwatch", doing)
