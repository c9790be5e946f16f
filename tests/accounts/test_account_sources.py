"""Account passwords from config, AWS Secrets Manager and SSM Parameter Store (a local moto)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from prodsmoke import redact
from prodsmoke.accounts import Credentials, resolve_password
from prodsmoke.config.models import Settings
from prodsmoke.errors import AccountError

AWS_SECRET = "aws-held-password-Rk29w"
SSM_SECRET = "ssm-held-password-Lp48z"


def account(make: Callable[..., Settings], password: Any) -> tuple[Settings, str]:
    settings = make(premium={"username": "premium@example.com", "password": password})
    return settings, "premium"


def failure(settings: Settings, name: str, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(AccountError) as info:
        resolve_password(name, settings.accounts[name], environ)
    message = str(info.value)
    assert "\n" not in message
    assert AWS_SECRET not in message and SSM_SECRET not in message
    return message


def test_config_password_is_used_and_registered_and_never_shown(account_settings) -> None:
    settings = account_settings()
    credentials = resolve_password("basic", settings.accounts["basic"])
    assert credentials == Credentials("basic", "basic@example.com", "pw-in-config-Vq71x")
    assert "pw-in-config-Vq71x" not in repr(credentials)
    assert redact.redact("typed pw-in-config-Vq71x") == "typed [REDACTED]"


def test_too_short_a_password_is_refused_because_it_could_not_be_scrubbed(
    account_settings,
) -> None:
    settings, name = account(account_settings, "abc")
    assert failure(settings, name) == (
        "account 'premium': the password is shorter than 4 characters, "
        "too short to scrub from output; use a longer one"
    )


def test_secrets_manager_json_secret_and_key(account_settings, moto_reset) -> None:
    boto3.client("secretsmanager").create_secret(
        Name="prod/smoke/premium", SecretString=json.dumps({"user": "x", "password": AWS_SECRET})
    )
    settings, name = account(
        account_settings, {"aws_secret": "prod/smoke/premium", "key": "password"}
    )
    credentials = resolve_password(name, settings.accounts[name])
    assert credentials.password == AWS_SECRET
    assert AWS_SECRET in redact.secrets(), "resolved AWS values are scrubbed from output"


def test_secrets_manager_plain_string_secret_in_its_own_region(
    account_settings, moto_reset
) -> None:
    boto3.client("secretsmanager", region_name="eu-west-1").create_secret(
        Name="smoke/plain", SecretString=AWS_SECRET
    )
    settings, name = account(account_settings, {"aws_secret": "smoke/plain", "region": "eu-west-1"})
    assert resolve_password(name, settings.accounts[name]).password == AWS_SECRET
    here, _ = account(account_settings, {"aws_secret": "smoke/plain"})
    assert failure(here, name) == (
        "account 'premium': AWS secret smoke/plain: not found in us-east-1; "
        "check the name and region"
    )


def test_secrets_manager_missing_key_names_the_keys_not_the_values(
    account_settings, moto_reset
) -> None:
    boto3.client("secretsmanager").create_secret(
        Name="prod/smoke/premium", SecretString=json.dumps({"user": "x", "pass": AWS_SECRET})
    )
    settings, name = account(
        account_settings, {"aws_secret": "prod/smoke/premium", "key": "password"}
    )
    assert failure(settings, name) == (
        "account 'premium': AWS secret prod/smoke/premium has no key 'password' (keys: pass, user)"
    )


def test_secrets_manager_key_on_a_plain_secret(account_settings, moto_reset) -> None:
    boto3.client("secretsmanager").create_secret(Name="smoke/plain", SecretString=AWS_SECRET)
    settings, name = account(account_settings, {"aws_secret": "smoke/plain", "key": "password"})
    assert failure(settings, name) == (
        "account 'premium': AWS secret smoke/plain is not a JSON object, so it has no key "
        "'password'; drop key: to use the whole secret as the password"
    )


def test_secrets_manager_missing_secret(account_settings, moto_reset) -> None:
    settings, name = account(account_settings, {"aws_secret": "prod/smoke/nope", "key": "password"})
    assert failure(settings, name) == (
        "account 'premium': AWS secret prod/smoke/nope: not found in us-east-1; "
        "check the name and region"
    )


def test_ssm_secure_string(account_settings, moto_reset) -> None:
    boto3.client("ssm").put_parameter(
        Name="/smoke/premium/password", Value=SSM_SECRET, Type="SecureString"
    )
    settings, name = account(account_settings, {"ssm_parameter": "/smoke/premium/password"})
    assert resolve_password(name, settings.accounts[name]).password == SSM_SECRET
    assert SSM_SECRET in redact.secrets()


def test_ssm_missing_parameter(account_settings, moto_reset) -> None:
    settings, name = account(account_settings, {"ssm_parameter": "/smoke/nope"})
    assert failure(settings, name) == (
        "account 'premium': SSM parameter /smoke/nope: not found in us-east-1; "
        "check the name and region"
    )


def test_region_comes_from_aws_region_before_the_default(account_settings, moto_reset) -> None:
    boto3.client("ssm", region_name="us-west-2").put_parameter(
        Name="/smoke/west", Value=SSM_SECRET, Type="SecureString"
    )
    settings, name = account(account_settings, {"ssm_parameter": "/smoke/west"})
    environ = {"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "us-east-1"}
    assert resolve_password(name, settings.accounts[name], environ).password == SSM_SECRET


def test_no_region_anywhere_is_a_clear_error(account_settings) -> None:
    settings, name = account(account_settings, {"aws_secret": "prod/smoke/premium"})
    assert failure(settings, name, environ={}) == (
        "account 'premium': AWS secret prod/smoke/premium: no AWS region; "
        "add region: to the reference or set AWS_REGION"
    )
