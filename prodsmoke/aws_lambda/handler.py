"""The Lambda entry point: `smoke run` from the function's region, results to S3, a summary back.

Configured by the function's environment (deploy/lambda/template.yaml sets it):

    SMOKE_ENV              environment to run (an event's "environment" overrides it)
    SMOKE_CHECKS           check ids, space- or comma-separated (an event's "checks" overrides)
    SMOKE_CONFIG_DIR       the config root in the image (default: ./config)
    SMOKE_ARTIFACT_BUCKET  S3 bucket for results and failure artifacts (unset: no upload)
    SMOKE_ARTIFACT_PREFIX  key prefix inside it (default: prodsmoke)
    SMOKE_SECRETS          VAR=secret[#key] / VAR=ssm:param pairs (see secrets.py)
    SMOKE_LAMBDA_ROOT      the writable folder (default: /tmp)
    SMOKE_CHROMIUM_ARGS    replaces the Lambda Chromium flags (invocation.LAMBDA_CHROMIUM_ARGS)

The region label is the function's `AWS_REGION`. A scheduled EventBridge event needs nothing more.

Lambda stops a function at its timeout without a signal, so the time left comes from the context
(`get_remaining_time_in_millis`): the run's deadline is shrunk to fit before it with
`UPLOAD_RESERVE_S` to spare; a watchdog stops the run (unfinished checks `skip`, everything
reported) if it is still going when that time is up; and the upload stops short of the timeout.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from prodsmoke import interrupt, redact
from prodsmoke.aws_lambda import secrets
from prodsmoke.aws_lambda.invocation import Invocation
from prodsmoke.aws_lambda.upload import Uploaded, upload
from prodsmoke.aws_lambda.workspace import workspace
from prodsmoke.errors import SuiteError
from prodsmoke.results import Status

if TYPE_CHECKING:
    from pathlib import Path

    from prodsmoke.runner import Outcome

# Kept back from the function's remaining time for the upload and the summary.
UPLOAD_RESERVE_S = 10.0
MIN_DEADLINE_S = 5.0
SUMMARY_RESERVE_S = 2.0  # the upload stops this long before the timeout, for the summary


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Run the suite once; return its summary (status, counts, failing checks, results URL)."""
    invocation = Invocation.parse(event, os.environ)
    left = remaining_s(context)
    ends_at = None if left is None else time.monotonic() + left
    values = secrets.fetch(secrets.parse(invocation.secrets), invocation.region)
    with secrets.exported(values), workspace(invocation.root) as space:
        outcome: Outcome | None = None
        uploaded = Uploaded()
        try:
            outcome = run(invocation, space.output, remaining_s(context))
        finally:
            # Whatever happened, what the run left is uploaded and the outcome is logged.
            if outcome is not None and invocation.bucket:
                uploaded = upload(
                    space.output,
                    outcome.result,
                    bucket=invocation.bucket,
                    prefix=invocation.prefix,
                    region=invocation.region,
                    until=None if ends_at is None else ends_at - SUMMARY_RESERVE_S,
                )
            summary = summarize(outcome, uploaded, getattr(context, "aws_request_id", None))
            print(redact.redact(json.dumps({"prodsmoke_summary": summary})), flush=True)
    return summary


def run(invocation: Invocation, output: Path, remaining: float | None) -> Outcome:
    """The code path of `smoke run`, with Lambda's region, folders, flags and time limit."""
    from prodsmoke import runner
    from prodsmoke.config import load_settings
    from prodsmoke.options import RunOptions

    settings = load_settings(invocation.config_dir, invocation.environment)
    browser = settings.browser.model_copy(
        update={"args": (*settings.browser.args, *invocation.chromium_args)}
    )
    update: dict[str, Any] = {"browser": browser}
    room = None
    if remaining is not None:
        room = remaining - UPLOAD_RESERVE_S
        if room < MIN_DEADLINE_S:
            raise SuiteError(
                f"only {remaining:.0f} s of the function's timeout are left; give the function "
                f"at least deadline_s + {UPLOAD_RESERVE_S:.0f} s"
            )
        update["deadline_s"] = min(settings.deadline_s, float(math.floor(room)))
    settings = settings.model_copy(update=update)
    prepared = runner.prepare(
        invocation.config_dir,
        settings,
        RunOptions(region=invocation.region, output_dir=output),
        only=invocation.checks,
        adhoc=invocation.adhoc,
    )
    timer = watchdog(room)
    try:
        return runner.run(prepared)
    finally:
        if timer is not None:
            timer.cancel()


def watchdog(room: float | None) -> threading.Timer | None:
    """A backstop (the deadline should end the run well before): once `room` seconds are up,
    stop the run so that it is reported and uploaded before the function's timeout."""
    if room is None:
        return None
    timer = threading.Timer(
        room, interrupt.request, ("interrupted: the function's timeout is near",)
    )
    timer.daemon = True
    timer.start()
    return timer


def remaining_s(context: Any) -> float | None:
    """Seconds left before Lambda stops the function, when the context says."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining() / 1000 if callable(remaining) else None


def summarize(
    outcome: Outcome | None, uploaded: Uploaded, request_id: str | None
) -> dict[str, Any]:
    """The invocation's answer (and its log line): what ran, how it went, where to look."""
    if outcome is None:
        return {"status": "error", "request_id": request_id, "upload_error": uploaded.error}
    result = outcome.result
    failing = [c for c in result.checks if c.status is Status.FAIL]
    summary = {
        "run_id": result.run_id,
        "env": result.env,
        "region": result.region,
        "status": str(result.status),
        "exit_code": outcome.exit_code,
        "maintenance": result.maintenance,
        "duration_ms": result.duration_ms,
        "counts": {str(s): sum(c.status is s for c in result.checks) for s in Status},
        "failing": [
            {"id": c.id, "failure_class": str(c.failure_class), "error": c.error} for c in failing
        ],
        "flaky": [c.id for c in result.checks if c.flaky],
        "results_url": uploaded.results_url,
        "uploaded": len(uploaded.keys),
        "upload_error": uploaded.error,
        "reporter_errors": list(outcome.reporter_errors),
        "request_id": request_id,
    }
    # Everything returned leaves the process: it passes the redactor like every other output.
    doc: dict[str, Any] = json.loads(redact.redact(json.dumps(summary)))
    return doc
