"""`notifiers:` in monitoring-integration.yaml (SPEC §17): who hears of a check that starts
failing, and of its recovery.

    notifiers:
      - {kind: slack, webhook_url: "${SLACK_WEBHOOK_URL}"}
      - {kind: pagerduty, routing_key: "${PAGERDUTY_ROUTING_KEY}"}
      - {kind: webhook, url: "${ALERT_WEBHOOK_URL}", secret: "${ALERT_WEBHOOK_SECRET}"}

Every URL and key is a secret: `${VAR}` (resolved when the file is loaded) or an AWS reference
(`{aws_secret: NAME, key: K}`, `{ssm_parameter: NAME}`, read when a run starts). Each is
registered with the redactor and never printed; errors name the key, not the value. `name`
tells two notifiers of a kind apart (it names the spool folder and the error lines).
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from prodsmoke import redact
from prodsmoke.config.fields import StrictModel
from prodsmoke.config.secret_refs import AwsSecretRef, SecretRef, SsmParameterRef
from prodsmoke.errors import ConfigError

PAGERDUTY_EVENTS = "https://events.pagerduty.com/v2/enqueue"
PagerDutySeverity = Literal["critical", "error", "warning", "info"]
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
NotifierName = Annotated[
    str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$", description="a short name, e.g. slack-team")
]


KINDS = ("slack", "pagerduty", "webhook")
MIN_KEY = 16  # characters of a webhook's HMAC key
SECRET_KEYS = ("webhook_url", "routing_key", "url", "secret")
_TAG = re.compile(r"^(notifiers\[\d+\])\.(?:slack|pagerduty|webhook)\b")


def before_validation(file: str, raw: object) -> None:
    """What the model cannot say well: a missing or misspelt `kind`, per entry. Registers every
    secret value first, so that no error about them can show one."""
    if not isinstance(raw, list):
        return  # the model says what `notifiers` expects
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            continue
        for key in SECRET_KEYS:
            if isinstance(entry.get(key), str):
                redact.register_secret(entry[key])
        kind = entry.get("kind")
        if kind in KINDS:
            continue
        where = f"notifiers[{i}].kind"
        if kind is None:
            raise ConfigError(
                file, where, f"required key is missing; expected one of: {', '.join(KINDS)}"
            )
        close = difflib.get_close_matches(str(kind), KINDS, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(file, where, f"got {kind!r}, expected one of: {', '.join(KINDS)}{hint}")


def error_path(path: str) -> str:
    """pydantic names the union branch (`notifiers[0].slack.webhook_url`); the file does not."""
    return _TAG.sub(r"\1", path)


def _url_problem(url: str) -> str | None:
    """Why `url` cannot take notifications (https; http to a loopback host only), or None."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in _LOOPBACK:
        return None
    return "expected an https URL (http only to a loopback host)"


def _checked(value: SecretRef) -> SecretRef:
    if isinstance(value, SecretStr) and (problem := _url_problem(value.get_secret_value())):
        raise ValueError(problem)
    return value


SecretUrl = Annotated[
    SecretRef,
    Field(description="'${VAR}' holding an https URL, or {aws_secret: NAME, key: K}"),
]
SecretKey = Annotated[
    SecretRef, Field(description="'${VAR}', {aws_secret: NAME, key: K} or {ssm_parameter: NAME}")
]


class _Notifier(StrictModel):
    name: NotifierName | None = None

    @property
    def label(self) -> str:
        """How errors and the spool name it."""
        return self.name or str(getattr(self, "kind", "notifier"))


class SlackNotifier(_Notifier):
    """A Slack incoming webhook: Block Kit messages to the channel it was made for."""

    kind: Literal["slack"]
    webhook_url: SecretUrl

    _url = field_validator("webhook_url")(_checked)


class PagerDutyNotifier(_Notifier):
    """PagerDuty Events API v2: `trigger` with a dedup key per environment and check, `resolve`
    on recovery. `severity` is used when no alert rule gives one."""

    kind: Literal["pagerduty"]
    routing_key: SecretKey
    severity: PagerDutySeverity = "critical"
    events_url: str = Field(
        PAGERDUTY_EVENTS,
        description="the Events API URL, e.g. https://events.eu.pagerduty.com/v2/enqueue",
    )

    @field_validator("events_url")
    @classmethod
    def _events_url(cls, value: str) -> str:
        if problem := _url_problem(value):
            raise ValueError(f"{problem}, e.g. {PAGERDUTY_EVENTS}")
        return value


class WebhookNotifier(_Notifier):
    """A JSON POST to any URL, signed: `X-Prodsmoke-Signature: sha256=<hex HMAC-SHA256 of the
    body, keyed with secret>`."""

    kind: Literal["webhook"]
    url: SecretUrl
    secret: SecretKey

    _url = field_validator("url")(_checked)

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: SecretRef) -> SecretRef:
        if isinstance(value, SecretStr) and len(value.get_secret_value()) < MIN_KEY:
            raise ValueError(f"expected an HMAC key of at least {MIN_KEY} characters")
        return value


Notifier = Annotated[
    SlackNotifier | PagerDutyNotifier | WebhookNotifier,
    Field(discriminator="kind"),
]


def secret_values(notifier: SlackNotifier | PagerDutyNotifier | WebhookNotifier) -> list[str]:
    """The notifier's `${VAR}` secrets, to register with the redactor."""
    if isinstance(notifier, SlackNotifier):
        refs: list[SecretRef] = [notifier.webhook_url]
    elif isinstance(notifier, PagerDutyNotifier):
        refs = [notifier.routing_key]
    else:
        refs = [notifier.url, notifier.secret]
    return [r.get_secret_value() for r in refs if isinstance(r, SecretStr)]


__all__ = [
    "KINDS",
    "AwsSecretRef",
    "Notifier",
    "PagerDutyNotifier",
    "SlackNotifier",
    "SsmParameterRef",
    "WebhookNotifier",
    "secret_values",
]
