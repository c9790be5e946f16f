"""Which reporters run: chosen by monitoring-integration.yaml and by the credentials present."""

from __future__ import annotations

import pytest

from prodsmoke.config.models import Settings
from prodsmoke.errors import ConfigError
from prodsmoke.options import RunOptions
from prodsmoke.reporters.registry import configured_reporters

SETTINGS = Settings(name="production", base_url="https://app.example.com")
ALL = "reporters: [history, github_summary, datadog, newrelic, cloudwatch]\n"


def names(config_dir, tmp_path, **environ):
    options = RunOptions(output_dir=tmp_path / "out")
    return [r.name for r in configured_reporters(config_dir, SETTINGS, options, environ=environ)]


def write(tmp_path, text):
    root = tmp_path / "config"
    root.mkdir(exist_ok=True)
    (root / "monitoring-integration.yaml").write_text(text)
    return root


def test_without_the_file_a_run_keeps_history_and_writes_the_job_summary_in_actions(tmp_path):
    assert names(tmp_path, tmp_path) == ["history"]
    summary = str(tmp_path / "summary.md")
    assert names(tmp_path, tmp_path, GITHUB_STEP_SUMMARY=summary) == ["history", "github_summary"]


def test_cloud_reporters_need_their_credentials(tmp_path):
    root = write(tmp_path, ALL)

    assert names(root, tmp_path) == ["history"]
    assert names(root, tmp_path, DD_API_KEY="dd-0123456789") == ["history", "datadog"]
    assert names(root, tmp_path, NEW_RELIC_LICENSE_KEY="nr-0123456789") == ["history", "newrelic"]
    aws = {"AWS_ACCESS_KEY_ID": "AKIA0123456789", "AWS_REGION": "us-west-2"}
    assert names(root, tmp_path, **aws) == ["history", "cloudwatch"]
    assert names(root, tmp_path, AWS_ACCESS_KEY_ID="AKIA0123456789") == ["history"]  # no region
    assert names(root, tmp_path, AWS_LAMBDA_FUNCTION_NAME="smoke") == ["history", "cloudwatch"]


def test_a_reporter_not_listed_does_not_run_even_with_credentials(tmp_path):
    root = write(tmp_path, "reporters: [datadog]\n")

    assert names(root, tmp_path, DD_API_KEY="dd-0123456789", AWS_REGION="x") == ["datadog"]


def test_keys_in_the_file_come_from_variables_and_an_unset_one_is_a_config_error(tmp_path):
    root = write(tmp_path, ALL + "datadog: {api_key: '${SMOKE_DD_KEY}'}\n")

    assert names(root, tmp_path, SMOKE_DD_KEY="dd-0123456789") == ["history", "datadog"]
    with pytest.raises(ConfigError) as error:
        names(root, tmp_path)
    assert str(error.value) == (
        f"{root}/monitoring-integration.yaml: datadog.api_key: environment variable "
        "SMOKE_DD_KEY is not set; expected it exported (referenced as ${SMOKE_DD_KEY})"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "reporters: [history, datadgo]\n",
            "reporters[1]: got 'datadgo': input should be 'history', 'github_summary', "
            "'github_checks', 'datadog', 'newrelic' or 'cloudwatch'",
        ),
        (
            "cloudwatch: {namespce: X}\n",
            "cloudwatch.namespce: unknown key 'namespce'; did you mean 'namespace'?",
        ),
        (
            "cloudwatch: {mode: lambda}\n",
            "cloudwatch.mode: got 'lambda': input should be 'auto', 'api' or 'emf'",
        ),
        (
            "history: {retention_days: 0}\n",
            "history.retention_days: got 0, expected whole days to keep, 1-3650",
        ),
        ("delivery: [1]\n", "delivery: got a list, expected a mapping"),
    ],
)
def test_config_mistakes_are_one_line_naming_the_key(tmp_path, text, message):
    root = write(tmp_path, text)

    with pytest.raises(ConfigError) as error:
        names(root, tmp_path)

    assert str(error.value) == f"{root}/monitoring-integration.yaml: {message}"
