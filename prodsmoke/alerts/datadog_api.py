"""Datadog: read and write the monitors and dashboards prodsmoke manages (datadog-api-client v1).

One `DatadogAlerts` per environment. Monitors are found by the `managed-by:prodsmoke` and
`env:<env>` tags, dashboards by the "Managed by prodsmoke" note in their description and either
this environment's titles or its "Environment: <env>." note; nothing else in the account is read
or touched. `desired()` needs no keys, so an offline plan can show it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prodsmoke.alerts import dashboards, datadog_monitors
from prodsmoke.alerts.datadog_monitors import RULE_TAG, monitors
from prodsmoke.alerts.plan import Change, Resource
from prodsmoke.backends.names import MANAGED_TAG
from prodsmoke.errors import AlertsError

if TYPE_CHECKING:
    from datadog_api_client import ApiClient

    from prodsmoke.config.alert_rules import AlertRules
    from prodsmoke.config.monitoring import Monitoring


@dataclass
class DatadogAlerts:
    """Monitors and dashboards in one Datadog organisation."""

    rules: AlertRules
    monitoring: Monitoring
    api_key: str
    app_key: str
    name: str = "datadog"
    _client: ApiClient | None = field(default=None, init=False, repr=False)

    @property
    def env(self) -> str:
        """The environment these monitors and dashboards are for."""
        return self.rules.env

    def where(self) -> str:
        """Which Datadog, for the plan's header."""
        dd = self.monitoring.datadog
        return dd.host or f"site {dd.site}"

    def details(self, resource: Resource) -> list[str]:
        """The key fields of one monitor or dashboard."""
        if resource.kind == "monitor":
            return datadog_monitors.details(resource)
        return dashboards.details(resource)

    def notes(self) -> list[str]:
        """Nothing to warn about: Datadog evaluates windows as configured."""
        return []

    def desired(self) -> list[Resource]:
        """The monitors and dashboards the config asks for."""
        return monitors(self.rules, self.monitoring) + dashboards.datadog(
            self.rules, self.monitoring
        )

    def current(self) -> list[Resource]:
        """What prodsmoke manages in Datadog now."""
        from datadog_api_client.v1.api.dashboards_api import DashboardsApi
        from datadog_api_client.v1.api.monitors_api import MonitorsApi

        found = []
        with _errors("list monitors"):
            api = MonitorsApi(self.client())
            listed = api.list_monitors(monitor_tags=MANAGED_TAG)
        for item in listed:
            body = item.to_dict()
            body["tags"] = sorted(body.get("tags", []))
            if f"env:{self.env}" not in body["tags"]:
                continue  # another environment's
            key = next(
                (t.split(":", 1)[1] for t in body["tags"] if t.startswith(RULE_TAG + ":")), None
            )
            if key:
                found.append(Resource("monitor", key, body["name"], body, str(body["id"])))
        boards = DashboardsApi(self.client())
        with _errors("list dashboards"):
            summaries = boards.list_dashboards().to_dict().get("dashboards", [])
        mine = dashboards.names(self.env)
        for summary in summaries:
            about = summary.get("description") or ""
            if "Managed by prodsmoke" not in about:
                continue
            if summary["title"] not in mine and dashboards.env_marker(self.env) not in about:
                continue  # another environment's
            with _errors(f"read dashboard {summary['title']!r}"):
                body = boards.get_dashboard(summary["id"]).to_dict()
            found.append(Resource("dashboard", body["title"], body["title"], body, summary["id"]))
        return found

    def apply(self, changes: list[Change]) -> None:
        """Create, update and remove, in the order given."""
        from datadog_api_client.model_utils import validate_and_convert_types
        from datadog_api_client.v1.api.dashboards_api import DashboardsApi
        from datadog_api_client.v1.api.monitors_api import MonitorsApi
        from datadog_api_client.v1.model.dashboard import Dashboard
        from datadog_api_client.v1.model.monitor import Monitor
        from datadog_api_client.v1.model.monitor_update_request import MonitorUpdateRequest

        client = self.client()
        monitors_api = MonitorsApi(client)
        dashboards_api = DashboardsApi(client)

        def model(body: Any, kind: type) -> Any:
            return validate_and_convert_types(
                dict(body), (kind,), ["body"], True, True, client.configuration
            )

        for change in changes:
            resource, existing = change.resource, change.current
            with _errors(f"{change.action} {resource.kind} {resource.name!r}"):
                if resource.kind == "monitor":
                    if change.action == "create":
                        monitors_api.create_monitor(body=model(resource.body, Monitor))
                    elif change.action == "update" and existing:
                        body = model(resource.body, MonitorUpdateRequest)
                        monitors_api.update_monitor(int(existing.provider_id or 0), body=body)
                    elif change.action == "remove":
                        monitors_api.delete_monitor(int(resource.provider_id or 0))
                elif change.action == "create":
                    dashboards_api.create_dashboard(body=model(resource.body, Dashboard))
                elif change.action == "update" and existing:
                    body = model(resource.body, Dashboard)
                    dashboards_api.update_dashboard(str(existing.provider_id), body=body)
                elif change.action == "remove":
                    dashboards_api.delete_dashboard(str(resource.provider_id))

    def client(self) -> ApiClient:
        """The API client (API and application keys)."""
        from prodsmoke.backends.datadog import api_client

        if self._client is None:
            self._client = api_client(self.monitoring.datadog, self.api_key, self.app_key)
            self._client.configuration.request_timeout = 30
        return self._client


@contextmanager
def _errors(doing: str) -> Iterator[None]:
    """Turn a datadog-api-client or urllib3 error into one `AlertsError` line."""
    import urllib3
    from datadog_api_client.exceptions import ApiException, ApiTypeError, ApiValueError

    from prodsmoke.backends.datadog import describe

    try:
        yield
    except (ApiException, urllib3.exceptions.HTTPError) as exc:
        raise AlertsError(f"datadog: cannot {doing}: {describe(exc, 'the API').message}") from exc
    except (ApiTypeError, ApiValueError) as exc:
        raise AlertsError(f"datadog: cannot {doing}: {exc}") from exc
