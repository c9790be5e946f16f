"""Where a secret comes from: a `${VAR}` in the file, AWS Secrets Manager, or SSM Parameter Store.

A password, a TOTP secret and a passkey are each one of these (`SecretRef`); `${VAR}` values are
resolved when the file loads, the AWS ones when a run first needs the account
(`prodsmoke.accounts.sources`).
"""

from __future__ import annotations

from pydantic import Field, SecretStr

from prodsmoke.config.fields import StrictModel


class AwsSecretRef(StrictModel):
    """A secret in AWS Secrets Manager (JSON secret and key, or a plain string secret)."""

    aws_secret: str = Field(min_length=1, description="a secret name or ARN")
    key: str | None = None
    region: str | None = None


class SsmParameterRef(StrictModel):
    """A SecureString in SSM Parameter Store."""

    ssm_parameter: str = Field(min_length=1, description="a parameter name, e.g. /smoke/password")
    region: str | None = None


SecretRef = SecretStr | AwsSecretRef | SsmParameterRef
