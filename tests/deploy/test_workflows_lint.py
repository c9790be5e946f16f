"""The GitHub workflows: actionlint-clean, and hardened the way STYLE.md §15 asks."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.linters import linter, run

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
SMOKE = WORKFLOWS / "production-smoke.yml"
CI = WORKFLOWS / "ci.yml"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load(path: Path) -> dict[Any, Any]:
    doc: dict[Any, Any] = yaml.safe_load(path.read_text())
    doc["on"] = doc.pop(True)  # YAML 1.1 reads the bare key `on` as true
    return doc


def strings(node: Any, path: str = "") -> list[tuple[str, str]]:
    """Every string in the document with its key path."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in strings(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [s for i, v in enumerate(node) for s in strings(v, f"{path}[{i}]")]
    return [(path, node)] if isinstance(node, str) else []


def steps(doc: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in doc["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize("workflow", [SMOKE, CI], ids=lambda p: p.name)
def test_actionlint_passes(workflow: Path) -> None:
    proc = run(linter("actionlint"), "-no-color", str(workflow.relative_to(REPO)), cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    # the lint above is only worth something if it reads our files: plant an error and see it
    broken = tmp_path / "production-smoke.yml"
    broken.write_text(SMOKE.read_text().replace("inputs.checks", "inputs.chekcs"))
    proc = run(linter("actionlint"), "-no-color", str(broken), cwd=tmp_path)
    assert proc.returncode == 1
    assert "chekcs" in proc.stdout


@pytest.mark.parametrize("workflow", [SMOKE, CI], ids=lambda p: p.name)
def test_workflows_are_hardened(workflow: Path) -> None:
    doc = load(workflow)
    assert doc["permissions"] == {}, "no default permissions"
    for name, job in doc["jobs"].items():
        assert 0 < job["timeout-minutes"] <= 30, name
        # checks: write for the deploy job alone (its check run on the deployed commit)
        allowed = {"contents", "id-token"} | ({"checks"} if name == "deploy" else set())
        assert set(job["permissions"]) <= allowed, name
        assert job["permissions"]["contents"] == "read", name
    for step in steps(doc):
        if "uses" in step:
            assert PINNED.match(step["uses"]), f"{step['uses']} is not pinned to a commit"
            if step["uses"].startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
    # secrets reach only the environment of a step, never a script's text or an action's input
    for path, text in strings(doc):
        if "secrets." in text:
            assert re.search(r"\.steps\[\d+\]\.env\.\w+$", path), path


def test_production_smoke_runs_on_schedule_and_on_demand_one_at_a_time_per_env() -> None:
    doc = load(SMOKE)
    assert doc["on"]["schedule"], "scheduled (cron from config/cron-schedule.yaml)"
    inputs = doc["on"]["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"environment", "checks"}
    assert "production" in inputs["environment"]["options"]
    job = doc["jobs"]["smoke"]
    assert job["concurrency"] == {
        "group": "production-smoke-${{ matrix.environment }}",
        "cancel-in-progress": False,
    }
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    env = {k for step in job["steps"] for k in (step.get("env") or {})}
    assert {"DD_API_KEY", "DD_APP_KEY", "SMOKE_TEST_PASSWORD", "NEW_RELIC_LICENSE_KEY"} <= env


def test_production_smoke_installs_runs_and_keeps_what_qa_needs() -> None:
    job = load(SMOKE)["jobs"]["smoke"]
    by_action = {s["uses"].split("@")[0]: s for s in job["steps"] if "uses" in s}
    assert by_action["actions/setup-python"]["with"]["cache"] == "pip"
    assert by_action["aws-actions/configure-aws-credentials"]["with"]["role-to-assume"]
    scripts = "\n".join(s.get("run", "") for s in job["steps"])
    assert "playwright install --with-deps chromium" in scripts
    assert re.search(r"^smoke run --env \"\$SMOKE_ENV\" --output smoke-results", scripts, re.M)
    assert "GITHUB_STEP_SUMMARY" in scripts
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    paths = {s["with"]["path"].strip(): s["if"] for s in uploads}
    assert paths == {
        "smoke-results/results.json\nsmoke-results/junit.xml": "always()",
        "smoke-results/artifacts/": "failure()",
    }


def test_ci_runs_make_test_on_push_and_pull_request() -> None:
    doc = load(CI)
    assert {"push", "pull_request"} <= set(doc["on"])
    assert any(step.get("run") == "make test" for step in steps(doc))


def test_the_checks_input_cannot_inject_shell(tmp_path: Path) -> None:
    # The dispatch input reaches the script only as $SMOKE_CHECKS, split into --check words.
    script = next(s["run"] for s in load(SMOKE)["jobs"]["smoke"]["steps"] if s.get("id") == "smoke")
    assert "${{" not in script
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "smoke").write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    (bin_dir / "smoke").chmod(0o755)
    bash = shutil.which("bash")
    assert bash is not None
    proc = subprocess.run(
        [bash, "-eo", "pipefail", "-c", script],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "SMOKE_ENV": "production",
             "SMOKE_CHECKS": "health  login_flow $(touch pwned)"},
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "run", "--env", "production", "--output", "smoke-results",
        "--check", "health", "--check", "login_flow", "--check", "$(touch", "--check", "pwned)",
    ]  # fmt: skip
    assert not (tmp_path / "pwned").exists()


def test_a_successful_deployment_is_verified_with_the_least_permission() -> None:
    doc = load(SMOKE)
    assert "deployment_status" in doc["on"]
    assert doc["jobs"]["smoke"]["if"] == "github.event_name != 'deployment_status'"
    job = doc["jobs"]["deploy"]
    assert "github.event.deployment_status.state == 'success'" in job["if"]
    assert 'fromJSON(\'["production", "staging"]\')' in job["if"]  # environments we have
    assert job["permissions"] == {"contents": "read", "checks": "write"}
    assert "environment" not in job  # no second deployment record, no protection-rule wait
    assert job["concurrency"]["cancel-in-progress"] is False
    smoke = next(s for s in job["steps"] if s.get("id") == "smoke")
    assert smoke["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    assert "${{" not in smoke["run"]  # the event's URL and ref reach it as variables only
    assert 'smoke run --env "$SMOKE_ENV" --trigger deploy --commit "$GITHUB_SHA"' in smoke["run"]
    gate = next(s for s in job["steps"] if s.get("name") == "Compare with the deploy before")
    assert 'smoke gate --env "$SMOKE_ENV" --commit "$GITHUB_SHA"' in gate["run"]


def test_the_deployment_url_cannot_inject_shell(tmp_path: Path) -> None:
    step = next(s for s in load(SMOKE)["jobs"]["deploy"]["steps"] if s.get("id") == "smoke")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "smoke").write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    (bin_dir / "smoke").chmod(0o755)
    bash = shutil.which("bash")
    assert bash is not None
    proc = subprocess.run(
        [bash, "-eo", "pipefail", "-c", step["run"]],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "SMOKE_ENV": "staging", "GITHUB_SHA": "ab" * 20,
             "SMOKE_BASE_URL": "https://pr-1.example.com/$(touch pwned)"},
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "run", "--env", "staging", "--trigger", "deploy", "--commit", "ab" * 20,
        "--output", "smoke-results", "--base-url", "https://pr-1.example.com/$(touch pwned)",
    ]  # fmt: skip
    assert not (tmp_path / "pwned").exists()
