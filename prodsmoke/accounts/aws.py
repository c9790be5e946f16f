"""The boto3 clients accounts use: imported lazily, short timeouts. Which region is
`backends.aws.region`, the rule every AWS-backed part shares.

The endpoint is left to boto3's own `AWS_ENDPOINT_URL` handling (a local moto server in tests).
"""

from __future__ import annotations

from typing import Any

from prodsmoke.errors import AccountError

# A run has a 30 s deadline: fail fast rather than let botocore's default retries eat it.
_TIMEOUTS = {"connect_timeout": 3, "read_timeout": 5, "retries": {"max_attempts": 2}}


def client(service: str, region_name: str, *, where: str) -> Any:
    """A new boto3 client; `where` names what needed it in the error when boto3 is missing."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError as exc:
        raise AccountError(f"{where}: boto3 is not installed; install prodsmoke[aws]") from exc
    # A session per client: boto3's default session is not thread-safe, and we run in threads.
    return boto3.session.Session().client(
        service, region_name=region_name, config=Config(**_TIMEOUTS)
    )


def error_code(exc: Exception) -> str:
    """The AWS error code of a botocore `ClientError` ('' for anything else)."""
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""
