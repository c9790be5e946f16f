"""deploy/lambda/deploy.sh: shellcheck-clean, and (dry run) one stack per region of the schedule."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from prodsmoke.schedule import load_schedule
from tests.deploy.linters import linter, run

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "lambda" / "deploy.sh"
SMOKE = str(Path(sys.executable).with_name("smoke"))


def deploy(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SMOKE": SMOKE}
    return subprocess.run(
        ["bash", str(SCRIPT), *argv], env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip


def test_shellcheck_passes() -> None:
    proc = run(linter("shellcheck"), str(SCRIPT))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_dry_run_deploys_one_stack_per_region_in_the_schedule() -> None:
    proc = deploy("--dry-run", "--bucket", "smoke-artifacts", "--secrets", "prod/smoke/basic",
                  "--tag", "abc123")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    wheel, *lines = proc.stdout.splitlines()
    # prodsmoke's own repository: the image installs the wheel built from this checkout first
    assert wheel.endswith("-m pip wheel --quiet --no-deps --wheel-dir dist . ")
    assert lines[0].startswith("docker build --platform linux/amd64 --provenance=false")
    deploys = [line for line in lines if line.startswith("aws cloudformation deploy")]
    # production's account_lease names a DynamoDB table: deployed once, first, in its region
    leases, *stacks = deploys
    assert "--template-file deploy/lambda/leases.yaml" in leases
    assert "--region us-east-1 --stack-name prodsmoke-account-leases" in leases
    assert "TableName=prodsmoke-account-leases" in leases
    regions = [re.search(r"--region (\S+)", line).group(1) for line in stacks]  # type: ignore[union-attr]
    expected = [r for _, r in load_schedule(REPO / "config").targets("lambda")]
    assert regions == expected == ["us-east-1", "us-west-2", "eu-west-1"]
    for region, line in zip(regions, stacks, strict=True):
        assert "--stack-name prodsmoke-production" in line
        assert "--template-file deploy/lambda/template.yaml" in line
        assert f"ImageUri=123456789012.dkr.ecr.{region}.amazonaws.com/prodsmoke:abc123" in line
        # least privilege: the secret's ARN in the stack's own region, nothing wider
        secret = f"arn:aws:secretsmanager:{region}:123456789012:secret:prod/smoke/basic-"
        assert f"SecretArns={secret}" in line.replace("\\", "")
        assert "LeaseTable=prodsmoke-account-leases LeaseTableRegion=us-east-1" in line
    pushes = [line for line in lines if line.startswith("docker push")]
    assert len(pushes) == 3


def test_missing_arguments_are_a_usage_error() -> None:
    proc = deploy("--dry-run", "--bucket", "smoke-artifacts")
    assert proc.returncode == 2
    assert "--bucket and --secrets are required" in proc.stderr
