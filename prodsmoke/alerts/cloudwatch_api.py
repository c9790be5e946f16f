"""CloudWatch: read and write the alarms and dashboards prodsmoke manages (boto3).

Alarms are found by name (`prodsmoke-<env>-…`), dashboards by their two fixed names. They are
created in one region (`cloudwatch.region`, else the AWS default): alarms only see metrics in their
own region, so a multi-region deployment should publish to that region (`mode: api`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prodsmoke.alerts import dashboards
from prodsmoke.alerts.cloudwatch_alarms import PREFIX, alarms, widened
from prodsmoke.alerts.datadog_api import AlertsError
from prodsmoke.alerts.plan import Change, Resource

if TYPE_CHECKING:
    from pathlib import Path

    from prodsmoke.config.alert_rules import AlertRules
    from prodsmoke.config.monitoring import Monitoring

TAGS = [{"Key": "managed-by", "Value": "prodsmoke"}]


@dataclass
class CloudWatchAlerts:
    """Alarms and dashboards in one account and region."""

    rules: AlertRules
    monitoring: Monitoring
    config_dir: Path
    region: str
    name: str = "cloudwatch"
    _clients: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _account: str | None = field(default=None, init=False, repr=False)

    def where(self) -> str:
        """Which CloudWatch, for the plan's header."""
        return self.monitoring.cloudwatch.endpoint_url or f"region {self.region}"

    def notes(self) -> list[str]:
        """Rules whose window had to widen to the schedule."""
        return widened(self.rules)

    def desired(self) -> list[Resource]:
        """The alarms and dashboards the config asks for."""
        wanted = alarms(
            self.rules, self.monitoring, topic_arn=self._topic_arn, config_dir=self.config_dir
        )
        arns = [self._alarm_arn(a.key) for a in wanted]
        boards = dashboards.cloudwatch(
            self.rules, self.monitoring, region=self.region, alarm_arns=arns
        )
        return wanted + boards

    def current(self) -> list[Resource]:
        """What prodsmoke manages in CloudWatch now."""
        cloudwatch = self._client("cloudwatch")
        found = []
        with _errors("list alarms"):
            pages = cloudwatch.get_paginator("describe_alarms").paginate(
                AlarmNamePrefix=f"{PREFIX}-{self.rules.env}-", AlarmTypes=["MetricAlarm"]
            )
            items = [a for page in pages for a in page.get("MetricAlarms", [])]
        for item in items:
            found.append(Resource("alarm", item["AlarmName"], item["AlarmName"], _normal(item)))
        for name in dashboards.NAMES:
            with _errors(f"read dashboard {name!r}"):
                listed = cloudwatch.list_dashboards(DashboardNamePrefix=name)["DashboardEntries"]
                if not any(d["DashboardName"] == name for d in listed):
                    continue
                body = json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])
            found.append(Resource("dashboard", name, name, body))
        return found

    def apply(self, changes: list[Change]) -> None:
        """Put, update and delete, in the order given."""
        cloudwatch = self._client("cloudwatch")
        for change in changes:
            resource = change.resource
            with _errors(f"{change.action} {resource.kind} {resource.name!r}"):
                if resource.kind == "alarm":
                    if change.action == "remove":
                        cloudwatch.delete_alarms(AlarmNames=[resource.key])
                    else:
                        tags = {"Tags": TAGS} if change.action == "create" else {}
                        cloudwatch.put_metric_alarm(**resource.body, **tags)
                elif change.action == "remove":
                    cloudwatch.delete_dashboards(DashboardNames=[resource.key])
                else:
                    body = dashboards.cloudwatch_body(resource)
                    cloudwatch.put_dashboard(DashboardName=resource.key, DashboardBody=body)

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            import boto3  # type: ignore[import-untyped]
            from botocore.config import Config  # type: ignore[import-untyped]

            endpoint = self.monitoring.cloudwatch.endpoint_url if service == "cloudwatch" else None
            self._clients[service] = boto3.client(
                service,
                region_name=self.region,
                endpoint_url=endpoint,
                config=Config(connect_timeout=10, read_timeout=30, retries={"mode": "standard"}),
            )
        return self._clients[service]

    def _account_id(self) -> str:
        if self._account is None:
            with _errors("find the AWS account (sts get-caller-identity)"):
                self._account = str(self._client("sts").get_caller_identity()["Account"])
        return str(self._account)

    def _topic_arn(self, topic: str) -> str:
        if topic.startswith("arn:"):
            return topic
        return f"arn:aws:sns:{self.region}:{self._account_id()}:{topic}"

    def _alarm_arn(self, name: str) -> str:
        return f"arn:aws:cloudwatch:{self.region}:{self._account_id()}:alarm:{name}"


def _normal(alarm: Mapping[str, Any]) -> dict[str, Any]:
    """An alarm as described, with lists in the order we write them."""
    body = dict(alarm)
    for key in ("AlarmActions", "OKActions"):
        body[key] = sorted(body.get(key, []))
    body["Dimensions"] = sorted(body.get("Dimensions", []), key=lambda d: d["Name"])
    return body


@contextmanager
def _errors(doing: str) -> Iterator[None]:
    """Turn a botocore error into one `AlertsError` line."""
    from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        message = f"{error.get('Code', 'Error')}: {error.get('Message', '')}"
        raise AlertsError(f"cloudwatch: cannot {doing}: {message}") from exc
    except BotoCoreError as exc:
        raise AlertsError(f"cloudwatch: cannot {doing}: {exc}") from exc
