"""The handler's parts without a browser: what an invocation runs, its secrets (Secrets Manager
and SSM on moto), its workspace, and an S3 upload that fails."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from prodsmoke import redact
from prodsmoke.aws_lambda import secrets
from prodsmoke.aws_lambda.invocation import LAMBDA_CHROMIUM_ARGS, Invocation
from prodsmoke.aws_lambda.upload import files_to_upload, upload
from prodsmoke.aws_lambda.workspace import CHROMIUM_TMPDIR_MAX, SCRATCH, workspace
from prodsmoke.errors import ConfigError, SuiteError, UsageError
from prodsmoke.results import (
    BudgetReport,
    CheckKind,
    CheckResult,
    FailureClass,
    RunResult,
    SafetyReport,
    Status,
)

ENV = {"AWS_REGION": "eu-west-1", "SMOKE_ENV": "production"}


def test_a_scheduled_event_runs_what_the_function_is_configured_for() -> None:
    event = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
    invocation = Invocation.parse(event, {**ENV, "SMOKE_CHECKS": "health, login_flow"})
    assert invocation.environment == "production"
    assert invocation.checks == ("health", "login_flow")
    assert invocation.region == "eu-west-1"
    assert invocation.root == Path("/tmp")
    assert invocation.bucket is None
    assert invocation.chromium_args == LAMBDA_CHROMIUM_ARGS


def test_a_manual_event_overrides_environment_and_checks() -> None:
    invocation = Invocation.parse(
        {"environment": "staging", "checks": ["health"]},
        {**ENV, "SMOKE_CHECKS": "login_flow", "SMOKE_CHROMIUM_ARGS": ""},
    )
    assert (invocation.environment, invocation.checks) == ("staging", ("health",))
    assert invocation.chromium_args == ()


@pytest.mark.parametrize(
    ("event", "environ", "message"),
    [
        ({}, {"AWS_REGION": "eu-west-1"}, "no environment to run: set SMOKE_ENV"),
        ({}, {"SMOKE_ENV": "production"}, "AWS_REGION is not set"),
        ({"checks": "health"}, ENV, None),
        ({"checks": [1, 2]}, ENV, '"checks" in the event must be a list of check ids'),
    ],
)
def test_invocation_errors_are_one_line(
    event: dict[str, object], environ: dict[str, str], message: str | None
) -> None:
    if message is None:
        assert Invocation.parse(event, environ).checks == ("health",)
        return
    with pytest.raises(UsageError, match=message):
        Invocation.parse(event, environ)


def test_secret_specs_are_parsed_and_malformed_ones_refused() -> None:
    specs = secrets.parse("A=prod/smoke/basic#password, B=ssm:/smoke/key,C=arn:aws:x:secret:n")
    assert [(s.variable, s.source, s.name, s.key) for s in specs] == [
        ("A", "secretsmanager", "prod/smoke/basic", "password"),
        ("B", "ssm", "/smoke/key", None),
        ("C", "secretsmanager", "arn:aws:x:secret:n", None),
    ]
    with pytest.raises(ConfigError, match=r"\$SMOKE_SECRETS: \[1\]: got 'oops', expected VAR="):
        secrets.parse("A=x,oops")


def test_secrets_are_read_from_secrets_manager_and_ssm_and_registered(moto_reset: str) -> None:
    region = "eu-west-1"
    boto3.client("secretsmanager", region_name=region).create_secret(
        Name="prod/smoke/basic", SecretString=json.dumps({"password": "s3cret-from-sm-81"})
    )
    boto3.client("ssm", region_name=region).put_parameter(
        Name="/smoke/dd", Value="dd-key-from-ssm-37", Type="SecureString"
    )
    specs = secrets.parse("SMOKE_TEST_PASSWORD=prod/smoke/basic#password,DD_API_KEY=ssm:/smoke/dd")

    values = secrets.fetch(specs, region)

    assert values == {
        "SMOKE_TEST_PASSWORD": "s3cret-from-sm-81",
        "DD_API_KEY": "dd-key-from-ssm-37",
    }
    assert redact.redact("pw s3cret-from-sm-81 key dd-key-from-ssm-37") == (
        f"pw {redact.MASK} key {redact.MASK}"
    )
    before = os.environ.get("DD_API_KEY")
    with secrets.exported(values):
        assert os.environ["DD_API_KEY"] == "dd-key-from-ssm-37"
    assert os.environ.get("DD_API_KEY") == before


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("P=prod/smoke/absent", "ResourceNotFoundException"),
        ("P=prod/smoke/plain#password", "JSONDecodeError"),
        ("P=ssm:/smoke/absent", "ParameterNotFound"),
    ],
)
def test_an_unreadable_secret_stops_the_run_naming_it(
    moto_reset: str, spec: str, reason: str
) -> None:
    boto3.client("secretsmanager", region_name="eu-west-1").create_secret(
        Name="prod/smoke/plain", SecretString="not json"
    )
    with pytest.raises(SuiteError) as caught:
        secrets.fetch(secrets.parse(spec), "eu-west-1")
    assert f"for $P: {reason}; check the name, the key" in str(caught.value)
    assert "not json" not in str(caught.value)


def test_workspace_points_temporary_files_at_a_scratch_folder_and_removes_it(
    tmp_path: Path,
) -> None:
    stale = tmp_path / "smoke-results" / "artifacts" / "homepage_load"
    stale.mkdir(parents=True)
    (stale / "screenshot.png").write_bytes(b"old")
    (tmp_path / "smoke-results" / "spool").mkdir()  # a reporter's spool survives between runs
    names = ("TMPDIR", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR")
    before = ([os.environ.get(name) for name in names], tempfile.gettempdir())

    with workspace(tmp_path) as space:
        # a full Chromium's crash-report database and dconf's cache go there too, not to HOME
        scratch = str(space.scratch)
        assert [os.environ[name] for name in names] == [scratch, f"{scratch}/config", scratch]
        assert tempfile.gettempdir() == str(space.scratch)
        with tempfile.NamedTemporaryFile(delete=False) as leftover:
            leftover.write(b"x")
        assert not (space.output / "artifacts").exists()

    assert ([os.environ.get(name) for name in names], tempfile.gettempdir()) == before
    assert not space.scratch.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["smoke-results"]
    assert sorted(p.name for p in (tmp_path / "smoke-results").iterdir()) == ["spool"]


def test_the_scratch_folder_is_short_enough_for_a_full_chromiums_socket(tmp_path: Path) -> None:
    # A full Chromium aborts at start when $TMPDIR/org.chromium.Chromium.XXXXXX/SingletonSocket
    # passes 107 bytes. Lambda's root (/tmp) keeps the scratch folder in it; a root that deep
    # gets one in /tmp, removed all the same.
    deep = tmp_path / ("d" * CHROMIUM_TMPDIR_MAX)
    with workspace(deep) as space:
        assert len(os.environ["TMPDIR"]) <= CHROMIUM_TMPDIR_MAX
        assert space.scratch.parent == Path("/tmp")
        assert space.scratch.is_dir()
        assert space.output == deep / "smoke-results"
    assert not space.scratch.exists()
    assert sorted(p.name for p in deep.iterdir()) == ["smoke-results"]

    short = Path(tempfile.mkdtemp(prefix="ps-", dir="/tmp"))
    try:
        with workspace(short) as space:
            assert space.scratch == short / SCRATCH
        assert sorted(p.name for p in short.iterdir()) == ["smoke-results"]
    finally:
        shutil.rmtree(short)


def test_an_unwritable_root_is_a_suite_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    root = blocker / "root"
    with (
        pytest.raises(SuiteError, match="set SMOKE_LAMBDA_ROOT to a writable folder"),
        workspace(root),
    ):
        pytest.fail("the workspace should not have been entered")


def run_result(output: Path) -> RunResult:
    for name in ("results.json", "junit.xml", "artifacts/login_flow/trace.zip",
                 "artifacts/health/console.log"):  # fmt: skip
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_text("x")
    checks = (
        CheckResult("health", CheckKind.HEALTH, Status.PASS, 5,
                    artifacts=("artifacts/health/console.log",)),
        CheckResult("login_flow", CheckKind.JOURNEY, Status.FAIL, 900, error="boom",
                    failure_class=FailureClass.PRODUCT,
                    artifacts=("artifacts/login_flow/trace.zip",)),
    )  # fmt: skip
    return RunResult(
        run_id="20261121T100000Z-abc123", env="production", region="eu-west-1",
        target="https://app.example", started_at=datetime(2026, 11, 21, 10, tzinfo=UTC),
        duration_ms=1000, checks=checks,
        safety=SafetyReport(10, (), BudgetReport(600, 10, 10 / 600, 60)),
    )  # fmt: skip


def test_only_results_and_failed_checks_artifacts_are_uploaded(tmp_path: Path) -> None:
    assert files_to_upload(tmp_path, run_result(tmp_path)) == [
        "results.json",
        "junit.xml",
        "artifacts/login_flow/trace.zip",
    ]


def test_a_failed_upload_is_reported_not_raised(moto_reset: str, tmp_path: Path) -> None:
    result = run_result(tmp_path)
    uploaded = upload(tmp_path, result, bucket="no-such-bucket", prefix="p", region="eu-west-1")
    assert uploaded.results_url is None
    assert uploaded.keys == ()
    assert uploaded.error is not None
    assert uploaded.error.startswith(
        "upload to s3://no-such-bucket/p/production/eu-west-1/20261121T100000Z-abc123/ stopped:"
    )
    assert "NoSuchBucket" in uploaded.error


def test_a_run_that_cannot_start_raises_logs_its_summary_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from prodsmoke.aws_lambda.handler import handler

    for name, value in {
        **ENV,
        "SMOKE_ENV": "prodution",
        "SMOKE_LAMBDA_ROOT": str(tmp_path),
        "SMOKE_CONFIG_DIR": str(Path(__file__).parents[2] / "config"),
    }.items():
        monkeypatch.setenv(name, value)  # fmt: skip

    with pytest.raises(ConfigError, match="no such environment file"):
        handler({"source": "aws.events", "detail": {}}, None)

    (line,) = [x for x in capsys.readouterr().out.splitlines() if "prodsmoke_summary" in x]
    assert json.loads(line)["prodsmoke_summary"]["status"] == "error"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["smoke-results"]


def test_the_upload_stops_short_of_the_function_timeout(moto_reset: str, tmp_path: Path) -> None:
    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="bucket-b", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    result = run_result(tmp_path)
    uploaded = upload(
        tmp_path,
        result,
        bucket="bucket-b",
        prefix="p",
        region="eu-west-1",
        until=time.monotonic() - 1,
    )
    assert uploaded.keys == ()
    assert uploaded.error == (
        "upload to s3://bucket-b/p/production/eu-west-1/20261121T100000Z-abc123/ stopped: the "
        "function's timeout is near; 3 file(s) not uploaded"
    )


def test_artifact_keys_leave_out_the_run_folder(moto_reset: str, tmp_path: Path) -> None:
    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="bucket-b", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    result = run_result(tmp_path)
    name = f"artifacts/{result.run_id}/login_flow/trace.zip"
    (tmp_path / name).parent.mkdir(parents=True)
    (tmp_path / name).write_text("trace")
    failed = dataclasses.replace(result.checks[1], artifacts=(name,))
    result = dataclasses.replace(result, checks=(result.checks[0], failed))
    uploaded = upload(tmp_path, result, bucket="bucket-b", prefix="p", region="eu-west-1")
    base = f"p/production/eu-west-1/{result.run_id}"
    assert uploaded.keys == (
        f"{base}/results.json",
        f"{base}/junit.xml",
        f"{base}/artifacts/login_flow/trace.zip",
    )
