"""A deploy run's check run on its commit (issue 22), against a local fake of GitHub's REST API
that accepts what the real one accepts; other runs post nothing; refusals are one line."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from prodsmoke.reporters.base import publish
from prodsmoke.reporters.github_checks import GitHubChecksReporter
from prodsmoke.results import Status, Trigger
from tests.github_fake import COMMIT, REPOSITORY, TOKEN, GitHub, serve_github
from tests.history.smoke_runs import HTTP_ONLY, smoke_in


@pytest.fixture(scope="module")
def github_server():
    with serve_github() as github:
        yield github


@pytest.fixture
def github(github_server: GitHub) -> GitHub:
    github_server.reset()
    return github_server


def actions_env(github: GitHub, **extra: str) -> dict[str, str]:
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_API_URL": github.url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_SHA": COMMIT,
        **extra,
    }


def test_a_deploy_run_posts_a_completed_check_run_with_the_table_and_links(github, make_run):
    reporter = GitHubChecksReporter.from_environment(
        actions_env(github), report_url="https://smoke.acme.example/report.html"
    )
    assert reporter is not None
    run = replace(make_run(login=Status.FAIL), trigger=Trigger.DEPLOY, version="1.4.2")

    assert publish(run, [reporter]) == []

    [posted] = github.check_runs
    assert (posted["name"], posted["head_sha"], posted["status"], posted["conclusion"]) == (
        "prodsmoke · production",
        COMMIT,
        "completed",
        "failure",
    )
    assert posted["details_url"] == f"https://github.com/{REPOSITORY}/actions/runs/4242"
    assert posted["external_id"] == run.run_id
    output = posted["output"]
    assert output["title"].startswith("FAIL (")
    assert output["title"].endswith(" on production · version 1.4.2")
    assert "| check | kind | status | time | tries | detail |" in output["summary"]
    assert "`login_flow`" in output["summary"]
    assert "https://smoke.acme.example/report.html" in output["text"]
    assert f"smoke gate --env production --commit {COMMIT[:12]}" in output["text"]
    sent = github.headers[-1]
    assert sent["Accept"] == "application/vnd.github+json"
    assert sent["X-GitHub-Api-Version"] == "2022-11-28"
    assert TOKEN not in json.dumps(posted)


def test_only_deploy_runs_post_and_only_inside_actions_with_a_token(github, make_run):
    reporter = GitHubChecksReporter.from_environment(actions_env(github))
    assert reporter is not None
    assert publish(make_run(), [reporter]) == []  # a scheduled run
    assert publish(replace(make_run(), trigger=Trigger.ADHOC), [reporter]) == []
    assert github.check_runs == []
    assert (
        GitHubChecksReporter.from_environment({**actions_env(github), "GITHUB_TOKEN": ""}) is None
    )
    assert GitHubChecksReporter.from_environment({"GITHUB_TOKEN": TOKEN}) is None


@pytest.mark.parametrize(
    ("setup", "line"),
    [
        (
            "no-permission",
            "answered HTTP 403 (Resource not accessible by integration; the job's token needs "
            "`permissions: checks: write`) after 1 attempt; no check run posted",
        ),
        (
            "unknown-commit",
            "answered HTTP 422 (Validation Failed; GitHub refused the check run (is the commit "
            "in this repository?)) after 1 attempt; no check run posted",
        ),
        (
            "short-sha",
            "a check run needs the deployed commit's full SHA (got '9c1d3f2'); pass --commit "
            "with 40 hex digits, or leave it to $GITHUB_SHA",
        ),
    ],
)
def test_a_refusal_is_one_line_naming_the_reporter(github, make_run, setup, line):
    reporter = GitHubChecksReporter.from_environment(actions_env(github))
    assert reporter is not None
    run = replace(make_run(), trigger=Trigger.DEPLOY, commit=COMMIT)
    if setup == "no-permission":
        github.can_write_checks = False
    elif setup == "unknown-commit":
        run = replace(run, commit="ab" * 20)
    else:
        run = replace(run, commit=COMMIT[:7])

    [error] = publish(run, [reporter])

    assert error.startswith("reporter github_checks: DeliveryError: ")
    assert error.endswith(line)
    assert "\n" not in error and TOKEN not in error
    assert github.check_runs == []


def test_smoke_run_in_actions_posts_the_deploys_check_run(github, demo_target, tmp_path):
    root = tmp_path / "config"
    (root / "environments").mkdir(parents=True)
    (root / "environments" / "demo.yaml").write_text(HTTP_ONLY)
    (root / "monitoring-integration.yaml").write_text("reporters: [history, github_checks]\n")
    env = actions_env(github, SMOKE_DEMO_URL=demo_target.url, SMOKE_VERSION="7.0.1")

    proc = smoke_in(tmp_path, "run", "--env", "demo", "--output", "out", "--trigger", "deploy",
                    env=env)  # fmt: skip

    assert proc.returncode == 0, proc.stdout + proc.stderr
    [posted] = github.check_runs
    assert (posted["name"], posted["head_sha"], posted["conclusion"]) == (
        "prodsmoke · demo",
        COMMIT,
        "success",
    )
    assert "7.0.1" in posted["output"]["title"]
    assert TOKEN not in proc.stdout + proc.stderr
