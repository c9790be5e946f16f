"""The CloudFormation template: cfn-lint-clean, least-privilege IAM, sized from measurements,
and the environment it gives the function is what the handler reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from prodsmoke.aws_lambda.handler import UPLOAD_RESERVE_S
from prodsmoke.aws_lambda.invocation import Invocation
from prodsmoke.config import load_settings
from tests.deploy.linters import linter, run

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "deploy" / "lambda" / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    pass


_CfnLoader.add_multi_constructor(
    "!", lambda loader, suffix, node: {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.ScalarNode) else {suffix: loader.construct_sequence(node)}
)  # fmt: skip


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)
    return doc


def of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    (props,) = [r["Properties"] for r in template["Resources"].values() if r["Type"] == kind]
    return dict(props)


def test_cfn_lint_passes() -> None:
    proc = run(linter("cfn-lint"), str(TEMPLATE), str(TEMPLATE.with_name("leases.yaml")))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_cfn_lint_catches_a_broken_template(tmp_path: Path) -> None:
    bad = tmp_path / "template.yaml"
    bad.write_text(TEMPLATE.read_text().replace("PackageType: Image", "PackageType: Docker"))
    proc = run(linter("cfn-lint"), str(bad))
    assert proc.returncode != 0
    assert "'Docker' is not one of ['Image', 'Zip']" in proc.stdout


def test_iam_is_least_privilege(template: dict[str, Any]) -> None:
    role = of_type(template, "AWS::IAM::Role")
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    # The lease table's statement exists only when a table is named: [condition, then, else].
    (conditional,) = [s for s in statements if "If" in s]
    statements.remove(conditional)
    condition, lease, otherwise = conditional["If"]
    assert condition == "HasLeaseTable" and otherwise == {"Ref": "AWS::NoValue"}
    assert template["Conditions"]["HasLeaseTable"] == {
        "Not": [{"Equals": [{"Ref": "LeaseTable"}, ""]}]
    }
    statements.append(lease)
    # Only inside a VPC (a history database there): AWS's policy for the function's interfaces.
    vpc_policy, otherwise = role["ManagedPolicyArns"]["If"][1:]
    assert role["ManagedPolicyArns"]["If"][0] == "InVpc" and otherwise == {"Ref": "AWS::NoValue"}
    managed = "arn:${AWS::Partition}:iam::aws:policy/service-role/"
    assert vpc_policy == [{"Sub": managed + "AWSLambdaVPCAccessExecutionRole"}]
    by_action = {}
    for statement in statements:
        assert statement["Effect"] == "Allow"
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        for action in actions:
            assert "*" not in action
            by_action[action] = statement
    assert set(by_action) == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "cloudwatch:PutMetricData",
        "s3:PutObject",
        "secretsmanager:GetSecretValue",
        "cloudwatch:EnableAlarmActions",  # after a maintenance window, its own alarms only
        # exactly the calls prodsmoke/accounts/lease_dynamodb.py makes
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:GetItem",
        "dynamodb:DeleteItem",
    }
    table = (
        "arn:${AWS::Partition}:dynamodb:${LeaseTableRegion}:${AWS::AccountId}:table/${LeaseTable}"
    )
    assert by_action["dynamodb:PutItem"]["Resource"] == {"Sub": table}
    assert by_action["logs:PutLogEvents"]["Resource"] == {"Sub": "${LogGroup.Arn}"}
    # PutMetricData cannot name a resource: it is narrowed to our namespace instead
    metrics = by_action["cloudwatch:PutMetricData"]
    assert metrics["Resource"] == "*"
    assert metrics["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": {"Ref": "MetricNamespace"}}
    }
    assert by_action["s3:PutObject"]["Resource"] == {
        "Sub": "arn:${AWS::Partition}:s3:::${ArtifactBucket}/${ArtifactPrefix}/*"
    }
    assert by_action["secretsmanager:GetSecretValue"]["Resource"] == {"Ref": "SecretArns"}
    assert by_action["cloudwatch:EnableAlarmActions"]["Resource"] == {
        "Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}"
        ":alarm:prodsmoke-${Environment}-*"
    }
    others = [s for s in statements if s is not metrics]
    assert all(s["Resource"] != "*" for s in others)


def test_function_is_an_image_sized_for_a_full_run(template: dict[str, Any]) -> None:
    function = of_type(template, "AWS::Lambda::Function")
    assert function["PackageType"] == "Image"
    # bench/peak_memory.py: a full run peaks near 1 GiB of RSS summed over all processes, and
    # from 1769 MB Lambda gives one whole vCPU
    assert function["MemorySize"] >= 1769
    environ = {"SMOKE_TEST_PASSWORD": "not-used-by-this-test-5d1c"}
    deadline = load_settings(REPO / "config", "production", environ=environ).deadline_s
    cold_start_s = 15
    assert function["Timeout"] >= deadline + UPLOAD_RESERVE_S + cold_start_s
    assert function["ReservedConcurrentExecutions"] == 1
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": "LogGroup"}
    logs = of_type(template, "AWS::Logs::LogGroup")
    assert logs["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_schedule_invokes_the_function_once_without_late_retries(
    template: dict[str, Any],
) -> None:
    rule = of_type(template, "AWS::Events::Rule")
    (target,) = rule["Targets"]
    assert target["Arn"] == {"GetAtt": "Function.Arn"}
    assert "Input" not in target  # the function gets EventBridge's own scheduled event
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 0
    assert of_type(template, "AWS::Lambda::EventInvokeConfig")["MaximumRetryAttempts"] == 0
    permission = of_type(template, "AWS::Lambda::Permission")
    assert permission["Principal"] == "events.amazonaws.com"
    assert permission["SourceArn"] == {"GetAtt": "Schedule.Arn"}


def test_the_function_environment_is_what_the_handler_reads(template: dict[str, Any]) -> None:
    variables = of_type(template, "AWS::Lambda::Function")["Environment"]["Variables"]
    defaults = {name: p.get("Default", f"<{name}>") for name, p in template["Parameters"].items()}
    environ = {key: defaults[value["Ref"]] for key, value in variables.items()}
    environ["AWS_REGION"] = "eu-west-1"

    invocation = Invocation.parse({}, environ)

    assert invocation.environment == "production"
    assert invocation.bucket == "<ArtifactBucket>"
    assert invocation.prefix == "prodsmoke"
    assert invocation.secrets == "SMOKE_TEST_PASSWORD=prod/smoke/basic#password"
    assert invocation.region == "eu-west-1"
