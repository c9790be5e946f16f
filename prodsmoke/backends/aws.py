"""AWS as prodsmoke's parts use it: which region, where credentials may come from (can an
AWS-backed part run?), and a botocore error worded in one line."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

AWS_CREDENTIALS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)


def region(explicit: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """`explicit` (the configured region), else `AWS_REGION` (Lambda, GitHub's AWS action),
    else `AWS_DEFAULT_REGION`; None when none is set."""
    environ = os.environ if environ is None else environ
    return explicit or environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or None


def has_credentials(environ: Mapping[str, str]) -> bool:
    """True when the environment names AWS credentials of some kind."""
    return any(environ.get(name) for name in AWS_CREDENTIALS)


@contextmanager
def one_line_errors(fail: type[Exception], service: str, doing: str) -> Iterator[None]:
    """Turn a botocore error raised in the block into `fail("<service>: cannot <doing>: …")`."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        why = f"{error.get('Code', 'Error')}: {error.get('Message', '')}"
        raise fail(f"{service}: cannot {doing}: {why}") from exc
    except BotoCoreError as exc:
        raise fail(f"{service}: cannot {doing}: {exc}") from exc
