"""Silencing an environment's alerting for a window, and giving it back, at each provider.

A provider takes part when it is configured the way `smoke alerts` needs it: Datadog with an API
and an application key (`DD_API_KEY`, `DD_APP_KEY`), CloudWatch with a region and credentials.
`silence` returns what it silenced (kept with the window); `restore` undoes exactly that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prodsmoke.backends.aws import has_credentials, region
from prodsmoke.backends.datadog import keys
from prodsmoke.errors import MaintenanceError

if TYPE_CHECKING:
    from datetime import datetime

    from prodsmoke.config.monitoring import Monitoring
    from prodsmoke.maintenance.cloudwatch import CloudWatchAlarms
    from prodsmoke.maintenance.datadog import DatadogDowntimes


@dataclass
class Providers:
    """The alerting providers configured here."""

    datadog: DatadogDowntimes | None = None
    cloudwatch: CloudWatchAlarms | None = None
    notes: list[str] = field(default_factory=list)

    @classmethod
    def configured(cls, monitoring: Monitoring, environ: Mapping[str, str]) -> Providers:
        """Datadog when both keys are set; CloudWatch with a region and credentials."""
        providers = cls()
        api_key, app_key = keys(monitoring.datadog, environ)
        if api_key and app_key:
            from prodsmoke.maintenance.datadog import DatadogDowntimes

            providers.datadog = DatadogDowntimes(monitoring.datadog, api_key, app_key)
        elif api_key:
            providers.notes.append("datadog: DD_APP_KEY is not set, so no downtime is managed")
        cw = monitoring.cloudwatch
        found = region(cw.region, environ)
        if found and (cw.region or has_credentials(environ)):
            from prodsmoke.maintenance.cloudwatch import CloudWatchAlarms

            providers.cloudwatch = CloudWatchAlarms(found, cw.endpoint_url)
        return providers

    @property
    def names(self) -> list[str]:
        """The providers that take part."""
        return [n for n in ("datadog", "cloudwatch") if getattr(self, n) is not None]

    def silence(
        self, env: str, *, start: datetime, end: datetime, reason: str
    ) -> tuple[dict[str, Any], list[str]]:
        """Silence `env` at every provider; (what was silenced, one line per failure)."""
        silenced: dict[str, Any] = {}
        problems: list[str] = []
        if self.datadog is not None:
            try:
                downtime = self.datadog.create(env, start=start, end=end, reason=reason)
                silenced["datadog"] = {"downtime_id": downtime}
            except MaintenanceError as exc:
                problems.append(str(exc))
        if self.cloudwatch is not None:
            try:
                alarms = self.cloudwatch.disable(env)
                silenced["cloudwatch"] = {"region": self.cloudwatch.region, "alarms": alarms}
            except MaintenanceError as exc:
                problems.append(str(exc))
        return silenced, problems

    def can_restore(self, silenced: Mapping[str, Any]) -> bool:
        """Whether every provider in `silenced` is configured here."""
        return all(getattr(self, name, None) is not None for name in silenced)

    def restore(self, silenced: Mapping[str, Any]) -> list[str]:
        """Undo `silenced`; one line per provider that could not be restored."""
        problems: list[str] = []
        downtime = silenced.get("datadog", {}).get("downtime_id")
        if downtime and self.datadog is not None:
            try:
                self.datadog.cancel(str(downtime))
            except MaintenanceError as exc:
                problems.append(str(exc))
        alarms = silenced.get("cloudwatch", {}).get("alarms") or []
        if alarms and self.cloudwatch is not None:
            try:
                self.cloudwatch.enable(list(alarms))
            except MaintenanceError as exc:
                problems.append(str(exc))
        return problems
