"""Where an account's secrets come from (its password, TOTP secret, passkey): config (`${VAR}`),
Secrets Manager or SSM.

`${VAR}` values were resolved when the config was loaded. AWS references are read here, with
boto3 imported only when one is configured. The endpoint comes from boto3's own handling of
`AWS_ENDPOINT_URL`; the region from the reference, else `AWS_REGION`, else `AWS_DEFAULT_REGION`.
These calls block: async callers run them in a thread.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from prodsmoke.accounts import aws
from prodsmoke.backends.aws import region
from prodsmoke.config.secret_refs import AwsSecretRef, SsmParameterRef
from prodsmoke.errors import AccountError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from prodsmoke.config.models import Account
    from prodsmoke.config.secret_refs import SecretRef


def describe_source(ref: SecretRef) -> str:
    """Where a password reference points, in words; never the value."""
    if isinstance(ref, AwsSecretRef):
        key = f" (key {ref.key})" if ref.key else ""
        return f"AWS Secrets Manager {ref.aws_secret}{key}"
    if isinstance(ref, SsmParameterRef):
        return f"SSM parameter {ref.ssm_parameter}"
    return "config"


def fetch_password(name: str, account: Account, environ: Mapping[str, str] | None = None) -> str:
    """The account's password, read from wherever its reference points (may block)."""
    return fetch_secret(account.password, f"account {name!r}", environ)


def fetch_secret(
    ref: SecretRef, owner: str, environ: Mapping[str, str] | None = None, *, what: str = "password"
) -> str:
    """Any secret reference's value (`what`: an account's password, TOTP secret or passkey, a
    notifier's key), read from wherever `ref` points (may block); `owner` starts the error line."""
    if isinstance(ref, SecretStr):
        return ref.get_secret_value()
    environ = os.environ if environ is None else environ
    if isinstance(ref, AwsSecretRef):
        return _secrets_manager(owner, ref, environ, what)
    return _ssm(owner, ref, environ, what)


def _secrets_manager(owner: str, ref: AwsSecretRef, environ: Mapping[str, str], what: str) -> str:
    where = f"{owner}: {_what(what)}AWS secret {ref.aws_secret}"
    region = _region(where, ref.region, environ)
    answer = _call(where, "secretsmanager", region, "get_secret_value", SecretId=ref.aws_secret)
    text = answer.get("SecretString")
    if text is None and answer.get("SecretBinary") is not None:
        text = bytes(answer["SecretBinary"]).decode("utf-8", "replace")
    if not text:
        raise AccountError(f"{where} is empty in {region}; store the {what} in it")
    if ref.key is None:
        return str(text)
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise AccountError(
            f"{where} is not a JSON object, so it has no key {ref.key!r}; "
            f"drop key: to use the whole secret as the {what}"
        )
    if ref.key not in document:
        keys = ", ".join(sorted(map(str, document))) or "none"
        raise AccountError(f"{where} has no key {ref.key!r} (keys: {keys})")
    value = document[ref.key]
    if not isinstance(value, str) or not value:
        raise AccountError(f"{where}: key {ref.key!r} is not a non-empty string")
    return value


def _ssm(owner: str, ref: SsmParameterRef, environ: Mapping[str, str], what: str) -> str:
    where = f"{owner}: {_what(what)}SSM parameter {ref.ssm_parameter}"
    region = _region(where, ref.region, environ)
    answer = _call(
        where, "ssm", region, "get_parameter", Name=ref.ssm_parameter, WithDecryption=True
    )
    value = answer.get("Parameter", {}).get("Value")
    if not isinstance(value, str) or not value:
        raise AccountError(f"{where} is empty in {region}; store the {what} in it")
    return value


def _what(what: str) -> str:
    """'' for the password (as errors always said), else e.g. 'the TOTP secret in '."""
    return "" if what == "password" else f"the {what} in "


def _region(where: str, explicit: str | None, environ: Mapping[str, str]) -> str:
    found = region(explicit, environ)
    if not found:
        raise AccountError(
            f"{where}: no AWS region; add region: to the reference or set AWS_REGION"
        )
    return found


def _call(where: str, service: str, region: str, operation: str, **params: Any) -> Any:
    """One AWS API call; botocore's errors become a one-line `AccountError`."""
    client = aws.client(service, region, where=where)
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return getattr(client, operation)(**params)
    except ClientError as exc:
        raise AccountError(f"{where}: {_explain(aws.error_code(exc), region)}") from exc
    except BotoCoreError as exc:
        raise AccountError(f"{where}: cannot read it in {region}: {exc}") from exc


def _explain(code: str, region: str) -> str:
    if code in ("ResourceNotFoundException", "ParameterNotFound"):
        return f"not found in {region}; check the name and region"
    if code in ("AccessDeniedException", "AccessDenied"):
        return f"access denied in {region}; the run's role needs read access to it (and its key)"
    if code in ("UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException"):
        return f"the AWS credentials were refused ({code}); refresh them"
    return f"AWS answered {code or 'an error'} in {region}"
