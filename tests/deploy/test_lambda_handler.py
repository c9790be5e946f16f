"""The Lambda handler, invoked in-process as Lambda would: a real EventBridge scheduled event,
a Lambda-like context, the real demo target and Chromium, S3/CloudWatch/Secrets Manager on moto."""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest

from prodsmoke import runner
from prodsmoke.aws_lambda.handler import handler, watchdog
from prodsmoke.aws_lambda.workspace import CHROMIUM_TMPDIR_MAX, SCRATCH
from prodsmoke.config.models import Settings
from prodsmoke.demo import DemoServer, Faults
from prodsmoke.options import RunOptions
from prodsmoke.results import Status
from tests.smoke_cli import demo_config

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "correct-horse-battery-staple-42"  # tests/conftest.py's demo target
REGION = "us-west-2"
BUCKET = "prodsmoke-artifacts"
NAMESPACE = "ProdsmokeTest"
# What EventBridge sends a rule's target on schedule (the rule has no constant Input).
SCHEDULED_EVENT = {
    "version": "0",
    "id": "89d1a02d-5ec7-412e-82f5-13505f849b41",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-11-21T10:00:00Z",
    "region": REGION,
    "resources": [f"arn:aws:events:{REGION}:123456789012:rule/prodsmoke-demo-schedule"],
    "detail": {},
}
# A full Chromium, not the headless shell (Debian's `chromium`, Google Chrome), when there is one.
FULL_CHROMIUM = next(
    filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome-stable"))), None
)


@dataclass
class LambdaContext:
    """The attributes and method of the context object awslambdaric passes a handler."""

    timeout_s: float = 120.0
    function_name: str = "prodsmoke-demo"
    function_version: str = "$LATEST"
    memory_limit_in_mb: str = "2048"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/prodsmoke-demo"
    log_stream_name: str = "2026/11/21/[$LATEST]0123456789abcdef"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return int((self.timeout_s - (time.monotonic() - self.started)) * 1000)


@pytest.fixture
def lambda_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moto_reset: str, demo_target: DemoServer
) -> Path:
    """The function's environment; returns the /tmp-like root (also HOME and TMPDIR)."""
    root = tmp_path / "tmp"
    root.mkdir()
    config = demo_config(tmp_path)
    (config / "monitoring-integration.yaml").write_text(
        "reporters: [cloudwatch]\n"
        f"cloudwatch: {{namespace: {NAMESPACE}, mode: api, endpoint_url: '{moto_reset}'}}\n"
    )
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="demo/smoke/basic", SecretString=json.dumps({"password": DEMO_PASSWORD})
    )
    for name in ("SMOKE_TEST_PASSWORD", "SMOKE_REGION", "GITHUB_STEP_SUMMARY", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "HOME": str(root),
        "TMPDIR": str(root),
        "AWS_LAMBDA_FUNCTION_NAME": "prodsmoke-demo",
        "AWS_REGION": REGION,
        "SMOKE_ENV": "demo",
        "SMOKE_CONFIG_DIR": str(config),
        "SMOKE_LAMBDA_ROOT": str(root),
        "SMOKE_ARTIFACT_BUCKET": BUCKET,
        "SMOKE_ARTIFACT_PREFIX": "smoke",
        "SMOKE_SECRETS": "SMOKE_TEST_PASSWORD=demo/smoke/basic#password",
        "SMOKE_DEMO_URL": demo_target.url,
    }.items():
        monkeypatch.setenv(name, value)
    return root


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def s3_objects(prefix: str) -> dict[str, bytes]:
    s3 = boto3.client("s3", region_name=REGION)
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return {
        o["Key"].removeprefix(prefix): s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read()
        for o in listing
    }


def metric_values(name: str, **dimensions: str) -> list[float]:
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    answer = cloudwatch.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName=name,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=time.time() - 3600,
        EndTime=time.time() + 3600,
        Period=60,
        Statistics=["Minimum", "Maximum"],
    )
    return [p["Maximum"] for p in answer["Datapoints"]]


