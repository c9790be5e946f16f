"""`smoke accounts check`: one line per account, exit 0 when all resolve, 2 when any does not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

ENV_SECRET = "env-held-password-Tm55q"
AWS_SECRET = "aws-held-password-Wd63k"
SSM_SECRET = "ssm-held-password-Hc17n"

CONFIG = """\
name: shop
base_url: http://127.0.0.1:9
accounts:
  basic:   {username: basic@example.com, password: "${SHOP_SMOKE_PASSWORD}"}
  premium: {username: premium@example.com,
            password: {aws_secret: shop/smoke/premium, key: password}}
  ops:     {username: ops@example.com, password: {ssm_parameter: /shop/smoke/ops}}
"""


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "shop.yaml").write_text(CONFIG)
    (tmp_path / "environments" / "bare.yaml").write_text("base_url: http://127.0.0.1:9\n")
    return tmp_path


@pytest.fixture
def aws_secrets(moto_reset: str) -> None:
    boto3.client("secretsmanager").create_secret(
        Name="shop/smoke/premium", SecretString=json.dumps({"password": AWS_SECRET})
    )
    boto3.client("ssm").put_parameter(Name="/shop/smoke/ops", Value=SSM_SECRET, Type="SecureString")


def check(config_dir: Path, *args: str, **env: str) -> tuple[int, list[str]]:
    environ = {k: v for k, v in os.environ.items() if k != "SHOP_SMOKE_PASSWORD"}
    environ |= {"AWS_REGION": "us-east-1"} | env
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "prodsmoke",
            "accounts",
            "check",
            "--config",
            str(config_dir),
            *args,
        ],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )
    everything = done.stdout + done.stderr
    for secret in (ENV_SECRET, AWS_SECRET, SSM_SECRET):
        assert secret not in everything
    assert done.stderr == ""
    return done.returncode, [" ".join(line.split()) for line in done.stdout.splitlines()]


OK_BASIC = "ok shop/basic basic@example.com from env $SHOP_SMOKE_PASSWORD"
OK_PREMIUM = (
    "ok shop/premium premium@example.com from AWS Secrets Manager shop/smoke/premium (key password)"
)
OK_OPS = "ok shop/ops ops@example.com from SSM parameter /shop/smoke/ops"


def test_every_account_resolves(config_dir: Path, aws_secrets: None) -> None:
    code, lines = check(config_dir, "--env", "shop", SHOP_SMOKE_PASSWORD=ENV_SECRET)
    assert (code, lines) == (0, [OK_BASIC, OK_PREMIUM, OK_OPS])


def test_an_unset_variable_fails_only_its_account(config_dir: Path, aws_secrets: None) -> None:
    code, lines = check(config_dir, "--env", "shop")
    assert code == 2
    assert lines == [
        "FAIL shop/basic basic@example.com from env $SHOP_SMOKE_PASSWORD: environment "
        "variable SHOP_SMOKE_PASSWORD is not set; expected it exported "
        "(referenced as ${SHOP_SMOKE_PASSWORD})",
        OK_PREMIUM,
        OK_OPS,
    ]


def test_a_missing_aws_secret_fails_its_account(config_dir: Path, moto_reset: str) -> None:
    boto3.client("ssm").put_parameter(Name="/shop/smoke/ops", Value=SSM_SECRET, Type="SecureString")
    code, lines = check(config_dir, "--env", "shop", SHOP_SMOKE_PASSWORD=ENV_SECRET)
    assert code == 2
    assert lines == [
        OK_BASIC,
        "FAIL shop/premium premium@example.com from AWS Secrets Manager shop/smoke/premium "
        "(key password): AWS secret shop/smoke/premium: not found in us-east-1; "
        "check the name and region",
        OK_OPS,
    ]


def test_without_env_every_environment_is_checked(config_dir: Path, aws_secrets: None) -> None:
    code, lines = check(config_dir, SHOP_SMOKE_PASSWORD=ENV_SECRET)
    assert (code, lines) == (0, ["- bare: no accounts configured", OK_BASIC, OK_PREMIUM, OK_OPS])
