"""Datadog's API client as prodsmoke uses it: its keys (configured, else from the environment),
built for the configured site or host, no client retries unless asked (the caller owns retrying),
and its errors worded in one line without keys or headers. `datadog_api_client` is imported only
when this is called."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prodsmoke import redact

if TYPE_CHECKING:
    from datadog_api_client import ApiClient

    from prodsmoke.config.monitoring import DatadogSettings


@dataclass(frozen=True, slots=True)
class Failure:
    """A Datadog call that did not work: what to say, and whether trying again may help."""

    message: str
    retry: bool = True  # a later attempt may succeed
    keep: bool = True  # the payload is worth keeping for the next run


def keys(settings: DatadogSettings, environ: Mapping[str, str]) -> tuple[str, str]:
    """The API and application keys: the configured ones, else `$DD_API_KEY` / `$DD_APP_KEY`
    ("" when neither is set); each key found is registered as a secret."""
    api_key = (settings.api_key.get_secret_value() if settings.api_key else "") or environ.get(
        "DD_API_KEY", ""
    )
    app_key = (settings.app_key.get_secret_value() if settings.app_key else "") or environ.get(
        "DD_APP_KEY", ""
    )
    for key in (api_key, app_key):
        if key:
            redact.register_secret(key)
    return api_key, app_key


def api_client(
    settings: DatadogSettings, api_key: str, app_key: str | None = None, *, retries: int = 0
) -> ApiClient:
    """A `datadog_api_client.ApiClient` for the configured site or host, with `retries` client
    retries (none by default)."""
    import urllib3
    from datadog_api_client import ApiClient, Configuration

    auth = {"apiKeyAuth": api_key} | ({"appKeyAuth": app_key} if app_key else {})
    if settings.host:
        configuration = Configuration(host=settings.host.rstrip("/"), api_key=auth)
    else:
        configuration = Configuration(api_key=auth, server_variables={"site": settings.site})
    configuration.retry_policy = urllib3.Retry(retries, redirect=0, raise_on_status=False)
    return ApiClient(configuration)


def describe(exc: Exception, what: str) -> Failure:
    """A `datadog_api_client`/urllib3 error in one line (no headers, no keys)."""
    from datadog_api_client.exceptions import ApiException

    if isinstance(exc, ApiException):
        status = int(exc.status or 0)
        if status == 0:
            return Failure(f"{what} could not connect: {exc.reason}")
        detail = _first_error(exc.body)
        message = f"{what} answered HTTP {status}{f' ({detail})' if detail else ''}"
        if status in (401, 403):
            return Failure(message + " (check DD_API_KEY / DD_APP_KEY)", retry=False)
        if status in (400, 413, 422):
            return Failure(message, retry=False, keep=False)
        return Failure(message)
    # urllib3 names the pool first ("HTTPConnectionPool(host=…, port=…): Read timed out.")
    reason = getattr(exc, "reason", None) or exc
    return Failure(f"{what} failed: {str(reason).split('): ', 1)[-1][:160]}")


def _first_error(body: Any) -> str:
    if isinstance(body, dict) and body.get("errors"):
        return redact.redact(str(body["errors"][0]))[:160]
    return ""
