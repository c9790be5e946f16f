"""The GitHub Actions job summary: markdown appended to `$GITHUB_STEP_SUMMARY` when it is set."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from prodsmoke import redact
from prodsmoke.reporters.console import headline
from prodsmoke.results import Status

if TYPE_CHECKING:
    from collections.abc import Mapping

    from prodsmoke.results import CheckResult, RunResult

ICON = {Status.PASS: "✅", Status.WARN: "⚠️", Status.FAIL: "❌", Status.SKIP: "⏭️"}


def _cell(text: str) -> str:
    return redact.redact(text).replace("|", "\\|").replace("\n", " ")


def _row(check: CheckResult) -> str:
    status = f"{ICON[check.status]} {check.status}" + (" (flaky)" if check.flaky else "")
    detail = check.error or headline(check)
    return (
        f"| `{check.id}` | {check.kind} | {status} | {check.duration_ms} ms | "
        f"{check.attempts} | {_cell(detail)} |"
    )


def markdown(run: RunResult) -> str:
    """The summary: verdict, one row per check, what failed and how to reproduce it."""
    budget = run.safety.budget
    lines = [
        f"## {ICON[run.status]} prodsmoke · {run.env} · {run.region}: {run.status}",
        "",
        f"Run `{run.run_id}` against {_cell(run.target)} took {run.duration_ms / 1000:.1f} s · "
        f"{run.safety.requests} requests ({budget.share:.1%} of {budget.limit_per_minute}/min) · "
        f"{len(run.safety.blocked)} blocked by the guard",
        "",
        "| check | kind | status | time | tries | detail |",
        "| --- | --- | --- | ---: | ---: | --- |",
        *(_row(c) for c in run.checks),
    ]
    failed = [c for c in run.checks if c.status is Status.FAIL]
    if failed:
        lines += ["", "### Failures", ""]
        for check in failed:
            lines.append(f"- **{check.id}** [{check.failure_class}]: {_cell(check.error or '')}")
            lines.append(f"  - reproduce: `{_cell(check.repro)}`")
            if check.artifacts:
                shown = ", ".join(f"`{_cell(a)}`" for a in check.artifacts[:5])
                lines.append(f"  - artifacts (in the uploaded results): {shown}")
    return "\n".join(lines) + "\n"


@dataclass
class GitHubSummaryReporter:
    """Appends the run's summary to the file GitHub Actions shows on the job page."""

    path: Path
    name: str = "github_summary"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> GitHubSummaryReporter | None:
        """The reporter when `$GITHUB_STEP_SUMMARY` is set, else None."""
        target = environ.get("GITHUB_STEP_SUMMARY")
        return cls(Path(target)) if target else None

    def report(self, run: RunResult) -> None:
        """Append the markdown (the step may already have written its own)."""
        with self.path.open("a", encoding="utf-8") as out:
            out.write(markdown(run))
