"""Datadog: every point a gauge in a v2 series, sent with `MetricsApi.submit_metrics`.

`datadog_api_client` is imported only when this reporter (or `smoke alerts`) is used. The client's
own retries are off: `SpoolingReporter` owns retrying, inside the run's deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prodsmoke.backends.datadog import api_client, describe
from prodsmoke.errors import SendError
from prodsmoke.reporters.metrics import Point, points

if TYPE_CHECKING:
    from datadog_api_client import ApiClient

    from prodsmoke.config.monitoring import DatadogSettings
    from prodsmoke.results import RunResult

__all__ = ["DatadogSender", "series", "translate", "unit"]

SERIES_PATH = "/api/v2/series"
GAUGE = 3  # MetricIntakeType.GAUGE
MAX_AGE_S = 3600 - 120  # the intake drops points more than an hour old
_UNITS = {"ms": "millisecond", "ratio": "fraction", "count": "occurrence", "bytes": "byte"}


def unit(point: Point) -> str:
    """The Datadog unit name for a point."""
    return "attempt" if point.name.endswith(".retries") else _UNITS[point.unit]


def series(run: RunResult, prefix: str, tags: dict[str, str]) -> dict[str, Any]:
    """The v2 `MetricPayload` for `run`, as JSON: one gauge series per point."""
    return {
        "series": [
            {
                "metric": p.name,
                "type": GAUGE,
                "points": [{"timestamp": int(p.timestamp), "value": p.value}],
                "tags": [f"{k}:{v}" for k, v in p.tags],
                "unit": unit(p),
            }
            for p in points(run, prefix, tags)
        ]
    }


def translate(exc: Exception, what: str) -> SendError:
    """A `datadog_api_client`/urllib3 error as a one-line `SendError` (no headers, no keys)."""
    failure = describe(exc, what)
    return SendError(failure.message, retry=failure.retry, keep=failure.keep)


@dataclass
class DatadogSender:
    """Sends a run's points to Datadog's v2 series intake."""

    settings: DatadogSettings
    api_key: str
    prefix: str
    tags: dict[str, str] = field(default_factory=dict)
    name: str = "datadog"
    max_age_s: float = MAX_AGE_S
    _client: ApiClient | None = field(default=None, init=False, repr=False)

    def payload(self, run: RunResult) -> dict[str, Any]:
        """The v2 series payload."""
        return series(run, self.prefix, self.tags)

    def send(self, payload: dict[str, Any], timeout_s: float) -> None:
        """One `submit_metrics` call, gzip-compressed."""
        import urllib3
        from datadog_api_client.exceptions import ApiException
        from datadog_api_client.v2.api.metrics_api import MetricsApi
        from datadog_api_client.v2.model.metric_content_encoding import MetricContentEncoding

        if self._client is None:
            self._client = api_client(self.settings, self.api_key)
        self._client.configuration.request_timeout = timeout_s
        try:
            MetricsApi(self._client).submit_metrics(
                body=_model(payload), content_encoding=MetricContentEncoding.GZIP
            )
        except (ApiException, urllib3.exceptions.HTTPError) as exc:
            raise translate(exc, f"POST {SERIES_PATH}") from None


def _model(payload: dict[str, Any]) -> Any:
    from datadog_api_client.v2.model.metric_intake_type import MetricIntakeType
    from datadog_api_client.v2.model.metric_payload import MetricPayload
    from datadog_api_client.v2.model.metric_point import MetricPoint
    from datadog_api_client.v2.model.metric_series import MetricSeries

    return MetricPayload(
        series=[
            MetricSeries(
                metric=s["metric"],
                type=MetricIntakeType(s["type"]),
                points=[
                    MetricPoint(timestamp=p["timestamp"], value=p["value"]) for p in s["points"]
                ],
                tags=list(s["tags"]),
                unit=s["unit"],
            )
            for s in payload["series"]
        ]
    )
