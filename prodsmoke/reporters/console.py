"""The terminal: a header, a live line per check as it finishes, and a summary table."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from prodsmoke import interrupt, redact
from prodsmoke._version import __version__
from prodsmoke.config.vitals import LABELS, shown
from prodsmoke.results import CheckResult, RunResult, Status

if TYPE_CHECKING:
    from pathlib import Path

STYLE = {Status.PASS: "green", Status.WARN: "yellow", Status.FAIL: "bold red", Status.SKIP: "dim"}
# The one number that best says how a check did, in order of preference.
HEADLINE = (
    ("page_load_ms", "load"),
    ("enhancement_ms", "enhance"),
    ("login_ms", "login"),
    ("response_time_ms", "response"),
)


def headline(result: CheckResult) -> str:
    """E.g. 'load 640 ms' for a homepage check, 'plans 412 ms' for a journey's own metric,
    '3 steps' for a journey that measured nothing else, '' when there is nothing to say."""
    for key, label in HEADLINE:
        if key in result.metrics:
            return f"{label} {result.metrics[key]:.0f} ms"
    custom = next((k for k in result.metrics if k.endswith("_ms")), None)
    if custom is not None:
        return f"{custom.removesuffix('_ms')} {result.metrics[custom]:.0f} ms"
    if result.steps:
        return f"{len(result.steps)} step{'s' if len(result.steps) != 1 else ''}"
    return ""


def page_vitals(result: CheckResult) -> str:
    """A journey's Web Vitals at a glance: the worst LCP and CLS over its pages, e.g.
    'LCP 316 ms · CLS 0 · 3 pages'; '' for a check that loaded no page."""
    if not result.pages:
        return ""
    parts = []
    for vital in ("lcp_ms", "cls"):
        values = [p.vitals[vital] for p in result.pages if vital in p.vitals]
        if values:
            parts.append(f"{LABELS[vital]} {shown(vital, max(values))}")
    count = len(result.pages)
    return " · ".join([*parts, f"{count} page{'s' if count != 1 else ''}"])


def _for_budget(check: CheckResult) -> bool:
    return (check.error or "").startswith("rate budget")


def _stopped(check: CheckResult) -> bool:
    return (check.error or "").startswith(interrupt.REASON_PREFIX)


@dataclass
class ConsoleReporter:
    """Human-readable progress and summary on stdout (colours only on a terminal)."""

    stream: TextIO = field(default_factory=lambda: sys.stdout)
    output_dir: Path | None = None
    name: str = "console"

    def __post_init__(self) -> None:
        tty = self.stream.isatty()
        self.console = Console(
            file=self.stream, highlight=False, soft_wrap=True, width=None if tty else 120
        )

    def header(self, *, env: str, target: str, region: str, checks: int, deadline_s: float) -> None:
        """Say what is about to run."""
        self.console.print(
            f"[bold]prodsmoke {__version__}[/] · env [bold]{escape(env)}[/] · {escape(target)} · "
            f"region {escape(region)} · {checks} checks · deadline {deadline_s:g} s"
        )

    def progress(self, result: CheckResult) -> None:
        """One line for a check that just finished."""
        status = result.status
        detail = redact.redact(result.error or headline(result))
        retries = f" ({result.attempts} attempts)" if result.attempts > 1 else ""
        flaky = " [yellow]flaky[/]" if result.flaky else ""
        self.console.print(
            f"  [{STYLE[status]}]{str(status).upper():4}[/]  {result.id:<24} "
            f"{result.duration_ms:>6} ms  {escape(detail)}{retries}{flaky}"
        )

    def report(self, run: RunResult) -> None:
        """The summary table and where to find everything."""
        table = Table(title=f"run {run.run_id}", title_justify="left", expand=False)
        for column, justify in (
            ("check", "left"),
            ("kind", "left"),
            ("status", "left"),
            ("time", "right"),
            ("tries", "right"),
            ("measured", "left"),
            ("web vitals (worst page)", "left"),
        ):
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        for check in run.checks:
            table.add_row(
                check.id,
                str(check.kind),
                f"[{STYLE[check.status]}]{check.status}[/]" + (" (flaky)" if check.flaky else ""),
                f"{check.duration_ms} ms",
                str(check.attempts),
                escape(headline(check)),
                escape(page_vitals(check)),
            )
        self.console.print(table)
        counts = {s: sum(c.status is s for c in run.checks) for s in Status}
        tally = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        budget = run.safety.budget
        seconds = run.duration_ms / 1000
        # Skipping is safe, but a run that did not check everything must not read as a PASS:
        # checks the rate budget left out, or a signal stopped after others had passed (stopped
        # before any check ended, a run is a plain SKIP).
        starved = [c for c in run.checks if c.status is Status.SKIP and _for_budget(c)]
        stopped = run.status is not Status.SKIP and any(
            c.status is Status.SKIP and _stopped(c) for c in run.checks
        )
        word, style = str(run.status).upper(), STYLE[run.status]
        if (starved or stopped) and run.status.ok:
            word, style = "INCOMPLETE", "yellow"
        self.console.print(
            f"[{style}]{word}[/] ({tally}) in {seconds:.1f} s"
            f" · {run.safety.requests} requests"
            f" ({budget.share:.1%} of {budget.limit_per_minute}/min)"
            f" · {len(run.safety.blocked)} blocked by the guard"
        )
        if starved:
            self.console.print(
                f"[yellow]{len(starved)} of {len(run.checks)} checks were not run: the rate budget "
                f"({budget.budget_per_minute}/min) ran out[/] (smoke check-config says what a run "
                "needs; raise safety.rate_budget.max_requests_per_minute if the target allows it)"
            )
        if run.browser:
            self.console.print(f"browser: {escape(run.browser)}")
        for check in run.checks:
            if check.status is Status.FAIL:
                why = escape(f"[{check.failure_class}] {redact.redact(check.error or '')}")
                self.console.print(f"[red]✗ {check.id}[/] {why}")
                if check.artifacts:
                    self.console.print(f"    artifacts: {escape(self._where(check.artifacts[0]))}")
                self.console.print(f"    reproduce: [bold]{escape(check.repro)}[/]")
            elif check.status is Status.WARN and check.artifacts:  # a baseline difference's images
                where = escape(self._where(check.artifacts[0]))
                self.console.print(f"[yellow]! {check.id}[/] kept artifacts: {where}")

    def _where(self, artifact: str) -> str:
        folder = artifact.rsplit("/", 1)[0]
        return str(self.output_dir / folder) + "/" if self.output_dir else folder + "/"

    def error(self, message: str) -> None:
        """A one-line problem, on stderr."""
        Console(file=sys.stderr, highlight=False, soft_wrap=True).print(
            f"[red]error:[/] {escape(redact.redact(message))}"
        )

    def warning(self, message: str) -> None:
        """A one-line warning (something to fix that did not stop the run), on stderr."""
        Console(file=sys.stderr, highlight=False, soft_wrap=True).print(
            f"[yellow]warning:[/] {escape(redact.redact(message))}"
        )
