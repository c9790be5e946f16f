"""A small client for the uptime providers' REST APIs (httpx): bearer token, form bodies, errors.

Every failure becomes one `AlertsError` line here, the one boundary with the provider:
401/403 -> "token rejected" (and which variable holds it), 400/422 -> the fields the provider
named, 404 -> "not found", 429 -> wait `Retry-After` (seconds or an HTTP date; at most
`max_wait_s` each time, `max_retries` times) and try again, 5xx and network errors -> retried
the same way, then reported. The token is registered with the redactor: it never reaches output.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from prodsmoke import redact
from prodsmoke.alerts.plan import Resource
from prodsmoke.errors import AlertsError

if TYPE_CHECKING:
    from prodsmoke.alerts.plan import Change
    from prodsmoke.alerts.uptime import UptimeCheck
    from prodsmoke.config.alert_rules import AlertRules

Form = Mapping[str, str | Sequence[str]]
RETRIED = frozenset({429, 500, 502, 503, 504})


@dataclass
class ApiClient:
    """One provider's API: `call()` sends a request and answers its JSON (None when empty)."""

    provider: str
    base_url: str
    token: str
    token_env: str
    field_errors: Callable[[Any], list[str]]  # the provider's error body -> "field: problem"
    transport: httpx.BaseTransport | None = None
    max_retries: int = 3
    max_wait_s: float = 30.0
    timeout_s: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    _client: httpx.Client | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        redact.register_secret(self.token)

    def call(
        self,
        method: str,
        path: str,
        doing: str,
        *,
        params: Mapping[str, str] | None = None,
        form: Form | None = None,
    ) -> Any:
        """Send one request (retrying 429 and 5xx); its JSON answer, or an `AlertsError`."""
        response = None
        retries = 0
        while True:
            try:
                response = self.client().request(method, path, params=params, data=form)
            except httpx.HTTPError as exc:
                if retries == self.max_retries:
                    raise self._error(
                        doing, f"{type(exc).__name__} talking to {self.base_url}"
                    ) from exc
                self.sleep(min(2.0**retries, self.max_wait_s))
                retries += 1
                continue
            if response.status_code not in RETRIED or retries == self.max_retries:
                break
            wait = _retry_after(response)
            if wait is None:
                wait = min(2.0**retries, self.max_wait_s)
            elif wait > self.max_wait_s:
                break  # longer than we are willing to wait: report it
            self.sleep(wait)
            retries += 1
        if response.is_success:
            return response.json() if response.content else None
        raise self._error(doing, self._problem(response, retries))

    def _problem(self, response: httpx.Response, retries: int) -> str:
        status = response.status_code
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if status in (401, 403):
            return f"token rejected (HTTP {status}); check {self.token_env}"
        if status in (400, 422):
            fields = self.field_errors(body)
            return f"refused (HTTP {status}): {'; '.join(fields) or 'no reason given'}"
        if status == 404:
            return "not found (HTTP 404)"
        if status == 429:
            wait = _retry_after(response)
            if wait is not None and wait > self.max_wait_s:
                return (
                    f"rate limited (HTTP 429): it asks to wait {wait:g} s, longer than "
                    f"{self.max_wait_s:g} s; try again later"
                )
            return f"rate limited (HTTP 429) after {retries} retries; try again later"
        fields = self.field_errors(body)
        detail = f" ({'; '.join(fields)})" if fields else ""
        return f"the API answered HTTP {status}{detail}"

    def _error(self, doing: str, problem: str) -> AlertsError:
        line = f"{self.provider}: cannot {doing}: {problem}".replace("\n", " ")
        return AlertsError(redact.redact(line))

    def client(self) -> httpx.Client:
        """The HTTP client, with the bearer token."""
        if self._client is None:
            self._client = httpx.Client(
                base_url=self.base_url.rstrip("/"),
                headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
                timeout=self.timeout_s,
                transport=self.transport,
            )
        return self._client


def _retry_after(response: httpx.Response) -> float | None:
    """`Retry-After` in seconds (delta-seconds or an HTTP date), None when absent or unreadable."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


@dataclass
class UptimeProvider:
    """What every uptime provider's view of one environment holds: its rules, the checks it
    should have there, where in alert-rules.yaml they come from, and one API client."""

    token_env: ClassVar[str]  # the variable the token comes from, e.g. PINGDOM_API_TOKEN
    path: ClassVar[str]  # where its checks are, e.g. /checks
    noun: ClassVar[str]  # what the provider calls one, for messages: "check"

    rules: AlertRules
    checks: list[UptimeCheck]
    file: str
    where_in_file: Callable[[str], str]
    token: str = ""
    api_url: str = ""
    transport: httpx.BaseTransport | None = None
    name: str = ""
    removal_needs_prune: bool = True
    _api: ApiClient | None = field(default=None, init=False, repr=False)

    @property
    def env(self) -> str:
        """The environment these checks are for."""
        return self.rules.env

    def where(self) -> str:
        """Which provider endpoint, for the plan's header."""
        return self.api_url

    @staticmethod
    def field_errors(body: Any) -> list[str]:
        """The provider's error body as "field: problem" lines."""
        return []

    def notes(self) -> list[str]:
        """What these checks leave out."""
        return [
            f"{self.name}: {c.check_id}: sent without the health check's headers"
            for c in self.checks
            if c.headers
        ]

    def desired(self) -> list[Resource]:
        """One uptime check per configured health check."""
        return [Resource("uptime", c.name, c.name, self.body(c)) for c in self.checks]

    def body(self, check: UptimeCheck) -> dict[str, Any]:
        """Our view of the provider's check for `check` (what `current` reads back)."""
        raise NotImplementedError

    def create_form(self, body: Mapping[str, Any]) -> Form:
        """The form fields that create a check from our view of it."""
        raise NotImplementedError

    def update_form(self, body: Mapping[str, Any]) -> Form:
        """The form fields that update a check to our view of it."""
        return self.create_form(body)

    def apply(self, changes: list[Change]) -> None:
        """Create, update and (with --prune) remove, in the order given."""
        api = self.api()
        for change in changes:
            resource = change.resource
            doing = f"{change.action} {self.noun} {resource.name!r}"
            if change.action == "create":
                api.call("POST", self.path, doing, form=self.create_form(resource.body))
            elif change.action == "update" and change.current:
                path = f"{self.path}/{change.current.provider_id}"
                api.call("PUT", path, doing, form=self.update_form(resource.body))
            elif change.action == "remove":
                api.call("DELETE", f"{self.path}/{resource.provider_id}", doing)

    def api(self) -> ApiClient:
        """The API client (made once)."""
        if self._api is None:
            self._api = ApiClient(
                self.name, self.api_url, self.token, self.token_env, self.field_errors,
                self.transport,
            )  # fmt: skip
        return self._api