def test_failing_run_uploads_artifacts_pushes_metrics_and_writes_only_its_output(
    lambda_env: Path, demo_target: DemoServer
) -> None:
    demo_target.set_faults(Faults.parse("missing-element"))
    before = tree(lambda_env)

    summary = handler(SCHEDULED_EVENT, LambdaContext())

    # the summary the invocation returns
    assert summary["status"] == "fail"
    assert summary["exit_code"] == 1
    assert (summary["env"], summary["region"]) == ("demo", REGION)
    # the header is gone: homepage_load misses it, homepage_looks its nav (its ARIA baseline)
    failing = {c["id"]: c for c in summary["failing"]}
    assert set(failing) == {"homepage_load", "homepage_looks"}
    assert {c["failure_class"] for c in failing.values()} == {"product"}
    assert "header is not visible" in failing["homepage_load"]["error"]
    assert "ARIA snapshot 'main-nav'" in failing["homepage_looks"]["error"]
    assert summary["counts"]["fail"] == 2
    assert summary["counts"]["pass"] + summary["counts"]["warn"] == 9  # 3 of them from e2e/
    base = f"smoke/demo/{REGION}/{summary['run_id']}/"
    assert summary["results_url"] == f"s3://{BUCKET}/{base}results.json"
    assert summary["upload_error"] is None
    assert summary["reporter_errors"] == []

    # results and the failed check's artifacts in S3, nothing for the checks that passed
    objects = s3_objects(base)
    assert summary["uploaded"] == len(objects)
    results = json.loads(objects["results.json"])
    assert (results["run_id"], results["status"], results["region"]) == (
        summary["run_id"],
        "fail",
        REGION,
    )
    assert b"<testsuite" in objects["junit.xml"]
    artifacts = {k for k in objects if k.startswith("artifacts/")}
    assert {"artifacts/homepage_load/screenshot.png", "artifacts/homepage_load/trace.zip"} <= (
        artifacts
    )
    assert objects["artifacts/homepage_load/screenshot.png"].startswith(b"\x89PNG")
    # nothing of the checks that passed (on a loaded machine one may pass on a retry: flaky)
    assert {k.split("/")[1] for k in artifacts} <= {
        "homepage_load",
        "homepage_looks",
        *summary["flaky"],
    }
    # the secret fetched from Secrets Manager was used (login passed) and never left the process
    logins = [c for c in results["checks"] if c["id"] in ("login_flow", "dashboard_history")]
    assert [c["status"] in ("pass", "warn") for c in logins] == [True, True]
    assert all(DEMO_PASSWORD.encode() not in body for body in objects.values())

    # metrics in CloudWatch, with the function's region as the region dimension
    run = {"scope": "run", "env": "demo", "region": REGION}
    assert metric_values("smoke_test.success", **run) == [0.0]
    assert len(metric_values("smoke_test.duration", **run)) == 1
    homepage = {"scope": "check", "env": "demo", "region": REGION, "check": "homepage_load"}
    assert metric_values("smoke_test.success", **homepage) == [0.0]
    listed = boto3.client("cloudwatch", region_name=REGION).list_metrics(Namespace=NAMESPACE)
    regions = {
        d["Value"] for m in listed["Metrics"] for d in m["Dimensions"] if d["Name"] == "region"
    }
    assert regions == {REGION}

    # under the /tmp-like root (also HOME and TMPDIR) only the output folder gained anything
    added = tree(lambda_env) - before
    assert added
    assert {p.split("/", 1)[0] for p in added} == {"smoke-results"}


def test_passing_run_fits_the_function_timeout_and_reports_emf_inside_lambda(
    lambda_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # mode auto: inside Lambda the CloudWatch reporter prints Embedded Metric Format lines
    config = Path(lambda_env.parent / "config")
    (config / "monitoring-integration.yaml").write_text(
        f"reporters: [cloudwatch]\ncloudwatch: {{namespace: {NAMESPACE}}}\n"
    )

    summary = handler(SCHEDULED_EVENT, LambdaContext(timeout_s=35))

    assert summary["status"] in ("pass", "warn"), summary
    assert summary["failing"] == []
    assert summary["exit_code"] == 0
    base = f"smoke/demo/{REGION}/{summary['run_id']}/"
    keys = set(s3_objects(base))
    assert {"results.json", "junit.xml"} <= keys
    # artifacts only of checks that failed an attempt (on a loaded machine one may be flaky)
    assert {k.split("/")[1] for k in keys if k.startswith("artifacts/")} <= set(summary["flaky"])
    out = capsys.readouterr().out
    # 35 s left, 10 s kept back for the upload: the run's deadline shrinks from 30 s to at most
    # 25 s, less whatever the invocation spent before the run started
    deadline = re.search(r"deadline (\d+) s\n", out)
    assert deadline, out.splitlines()[0]
    assert 15 <= int(deadline.group(1)) <= 25
    emf = [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]
    run_doc = next(d for d in emf if d.get("scope") == "run")
    assert run_doc["region"] == REGION
    assert run_doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] == NAMESPACE
    assert run_doc["smoke_test.success"] == 1
    summary_line = next(line for line in out.splitlines() if "prodsmoke_summary" in line)
    assert json.loads(summary_line)["prodsmoke_summary"]["run_id"] == summary["run_id"]


@pytest.mark.skipif(FULL_CHROMIUM is None, reason="no full Chromium on PATH")
def test_a_full_chromium_runs_the_lambda_path_too(
    lambda_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the Lambda flags, from a root too deep for the socket a full Chromium makes in $TMPDIR
    # (it aborted with "Socket path too long"), and leaving nothing in HOME.
    assert len(str(lambda_env / SCRATCH)) > CHROMIUM_TMPDIR_MAX
    monkeypatch.setenv("PRODSMOKE_CHROMIUM", str(FULL_CHROMIUM))
    before = tree(lambda_env)

    summary = handler({"checks": ["homepage_load", "login_flow"]}, LambdaContext())

    assert summary["status"] in ("pass", "warn"), summary
    results = json.loads(s3_objects(f"smoke/demo/{REGION}/{summary['run_id']}/")["results.json"])
    assert results["browser"].endswith(f" (override: {FULL_CHROMIUM})")
    assert {p.split("/", 1)[0] for p in tree(lambda_env) - before} == {"smoke-results"}


def test_an_event_can_choose_the_checks(lambda_env: Path) -> None:
    summary = handler({"checks": ["health", "api_health"]}, LambdaContext())

    assert summary["status"] in ("pass", "warn"), summary
    assert sum(summary["counts"].values()) == 2


def test_the_watchdog_stops_a_run_that_would_outlast_the_function(
    demo_target: DemoServer, demo_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # Lambda ends a function at its timeout without a signal: the handler's watchdog stops a run
    # still going when its room is used up, so that it is reported (and uploaded) in time.
    demo_target.set_faults(Faults.parse("hang"))
    prepared = runner.prepare(
        tmp_path,  # no monitoring file: the defaults
        demo_settings(),
        RunOptions(output_dir=tmp_path),
        only=["health", "api_health"],
    )
    assert watchdog(1.0) is not None
    outcome = runner.run(prepared)
    assert [(c.status, c.error) for c in outcome.result.checks] == [
        (Status.SKIP, "interrupted: the function's timeout is near")
    ] * 2
    assert outcome.exit_code == 0  # not a signal: the summary says what happened
    assert json.loads((tmp_path / "results.json").read_text())["status"] == "skip"
