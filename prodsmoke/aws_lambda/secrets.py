"""Secrets a run needs as environment variables, read from Secrets Manager or SSM per invocation.

`SMOKE_SECRETS` on the function maps variables to where their values live, comma-separated:

    SMOKE_TEST_PASSWORD=prod/smoke/basic#password,DD_API_KEY=ssm:/prodsmoke/datadog/api-key

`NAME#key` reads one key of a JSON secret; `ssm:NAME` reads an SSM (SecureString) parameter.
They are read on every invocation, so a rotated password is used from the next run on, and are
set only for the run (then restored), each registered with the redactor first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from prodsmoke import redact
from prodsmoke.errors import ConfigError, SuiteError

SOURCE = "$SMOKE_SECRETS"


@dataclass(frozen=True, slots=True)
class SecretSpec:
    """One environment variable and where its value comes from."""

    variable: str
    source: str  # "secretsmanager" | "ssm"
    name: str
    key: str | None = None


def parse(text: str) -> list[SecretSpec]:
    """`VAR=ref,VAR=ssm:ref` into specs; a malformed entry is a one-line `ConfigError`."""
    specs: list[SecretSpec] = []
    for i, entry in enumerate(e.strip() for e in text.split(",")):
        if not entry:
            continue
        variable, sep, ref = entry.partition("=")
        if not sep or not variable.isidentifier() or not ref:
            raise ConfigError(
                SOURCE,
                f"[{i}]",
                f"got {entry!r}, expected VAR=SECRET[#key] or VAR=ssm:PARAMETER, "
                "e.g. SMOKE_TEST_PASSWORD=prod/smoke/basic#password",
            )
        if ref.startswith("ssm:"):
            specs.append(SecretSpec(variable, "ssm", ref.removeprefix("ssm:")))
        else:
            name, _, key = ref.partition("#")
            specs.append(SecretSpec(variable, "secretsmanager", name, key or None))
    return specs


def fetch(specs: list[SecretSpec], region: str) -> dict[str, str]:
    """Each spec's value (boto3, imported only when there is something to read)."""
    if not specs:
        return {}
    from botocore.exceptions import BotoCoreError, ClientError

    from prodsmoke.aws_lambda.aws import client

    clients = {"secretsmanager": client("secretsmanager", region), "ssm": client("ssm", region)}
    values: dict[str, str] = {}
    for spec in specs:
        try:
            if spec.source == "ssm":
                answer = clients["ssm"].get_parameter(Name=spec.name, WithDecryption=True)
                value = str(answer["Parameter"]["Value"])
            else:
                answer = clients["secretsmanager"].get_secret_value(SecretId=spec.name)
                value = str(answer.get("SecretString") or "")
                if spec.key is not None:
                    value = str(json.loads(value)[spec.key])
        except (BotoCoreError, ClientError, ValueError, KeyError, TypeError) as exc:
            reason = (
                type(exc).__name__
                if not isinstance(exc, ClientError)
                else exc.response.get("Error", {}).get("Code", "ClientError")
            )
            raise SuiteError(
                f"cannot read {spec.source} {spec.name!r} for ${spec.variable}: {reason}; "
                "check the name, the key, and the function role's read permission on it"
            ) from exc
        redact.register_secret(value)
        values[spec.variable] = value
    return values


def _code(exc: Exception) -> str:
    """The AWS error code of a botocore `ClientError`, else the exception's type name."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__


@contextmanager
def exported(values: Mapping[str, str]) -> Iterator[None]:
    """Set `values` in the process environment for the duration; restore what was there."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
