"""The schema of `config/environments/<env>.yaml`, as frozen pydantic models (SPEC §5).

Every model forbids unknown keys, so a typo is an error naming the key, not a silent default.
Field descriptions double as the "expected form" in configuration errors.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)

from prodsmoke.config import kinds
from prodsmoke.config.accounts import AccountSession, Totp, validate_passkey
from prodsmoke.config.conditions import Condition, ConditionSyntaxError
from prodsmoke.config.fields import CheckId, Path, Seconds, StrictModel
from prodsmoke.config.journeys import JourneySpec
from prodsmoke.config.secret_refs import SecretRef


def _parse_condition(value: object) -> Condition:
    if isinstance(value, Condition):
        return value
    if not isinstance(value, str):
        raise ValueError("expected a condition string, e.g. '[STATUS] == 200'")
    try:
        return Condition.parse(value)
    except ConditionSyntaxError as exc:
        raise ValueError(str(exc)) from exc


ConditionField = Annotated[Condition, PlainValidator(_parse_condition)]


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


# A method that writes, in any case in the YAML (post, POST).
WriteMethod = Annotated[Literal["POST", "PUT", "PATCH", "DELETE"], BeforeValidator(_upper)]


class Retry(StrictModel):
    """How a failed check is retried (exponential backoff with jitter, inside the deadline)."""

    attempts: int = Field(3, ge=1, le=10, description="a whole number of attempts, 1-10")
    initial_delay_s: float = Field(0.5, ge=0, le=60, description="seconds before the 2nd attempt")
    multiplier: float = Field(2.0, ge=1, le=10, description="a backoff factor, 1-10")
    max_delay_s: float = Field(4.0, ge=0, le=300, description="the longest wait, in seconds")


class AllowedWrite(StrictModel):
    """One reviewed exception to the GET-only rule."""

    method: WriteMethod
    path: str = Field(pattern=r"^/", description="a path starting with /, e.g. /api/v1/enhance")
    reason: str = Field(min_length=3, description="why this write is safe, for reviewers")


class RateBudget(StrictModel):
    """The run's request budget, far under the product's own limits."""

    share_of_limit: float = Field(
        0.10, gt=0, le=1, description="a share of the advertised limit, 0-1"
    )
    max_requests_per_minute: int = Field(120, ge=1, le=100_000, description="a whole number >= 1")


class SyntheticMarker(StrictModel):
    """How synthetic traffic is marked so the product can exclude it from analytics."""

    header: str = Field("X-Smoke-Test", pattern=r"^[A-Za-z0-9-]+$", description="a header name")
    user_agent_suffix: str = Field("prodsmoke", min_length=1, description="text appended to the UA")


class Safety(StrictModel):
    """The production-safe guard's policy (SPEC §6)."""

    allowed_hosts: tuple[str, ...] = Field((), description="host names, e.g. [app.example.com]")
    allowed_writes: tuple[AllowedWrite, ...] = ()
    allowed_websockets: tuple[str, ...] = Field((), description="URL globs of allowed WebSockets")
    rate_budget: RateBudget = RateBudget()
    synthetic_marker: SyntheticMarker = SyntheticMarker()


class HttpCheck(StrictModel):
    """A health or API check: one GET and its conditions."""

    id: CheckId
    url: Path
    method: Literal["GET", "HEAD"] = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    conditions: tuple[ConditionField, ...] = Field(min_length=1)
    timeout_s: Seconds = 10.0
    enabled: bool = True
    max_body_bytes: int | None = Field(
        None,
        ge=1024,
        le=1 << 30,
        description="this check's own body limit in bytes (default: max_body_bytes of the file)",
    )


_JOURNEY_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")


def _placeholders(value: object) -> set[str]:
    if isinstance(value, str):
        return set(_PLACEHOLDER.findall(value))
    if isinstance(value, dict):
        return set().union(*map(_placeholders, value.values()), set())
    if isinstance(value, list):
        return set().union(*map(_placeholders, value), set())
    return set()


class UnlockStep(StrictModel):
    """A request that clears an account's lockout; it must be listed in allowed_writes."""

    method: WriteMethod = "POST"
    url: Path
    # `json` is the YAML key; the field cannot be called that (it shadows BaseModel.json).
    body: dict[str, Any] | None = Field(
        None, alias="json", description="a JSON body, e.g. {account: '{username}'}"
    )

    @model_validator(mode="after")
    def _known_placeholders(self) -> UnlockStep:
        unknown = _placeholders(self.url) | _placeholders(self.body)
        unknown.discard("username")
        if unknown:
            raise ValueError(
                f"unknown placeholder {{{sorted(unknown)[0]}}}; the only one is {{username}}"
            )
        return self


class Account(StrictModel):
    """A dedicated smoke-test account."""

    username: str = Field(min_length=1, description="the account's login name or email")
    password: SecretRef = Field(
        description="'${VAR}', {aws_secret: NAME, key: K} or {ssm_parameter: NAME}"
    )
    locked_text: str | None = Field(
        None, min_length=3, description="page text that means the account is locked"
    )
    unlock: UnlockStep | None = None
    # Issue 21 (SPEC §16): a second factor, and one sign-in per run shared by its journeys.
    totp: Totp | None = None
    passkey: Annotated[SecretRef, AfterValidator(validate_passkey)] | None = Field(
        None,
        description="'${VAR}', {aws_secret: NAME} or {ssm_parameter: NAME} holding the passkey's "
        "JSON (smoke accounts passkey)",
    )
    session: AccountSession | None = None

    @model_validator(mode="after")
    def _totp_for_refs(self) -> Account:
        if self.session is not None and self.totp is None and self.session.uses("totp"):
            raise ValueError(
                "session steps use ${account.totp} but the account has no totp: {secret: …}"
            )
        return self


