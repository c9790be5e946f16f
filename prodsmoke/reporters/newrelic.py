"""New Relic: the Metric API over httpx (gauges, gzip, `Api-Key` header, US or EU endpoint)."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prodsmoke import redact
from prodsmoke.errors import SendError
from prodsmoke.reporters.metrics import points

if TYPE_CHECKING:
    from prodsmoke.config.monitoring import NewRelicSettings
    from prodsmoke.results import RunResult

ENDPOINTS = {
    "us": "https://metric-api.newrelic.com/metric/v1",
    "eu": "https://metric-api.eu.newrelic.com/metric/v1",
}
MAX_AGE_S = 47 * 3600  # the Metric API drops points older than 48 h


def metric_data(run: RunResult, prefix: str, tags: dict[str, str]) -> list[dict[str, Any]]:
    """The Metric API body for `run`: one data object, timestamp and static tags in `common`."""
    found = points(run, prefix)
    common: dict[str, Any] = {"timestamp": int(run.started_at.timestamp() * 1000)}
    if tags:
        common["attributes"] = dict(tags)
    metrics = [
        {"name": p.name, "type": "gauge", "value": p.value, "attributes": dict(p.tags)}
        for p in found
    ]
    return [{"common": common, "metrics": metrics}]


def endpoint(settings: NewRelicSettings) -> str:
    """The Metric API URL for the configured region (or the override)."""
    return settings.endpoint or ENDPOINTS[settings.region]


@dataclass
class NewRelicSender:
    """Sends a run's points to the New Relic Metric API."""

    settings: NewRelicSettings
    license_key: str
    prefix: str
    tags: dict[str, str] = field(default_factory=dict)
    name: str = "newrelic"
    max_age_s: float = MAX_AGE_S

    def payload(self, run: RunResult) -> list[dict[str, Any]]:
        """The Metric API body."""
        return metric_data(run, self.prefix, self.tags)

    def send(self, payload: list[dict[str, Any]], timeout_s: float) -> None:
        """One gzip-compressed POST; 202 means accepted."""
        import httpx

        url = endpoint(self.settings)
        body = gzip.compress(json.dumps(payload, separators=(",", ":")).encode())
        headers = {
            "Api-Key": self.license_key,
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        }
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=timeout_s)
        except httpx.TimeoutException:
            raise SendError(f"POST {url} timed out after {timeout_s:.1f} s") from None
        except httpx.HTTPError as exc:
            raise SendError(f"POST {url} failed: {type(exc).__name__}: {exc}") from None
        status = response.status_code
        if status in (200, 202):
            return
        detail = redact.redact(response.text[:160].replace("\n", " "))
        message = f"POST {url} answered HTTP {status}{f' ({detail})' if detail else ''}"
        if status in (401, 403):
            raise SendError(message + " (check NEW_RELIC_LICENSE_KEY)", retry=False)
        if status in (400, 413):
            raise SendError(message, retry=False, keep=False)
        raise SendError(message)
