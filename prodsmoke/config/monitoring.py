"""`monitoring-integration.yaml`: where results go (SPEC §5, §7), its schema and loader.

The file is optional: without it a run keeps its local history and writes the GitHub job summary,
nothing more. Errors are the same one-line `ConfigError`s as the environment files' (file, key
path, bad value, expected form, "did you mean"); `read_mapping` serves alert-rules.yaml too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from prodsmoke import redact
from prodsmoke.config import notifiers
from prodsmoke.config.fields import StrictModel
from prodsmoke.config.interpolate import MissingVariable, resolve
from prodsmoke.config.loader import read_yaml, validation_error
from prodsmoke.config.notifiers import Notifier, secret_values
from prodsmoke.errors import ConfigError

MONITORING_FILE = "monitoring-integration.yaml"
DEFAULT_HISTORY_URL = "sqlite:///history.sqlite"
# The metric names under `metric_prefix` (SPEC §7; `failures` is 1 - success, for "N in M" rules).
METRICS = (
    "duration",
    "success",
    "failures",
    "homepage_load",
    "api_response",
    "check.duration",
    "retries",
)
RUN_METRICS = frozenset({"duration", "success", "failures"})
_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _seconds(value: object) -> object:
    if isinstance(value, str):
        match = _DURATION.match(value.strip())
        if not match:
            raise ValueError("expected a duration like 90s, 5m, 1h or 7d")
        return int(match.group(1)) * _UNIT_S[match.group(2)]
    return value


Duration = Annotated[
    int, BeforeValidator(_seconds), Field(gt=0, description="a duration like 90s, 5m, 1h or 7d")
]
Name = Annotated[
    str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="a lower_snake_case name")
]
ReporterName = Literal[
    "history", "github_summary", "github_checks", "datadog", "newrelic", "cloudwatch"
]
Dimension = Literal["env", "region", "check", "status", "failure_class", "step", "page"]


def parse_duration(text: str) -> int:
    """`5m` -> `300`; ValueError naming the expected form otherwise."""
    value = _seconds(text)
    if not isinstance(value, int) or value <= 0:
        raise ValueError("expected a duration like 90s, 5m, 1h or 7d")
    return value


def format_duration(seconds: int) -> str:
    """`300` -> `5m`, the form Datadog queries and people read."""
    for suffix, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{suffix}"
    return f"{seconds}s"


# ---------------------------------------------------------------- monitoring-integration.yaml


class Delivery(StrictModel):
    """How a remote reporter retries before it spools its payload for the next run."""

    attempts: int = Field(3, ge=1, le=10, description="a whole number of attempts, 1-10")
    initial_delay_s: float = Field(0.25, ge=0, le=30, description="seconds before the 2nd try")
    multiplier: float = Field(2.0, ge=1, le=10, description="a backoff factor, 1-10")
    max_delay_s: float = Field(2.0, ge=0, le=60, description="the longest wait, in seconds")
    timeout_s: float = Field(5.0, gt=0, le=60, description="seconds for one request")
    keep_back_s: float = Field(0.5, ge=0, le=30, description="seconds of the deadline kept back")
    spool_max_files: int = Field(500, ge=1, le=100_000, description="a whole number >= 1")


class HistorySettings(StrictModel):
    """The run history `smoke report` and `smoke gate` read (SPEC §12).

    `url` is a SQLAlchemy URL: `sqlite:///history.sqlite` (relative paths are inside --output) or
    `postgresql://user:${PASSWORD}@host:5432/db`; `$PRODSMOKE_HISTORY_URL` overrides it. `path` is
    the deprecated form of a SQLite `url`.
    """

    url: str | None = Field(
        None,
        pattern=r"^(sqlite|postgresql)(\+[a-z0-9]+)?://",
        description="a URL like sqlite:///history.sqlite or postgresql://user:pw@host:5432/db",
    )
    path: str | None = Field(
        None, min_length=1, description="a file path (deprecated: use url: sqlite:///PATH)"
    )
    retention_days: int = Field(90, ge=1, le=3650, description="whole days to keep, 1-3650")
    connect_timeout_s: float = Field(3.0, gt=0, le=60, description="seconds to connect, 0-60")
    statement_timeout_s: float = Field(
        5.0, gt=0, le=300, description="seconds for one statement, 0-300"
    )

    @model_validator(mode="after")
    def _one_location(self) -> HistorySettings:
        if self.url is not None and self.path is not None:
            raise ValueError("expected url or path (deprecated), not both")
        return self

    @property
    def location(self) -> str:
        """The configured URL (`path` turned into a SQLite URL); the default when neither."""
        if self.url is not None:
            return self.url
        return f"sqlite:///{self.path}" if self.path is not None else DEFAULT_HISTORY_URL


class DatadogSettings(StrictModel):
    """Datadog metrics intake (and, for `smoke alerts`, monitors and dashboards)."""

    site: str = Field("datadoghq.com", description="a Datadog site, e.g. datadoghq.eu")
    host: str | None = Field(None, pattern=r"^https?://", description="a URL overriding site")
    api_key: SecretStr | None = Field(None, description="'${DD_API_KEY}' (the default)")
    app_key: SecretStr | None = Field(None, description="'${DD_APP_KEY}' (the default)")


class NewRelicSettings(StrictModel):
    """New Relic Metric API."""

    region: Literal["us", "eu"] = "us"
    endpoint: str | None = Field(None, pattern=r"^https?://", description="a URL overriding region")
    license_key: SecretStr | None = Field(None, description="'${NEW_RELIC_LICENSE_KEY}'")


class CloudWatchSettings(StrictModel):
    """CloudWatch metrics: `put_metric_data`, or Embedded Metric Format lines inside Lambda."""

    namespace: str = Field("Prodsmoke", pattern=r"^[^:]{1,255}$", description="a namespace")
    mode: Literal["auto", "api", "emf"] = "auto"
    region: str | None = Field(None, description="an AWS region, e.g. us-east-1")
    endpoint_url: str | None = Field(None, pattern=r"^https?://", description="a URL")
    # Alarms match one exact set of dimensions, so each datum is published under several sets
    # (a set applies to a datum that has all its dimensions); `scope` is always added.
    dimension_sets: tuple[tuple[Dimension, ...], ...] = (
        ("env",),
        ("env", "region"),
        ("env", "check"),
        ("env", "region", "check"),
    )


class Monitoring(StrictModel):
    """Where results go beyond results.json, junit.xml and the console."""

    reporters: tuple[ReporterName, ...] = ("history", "github_summary", "github_checks")
    metric_prefix: str = Field(
        "smoke_test", pattern=r"^[A-Za-z][A-Za-z0-9_.]{0,63}$", description="e.g. smoke_test"
    )
    tags: dict[str, str] = Field(default_factory=dict, description="low-cardinality tags")
    delivery: Delivery = Delivery()
    history: HistorySettings = HistorySettings()
    datadog: DatadogSettings = DatadogSettings()
    newrelic: NewRelicSettings = NewRelicSettings()
    cloudwatch: CloudWatchSettings = CloudWatchSettings()
    # SPEC §17: who hears of a check that starts failing or recovers, and where the report is
    notifiers: tuple[Notifier, ...] = ()
    report_url: str | None = Field(
        None,
        pattern=r"^https?://",
        description="where `smoke report`'s page is published, e.g. https://smoke.example.com/",
    )

    @field_validator("notifiers")
    @classmethod
    def _named_apart(cls, value: tuple[Notifier, ...]) -> tuple[Notifier, ...]:
        labels = [n.label for n in value]
        twice = sorted({label for label in labels if labels.count(label) > 1})
        if twice:
            raise ValueError(
                f"two notifiers are called {twice[0]!r}; give each of a kind its own name:, "
                "e.g. name: slack-oncall"
            )
        return value

    def metric(self, suffix: str) -> str:
        """The full metric name, e.g. `smoke_test.success`."""
        return f"{self.metric_prefix}.{suffix}"


# ------------------------------------------------------------------------------------- loading

_M = TypeVar("_M", bound=BaseModel)


def load_monitoring(
    config_dir: Path, *, environ: Mapping[str, str] | None = None, notifiers: bool = True
) -> Monitoring:
    """`monitoring-integration.yaml` (defaults when absent); its keys registered as secrets.

    `notifiers=False`: a command that sends no notification (`gate`, `report`, `history`,
    `alerts`) neither reads nor needs the notifiers' `${VAR}`s — a deploy pipeline's gate step
    is not given the Slack webhook."""
    skip = () if notifiers else ("notifiers",)
    monitoring = _load(config_dir / MONITORING_FILE, Monitoring, environ, skip=skip)
    for key in (
        monitoring.datadog.api_key,
        monitoring.datadog.app_key,
        monitoring.newrelic.license_key,
    ):
        if key is not None:
            redact.register_secret(key.get_secret_value())
    password = urlsplit(monitoring.history.location).password
    if password:
        redact.register_secret(password)
    for notifier in monitoring.notifiers:
        for secret in secret_values(notifier):
            redact.register_secret(secret)
    return monitoring


def read_mapping(
    file: Path, environ: Mapping[str, str] | None, *, skip: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A config file's top-level mapping (empty for an empty file), `${VAR}` resolved
    (`os.environ` when `environ` is None), the top-level keys in `skip` left out; a
    `ConfigError` for anything else or the first missing variable."""
    raw: Any = read_yaml(file)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(str(file), "", "expected a mapping of keys at the top level")
    for key in skip:
        raw.pop(key, None)
    missing: list[MissingVariable] = []
    raw = resolve(raw, os.environ if environ is None else environ, missing)
    if missing:
        raise ConfigError(str(file), missing[0].path, missing[0].problem)
    return dict(raw)


def _load(
    file: Path, model: type[_M], environ: Mapping[str, str] | None, *, skip: tuple[str, ...] = ()
) -> _M:
    if not file.is_file():
        return model()
    raw = read_mapping(file, environ, skip=skip)
    notifiers.before_validation(str(file), raw.get("notifiers"))
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        error = validation_error(str(file), exc, model)
        # a notifier's secret is never shown (it was registered before validation)
        problem = redact.redact(error.problem)
        raise ConfigError(error.file, notifiers.error_path(error.path), problem) from None