class AccountLease(StrictModel):
    """How concurrent runs share accounts: one exclusive lease per account while it is in use."""

    backend: Literal["file", "dynamodb"] = "file"
    folder: str | None = Field(None, min_length=1, description="a folder for the lock files")
    table: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_.-]{3,255}$", description="a DynamoDB table name"
    )
    region: str | None = Field(None, min_length=1, description="an AWS region, e.g. us-east-1")
    ttl_s: float = Field(
        120.0, ge=1, le=3600, description="seconds a lease lives unrenewed, 1-3600"
    )
    wait_s: float = Field(10.0, ge=0, le=600, description="seconds to wait for a leased account")

    @model_validator(mode="after")
    def _table_for_dynamodb(self) -> AccountLease:
        if self.backend == "dynamodb" and not self.table:
            raise ValueError("backend dynamodb needs table: NAME, e.g. table: prodsmoke-leases")
        return self


class Thresholds(StrictModel):
    """How timings turn into `warn`."""

    warn_ratio: float = Field(0.8, gt=0, le=1, description="a ratio 0-1, e.g. 0.8")


class Browser(StrictModel):
    """Which Chromium to run (see prodsmoke.e2e.browser for the search order)."""

    executable_path: str | None = Field(None, description="a path to a Chromium executable")
    args: tuple[str, ...] = ()


class HttpCredentials(StrictModel):
    """HTTP basic auth in front of the whole target (staging sites often sit behind it)."""

    username: str = Field(min_length=1, description="the basic-auth user name")
    password: SecretStr = Field(
        description="'${VAR}': the basic-auth password, from the environment"
    )


MIB = 1 << 20


# Journeys in flight at once by default: 3, widened while the CPUs wait (`e2e.slots`).
# bench/RESULTS.md (issue 24, second pass): on a remote-like target 8 finished N = 30 in 0.75 of
# the time 3 took; on loopback 3, 4 and 6 are within noise, and peak memory grows with each one
# more.
JOURNEYS_AT_ONCE: Literal["auto"] = "auto"


class Settings(StrictModel):
    """One environment's validated configuration."""

    # Its schema (every journey kind's) is built on first use, not by every import of this module.
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True
    )

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$", description="an environment name")
    base_url: str = Field(description="an http(s) URL, e.g. https://app.example.com")
    deadline_s: float = Field(30.0, ge=5, le=900, description="seconds for the whole run, 5-900")
    retry: Retry = Retry()
    safety: Safety = Safety()
    health_checks: tuple[HttpCheck, ...] = ()
    api_checks: tuple[HttpCheck, ...] = ()
    journeys: Annotated[dict[str, JourneySpec], kinds.AnyKind()] = Field(default_factory=dict)
    journey_paths: tuple[str, ...] | None = Field(
        None,
        description="files or folders of Python journeys, relative to the folder holding config/",
    )
    journey_markers: str | None = Field(
        None,
        min_length=1,
        description="a pytest -m expression: only the tests it selects are journeys, "
        "e.g. 'smoke and not slow'",
    )
    _file: str = PrivateAttr("environment file")

    @property
    def file(self) -> str:
        """The environment file these settings came from (for configuration errors)."""
        return self._file

    def loaded_from(self, file: str) -> Settings:
        """These settings, remembering the file they came from."""
        self._file = file
        return self

    accounts: dict[str, Account] = Field(default_factory=dict)
    account_lease: AccountLease = AccountLease()
    thresholds: Thresholds = Thresholds()
    browser: Browser = Browser()
    # Issue 9: basic auth as a secret, never in base_url; bounded reads; pruned run folders.
    http_credentials: HttpCredentials | None = None
    max_body_bytes: int = Field(
        MIB,
        ge=1024,
        le=1 << 30,
        description="the most bytes of a response body a check reads, 1024-1073741824",
    )
    keep_runs: int = Field(
        20, ge=1, le=10_000, description="run folders kept under <output>/artifacts, 1-10000"
    )
    journeys_at_once: Annotated[int, Field(ge=1, le=16)] | Literal["auto"] = Field(
        JOURNEYS_AT_ONCE,
        description="browser journeys in flight at once (each its own context): 1-16, or "
        "auto (3, up to 7 while the CPUs wait for the site)",
    )

    @model_validator(mode="before")
    @classmethod
    def _journey_kinds(cls, data: object) -> object:
        if isinstance(data, dict) and "journeys" in data:
            return {**data, "journeys": kinds.with_kinds(data["journeys"])}
        return data

    @field_validator("journeys")
    @classmethod
    def _journey_ids(cls, value: dict[str, JourneySpec]) -> dict[str, JourneySpec]:
        for key in value:
            if not _JOURNEY_ID.fullmatch(key):
                raise ValueError(
                    f"journey id {key!r} is not lower_snake_case (a letter, then a-z, 0-9, _; "
                    "at most 64 characters; e.g. pricing_plans)"
                )
        return value

    @field_validator("base_url")
    @classmethod
    def _absolute_http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("expected an http(s) URL, e.g. https://app.example.com")
        if parts.username is not None or parts.password is not None:
            raise ValueError(
                "a user name or password in base_url would be shown and stored with every "
                'result; set http_credentials: {username: NAME, password: "${VAR}"} instead'
            )
        return value.rstrip("/")

    @property
    def host(self) -> str:
        """The target's own host name."""
        return urlsplit(self.base_url).hostname or ""

    @property
    def http_checks(self) -> tuple[HttpCheck, ...]:
        """Health checks then API checks, in config order."""
        return self.health_checks + self.api_checks
