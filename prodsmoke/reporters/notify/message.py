"""What a notification says, whichever service carries it: a title, the facts, the links.

Links point where the evidence is (`artifacts_url`, SPEC §12): an `s3://` prefix becomes the AWS
console page of each object (the Lambda uploads `artifacts/<check>/…` under the run's prefix), a
CI run page is linked as it is (its artifacts are attached there), a local results folder gives
file paths. The report is `report_url` from monitoring-integration.yaml when set, else where
`smoke report` writes it locally.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prodsmoke.reporters.notify.state import Change

SHOWN_ERROR = 1500  # characters of the error a message carries


@dataclass(frozen=True, slots=True)
class Link:
    """A named place; `url` False when it is a local path (a chat button cannot open it)."""

    label: str
    href: str

    @property
    def url(self) -> bool:
        """Whether a browser (or a Slack button) can open it."""
        return self.href.startswith(("https://", "http://"))


@dataclass(frozen=True, slots=True)
class Wording:
    """Where the links go: the published report, the local results folder."""

    report_url: str | None
    output_dir: Path

    def links(self, change: Change) -> list[Link]:
        """Screenshot and trace (trigger), the run's artifacts, the report."""
        out: list[Link] = []
        base = change.artifacts_url
        if change.action == "trigger" and base:
            for label, name in (("screenshot", "screenshot.png"), ("trace", "trace.zip")):
                found = next((a for a in reversed(change.artifacts) if a.endswith(name)), None)
                if found is not None and not base.startswith(("https://", "http://")):
                    out.append(Link(label, _artifact(base, found, change.evidence_run or "")))
        if base:
            label = "run page" if base.startswith(("https://", "http://")) else "results"
            out.append(Link(label, _s3_console(base) if base.startswith("s3://") else base))
        out.append(
            Link("report", self.report_url or str(self.output_dir.resolve() / "report.html"))
        )
        return out


def title(change: Change) -> str:
    """One line: what happened, where."""
    regions = ", ".join(change.regions)
    if change.action == "resolve":
        return f"RESOLVED {change.env} · {change.check} passing again ({regions})"
    return f"FAILING {change.env} · {change.check} in {regions}"


def summary(change: Change) -> str:
    """The title and the error, for a pager's one line."""
    if change.action == "resolve":
        return f"{title(change)} after {duration(change.failing_for_s)} failing"
    step = (
        f"step '{change.step}': "
        if change.step and f"'{change.step}'" not in (change.error or "")
        else ""
    )
    new = "new error: " if change.new else ""
    return f"{title(change)}: {new}{step}{change.error or 'failed'}"


def failing_for(change: Change) -> str:
    """`12 min (since 10:30 UTC)`, or `since this run (10:30 UTC)` for a first failure."""
    if change.failing_for_s < MINUTE:
        return f"since this run ({change.since:%H:%M} UTC)"
    return f"{duration(change.failing_for_s)} (since {change.since:%H:%M} UTC)"


def error_text(change: Change) -> str:
    """The redacted error, shortened for a message."""
    text = change.error or "(no error text)"
    return text if len(text) <= SHOWN_ERROR else text[: SHOWN_ERROR - 1] + "…"


MINUTE, HOUR, DAYS_SHOWN_AS_HOURS = 60, 60, 48


def duration(seconds: float) -> str:
    """`45 s`, `12 min`, `1 h 5 min`, `2 d 3 h`."""
    whole = int(seconds)
    if whole < MINUTE:
        return f"{whole} s"
    minutes = whole // MINUTE
    if minutes < HOUR:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, HOUR)
    if hours < DAYS_SHOWN_AS_HOURS:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _artifact(base: str, artifact: str, run_id: str) -> str:
    if base.startswith("s3://"):
        # the Lambda's upload drops the run id from the key: the prefix names the run
        key = artifact.replace(f"artifacts/{run_id}/", "artifacts/", 1)
        return _s3_console(base.rstrip("/") + "/" + key)
    return str(Path(base) / artifact)


def _s3_console(url: str) -> str:
    """An `s3://bucket/key` as its AWS console page (no browser opens s3://)."""
    bucket, _, key = url.removeprefix("s3://").partition("/")
    return f"https://s3.console.aws.amazon.com/s3/object/{bucket}?prefix={key}"
