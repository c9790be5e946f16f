"""Where AWS credentials may come from, for deciding whether an AWS-backed part can run."""

from __future__ import annotations

from collections.abc import Mapping

AWS_CREDENTIALS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)


def has_credentials(environ: Mapping[str, str]) -> bool:
    """True when the environment names AWS credentials of some kind."""
    return any(environ.get(name) for name in AWS_CREDENTIALS)
