"""The GitHub job summary: what a person sees on the Actions run page."""

from __future__ import annotations

from prodsmoke import redact
from prodsmoke.reporters.github_summary import GitHubSummaryReporter
from prodsmoke.results import Status


def test_the_summary_shows_the_verdict_every_check_and_how_to_reproduce_a_failure(
    make_run, tmp_path
):
    target = tmp_path / "summary.md"
    target.write_text("earlier step output\n")
    reporter = GitHubSummaryReporter.from_environment({"GITHUB_STEP_SUMMARY": str(target)})
    assert reporter is not None

    reporter.report(make_run(login=Status.FAIL))

    text = target.read_text()
    assert text.startswith("earlier step output\n## ❌ prodsmoke · production · us-east-1: fail")
    assert "| `homepage_load` | journey | ✅ pass | 812 ms | 1 | load 640 ms |" in text
    assert "| `anonymous_enhancement` | journey | ✅ pass (flaky) | 1200 ms | 2 |" in text
    assert "| `api_v1_status` | health | ⏭️ skip |" in text
    assert "- **login_flow** [product]: login_flow: answered HTTP 503" in text
    assert "  - reproduce: `smoke repro --env production login_flow`" in text
    assert "`artifacts/login_flow/screenshot.png`" in text


def test_no_summary_outside_github_actions():
    assert GitHubSummaryReporter.from_environment({}) is None


def test_secrets_in_an_error_never_reach_the_summary(make_run, tmp_path):
    redact.register_secret("hunter2-summary-secret")
    run = make_run(login=Status.FAIL)
    leaky = run.checks[4].__class__(
        **{
            **{f: getattr(run.checks[4], f) for f in run.checks[4].__slots__},
            "error": "login as x with password hunter2-summary-secret failed",
        }
    )
    run = run.__class__(**{**{f: getattr(run, f) for f in run.__slots__}, "checks": (leaky,)})
    target = tmp_path / "summary.md"

    GitHubSummaryReporter(target).report(run)

    assert "hunter2-summary-secret" not in target.read_text()
    assert "[REDACTED]" in target.read_text()
