"""boto3 clients for the handler: imported lazily, with timeouts that fit inside a run.

The endpoint is left to boto3's own `AWS_ENDPOINT_URL` handling (a local moto server in tests).
"""

from __future__ import annotations

from typing import Any

from prodsmoke.errors import SuiteError

# The function's timeout bounds everything; a hung S3 or Secrets Manager call must not eat it.
_TIMEOUTS = {"connect_timeout": 3, "read_timeout": 15, "retries": {"max_attempts": 3}}


def client(service: str, region: str) -> Any:
    """A new boto3 client for `service` in `region`."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError as exc:
        raise SuiteError("the Lambda handler needs boto3: install prodsmoke[aws]") from exc
    return boto3.session.Session().client(service, region_name=region, config=Config(**_TIMEOUTS))
