"""Results and failure artifacts to S3, under one prefix per run.

Keys: `<prefix>/<env>/<region>/<run_id>/results.json`, `…/junit.xml`, and
`…/artifacts/<check>/…` for every failed or flaky check (the run's own artifact folder,
`artifacts/<run_id>/`, is already the key prefix's last part). An upload that fails, or that the
function's timeout would cut off (`until`), is reported in the run summary, never raised: like a
reporter, it must not turn a finished run into an error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prodsmoke import redact
from prodsmoke.errors import SuiteError
from prodsmoke.results import Status

if TYPE_CHECKING:
    from pathlib import Path

    from prodsmoke.results import RunResult

CONTENT_TYPES = {
    ".json": "application/json",
    ".xml": "application/xml",
    ".png": "image/png",
    ".zip": "application/zip",
    ".har": "application/json",
    ".log": "text/plain; charset=utf-8",
}
RESULTS_FILES = ("results.json", "junit.xml")


@dataclass(frozen=True, slots=True)
class Uploaded:
    """What reached S3: the results document's URL, every key written, or why not."""

    results_url: str | None = None
    keys: tuple[str, ...] = ()
    error: str | None = None


def files_to_upload(output: Path, result: RunResult) -> list[str]:
    """Paths relative to `output`: the results files, then failed and flaky checks' artifacts."""
    names = [name for name in RESULTS_FILES if (output / name).is_file()]
    for check in result.checks:
        if check.status is Status.FAIL or check.flaky:
            names += [a for a in check.artifacts if (output / a).is_file()]
    return names


def object_name(name: str, result: RunResult) -> str:
    """`artifacts/<run_id>/<check>/x` -> `artifacts/<check>/x`: the key prefix names the run."""
    return name.replace(f"artifacts/{result.run_id}/", "artifacts/", 1)


def run_prefix(prefix: str, result: RunResult) -> str:
    """The key prefix of one run's objects."""
    return "/".join(p for p in (prefix, result.env, result.region, result.run_id) if p)


def upload(
    output: Path,
    result: RunResult,
    *,
    bucket: str,
    prefix: str,
    region: str,
    until: float | None = None,
) -> Uploaded:
    """Put the run's files into `bucket` (results first); stop at the first failure, or when
    `time.monotonic()` passes `until`, and say why."""
    from botocore.exceptions import BotoCoreError, ClientError

    from prodsmoke.aws_lambda.aws import client

    base = run_prefix(prefix, result)
    keys: list[str] = []
    try:
        s3 = client("s3", region)
        names = files_to_upload(output, result)
        for done, name in enumerate(names):
            if until is not None and time.monotonic() > until:
                left = len(names) - done
                return Uploaded(
                    _results_url(bucket, base, keys),
                    tuple(keys),
                    f"upload to s3://{bucket}/{base}/ stopped: the function's timeout is near; "
                    f"{left} file(s) not uploaded",
                )
            key = f"{base}/{object_name(name, result)}"
            content_type = CONTENT_TYPES.get("." + name.rsplit(".", 1)[-1], "binary/octet-stream")
            s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=(output / name).read_bytes(),
                ContentType=content_type,
            )
            keys.append(key)
    except (BotoCoreError, ClientError, OSError, SuiteError) as exc:
        why = redact.redact(f"{type(exc).__name__}: {exc}")
        return Uploaded(None, tuple(keys), f"upload to s3://{bucket}/{base}/ stopped: {why}")
    return Uploaded(_results_url(bucket, base, keys), tuple(keys))


def _results_url(bucket: str, base: str, keys: list[str]) -> str | None:
    results = f"{base}/results.json"
    return f"s3://{bucket}/{results}" if results in keys else None
