"""CloudWatch: read and write the alarms and dashboards prodsmoke manages (boto3).

One `CloudWatchAlerts` per environment. Alarms are found by name (`prodsmoke-<env>-…`, minus those
of another environment whose name extends this one's), dashboards by the environment's two names.
They are created in one region (`cloudwatch.region`, else the AWS default): alarms only see
metrics in their own region, so a multi-region deployment should publish to that region (`mode:
api`). Offline, the account id in ARNs is a placeholder and nothing is called.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prodsmoke.alerts import cloudwatch_alarms, dashboards
from prodsmoke.alerts.cloudwatch_alarms import alarms
from prodsmoke.alerts.plan import Change, Resource
from prodsmoke.backends.aws import one_line_errors
from prodsmoke.backends.names import alarm_prefix
from prodsmoke.errors import AlertsError

if TYPE_CHECKING:
    from collections.abc import Callable

    from prodsmoke.config.alert_rules import AlertRules
    from prodsmoke.config.monitoring import Monitoring

TAGS = [{"Key": "managed-by", "Value": "prodsmoke"}]
OFFLINE_ACCOUNT = "<account-id>"


@dataclass
class CloudWatchAlerts:
    """Alarms and dashboards in one account and region."""

    rules: AlertRules
    monitoring: Monitoring
    file: str
    region: str
    where_in_file: Callable[[str], str]
    others: tuple[str, ...] = ()  # the file's other environments
    offline: bool = False
    name: str = "cloudwatch"
    _clients: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _account: str | None = field(default=None, init=False, repr=False)

    @property
    def env(self) -> str:
        """The environment these alarms and dashboards are for."""
        return self.rules.env

    def where(self) -> str:
        """Which CloudWatch, for the plan's header."""
        return self.monitoring.cloudwatch.endpoint_url or f"region {self.region}"

    def notes(self) -> list[str]:
        """Rules whose window had to widen to the schedule, or that CloudWatch cannot watch."""
        return cloudwatch_alarms.notes(self.rules, self.monitoring)

    def details(self, resource: Resource) -> list[str]:
        """The key fields of one alarm or dashboard."""
        if resource.kind == "alarm":
            return cloudwatch_alarms.details(resource)
        return dashboards.details(resource)

    def desired(self) -> list[Resource]:
        """The alarms and dashboards the config asks for."""
        wanted = alarms(
            self.rules,
            self.monitoring,
            topic_arn=self._topic_arn,
            file=self.file,
            where=self.where_in_file,
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
                AlarmNamePrefix=alarm_prefix(self.rules.env), AlarmTypes=["MetricAlarm"]
            )
            items = [a for page in pages for a in page.get("MetricAlarms", [])]
        # `prodsmoke-prod-` also starts the alarms of an environment called `prod-eu`
        theirs = tuple(alarm_prefix(o) for o in self.others if o.startswith(f"{self.env}-"))
        for item in items:
            if theirs and item["AlarmName"].startswith(theirs):
                continue
            found.append(Resource("alarm", item["AlarmName"], item["AlarmName"], _normal(item)))
        for name in dashboards.names(self.env):
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
            import boto3
            from botocore.config import Config

            endpoint = self.monitoring.cloudwatch.endpoint_url if service == "cloudwatch" else None
            self._clients[service] = boto3.client(
                service,
                region_name=self.region,
                endpoint_url=endpoint,
                config=Config(connect_timeout=10, read_timeout=30, retries={"mode": "standard"}),
            )
        return self._clients[service]

    def _account_id(self) -> str:
        if self.offline:
            return OFFLINE_ACCOUNT
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


def _errors(doing: str) -> AbstractContextManager[None]:
    """A botocore error as one `AlertsError` line."""
    return one_line_errors(AlertsError, "cloudwatch", doing)
