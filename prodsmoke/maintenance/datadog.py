"""A Datadog downtime (v2 Downtimes API) over the monitors prodsmoke manages for one environment.

The downtime picks monitors by their tags (`managed-by:prodsmoke` and `env:<env>`, as
`smoke alerts apply` sets them), over every group (`scope: *`), and ends on its own at the
window's end; `cancel` ends it early. `datadog_api_client` is imported only when used.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prodsmoke import redact
from prodsmoke.backends.datadog import api_client
from prodsmoke.backends.names import MANAGED_TAG
from prodsmoke.errors import MaintenanceError

if TYPE_CHECKING:
    from datetime import datetime

    from datadog_api_client import ApiClient

    from prodsmoke.config.monitoring import DatadogSettings

TIMEOUT_S = 15


@dataclass
class DatadogDowntimes:
    """Downtimes in one Datadog organisation."""

    settings: DatadogSettings
    api_key: str
    app_key: str
    _client: ApiClient | None = None

    def create(self, env: str, *, start: datetime, end: datetime, reason: str) -> str:
        """Silence `env`'s prodsmoke monitors from `start` to `end`; the downtime's id."""
        from datadog_api_client.v2.api.downtimes_api import DowntimesApi
        from datadog_api_client.v2.model.downtime_create_request import DowntimeCreateRequest
        from datadog_api_client.v2.model.downtime_create_request_attributes import (
            DowntimeCreateRequestAttributes,
        )
        from datadog_api_client.v2.model.downtime_create_request_data import (
            DowntimeCreateRequestData,
        )
        from datadog_api_client.v2.model.downtime_monitor_identifier_tags import (
            DowntimeMonitorIdentifierTags,
        )
        from datadog_api_client.v2.model.downtime_resource_type import DowntimeResourceType
        from datadog_api_client.v2.model.downtime_schedule_one_time_create_update_request import (
            DowntimeScheduleOneTimeCreateUpdateRequest,
        )

        body = DowntimeCreateRequest(
            data=DowntimeCreateRequestData(
                type=DowntimeResourceType.DOWNTIME,
                attributes=DowntimeCreateRequestAttributes(
                    scope="*",
                    monitor_identifier=DowntimeMonitorIdentifierTags(
                        monitor_tags=[MANAGED_TAG, f"env:{env}"]
                    ),
                    schedule=DowntimeScheduleOneTimeCreateUpdateRequest(start=start, end=end),
                    message=f"prodsmoke maintenance window ({env}): {reason}",
                    display_timezone="UTC",
                    mute_first_recovery_notification=True,
                ),
            )
        )
        with _errors("create a downtime"):
            answer = DowntimesApi(self.client()).create_downtime(body)
        return str(answer.data.id)

    def cancel(self, downtime_id: str) -> None:
        """End a downtime now (one already over or gone is fine)."""
        from datadog_api_client.exceptions import NotFoundException
        from datadog_api_client.v2.api.downtimes_api import DowntimesApi

        try:
            with _errors(f"cancel downtime {downtime_id}"):
                api = DowntimesApi(self.client())
                api.cancel_downtime(downtime_id)
        except MaintenanceError as exc:
            if isinstance(exc.__cause__, NotFoundException):
                return
            raise

    def client(self) -> ApiClient:
        """The API client (API and application keys), with one client retry."""
        if self._client is None:
            self._client = api_client(self.settings, self.api_key, self.app_key, retries=1)
            self._client.configuration.request_timeout = TIMEOUT_S
        return self._client


@contextmanager
def _errors(doing: str) -> Iterator[None]:
    """Turn a datadog-api-client or urllib3 error into one `MaintenanceError` line."""
    import urllib3
    from datadog_api_client.exceptions import ApiException, ApiTypeError, ApiValueError

    try:
        yield
    except ApiException as exc:
        status = int(exc.status or 0)
        detail = f"HTTP {status}" if status else f"could not connect ({exc.reason})"
        if status in (401, 403):
            detail += " (check DD_API_KEY and DD_APP_KEY)"
        raise MaintenanceError(redact.redact(f"datadog: cannot {doing}: {detail}")) from exc
    except (urllib3.exceptions.HTTPError, ApiTypeError, ApiValueError) as exc:
        why = str(exc).split("): ", 1)[-1][:160]
        raise MaintenanceError(redact.redact(f"datadog: cannot {doing}: {why}")) from exc
