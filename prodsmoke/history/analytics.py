"""Flaky checks and error groups, from stored runs (SPEC §17; the report's two sections).

- A check's **flaky rate** is the share of the runs it ran in where it passed only on a retry
  (`flaky: true`), over the window; the worst first.
- An **error group** is every failure with one fingerprint (`history.fingerprint`): its check,
  the latest error text, when it was first and last seen, how often, from which regions. It is
  **new** when the history first saw it within the last day (`first_seen` may come from the
  whole history, beyond the runs at hand).

Ad-hoc runs are left out of both (a person's experiments); deploy runs count, and runs inside a
maintenance window are left out of the flaky rate only (their errors are real errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from prodsmoke.results import Status, Trigger

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from prodsmoke.history.rows import StoredRun

NEW_FOR = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Flaky:
    """One check's retries that hid a failure."""

    check: str
    ran: int
    flaky: int
    last: datetime
    regions: tuple[str, ...]

    @property
    def rate(self) -> float:
        """Flaky runs over the runs it ran in."""
        return self.flaky / self.ran if self.ran else 0.0


@dataclass
class ErrorGroup:
    """Every failure with one fingerprint."""

    fingerprint: str
    check: str
    error: str
    first_seen: datetime
    last_seen: datetime
    count: int = 0
    regions: set[str] = field(default_factory=set)
    deploys: set[str] = field(default_factory=set)  # the versions (or commits) it came with
    new: bool = False


def flaky_checks(runs: Sequence[StoredRun]) -> list[Flaky]:
    """The checks that passed on a retry at least once, the highest rate first."""
    ran: dict[str, list[tuple[StoredRun, bool]]] = {}
    for run in runs:
        if run.trigger is Trigger.ADHOC or run.maintenance is not None:
            continue
        for check in run.checks:
            if check.status is not Status.SKIP:
                ran.setdefault(check.id, []).append((run, check.flaky))
    out = []
    for check_id, seen in ran.items():
        flaky = [run for run, was in seen if was]
        if flaky:
            regions = tuple(sorted({r.region for r in flaky}))
            out.append(Flaky(check_id, len(seen), len(flaky), flaky[-1].started_at, regions))
    out.sort(key=lambda f: (-f.rate, -f.flaky, f.check))
    return out


def error_groups(
    runs: Sequence[StoredRun],
    *,
    now: datetime,
    first_seen: Mapping[str, datetime] | None = None,
) -> list[ErrorGroup]:
    """The runs' failures by fingerprint, the most recently seen first."""
    groups: dict[str, ErrorGroup] = {}
    for run in runs:
        if run.trigger is Trigger.ADHOC:
            continue
        for check in run.checks:
            fp = run.fingerprints.get(check.id)
            if fp is None:
                continue
            group = groups.get(fp)
            if group is None:
                group = groups[fp] = ErrorGroup(
                    fp, check.id, check.error or "", run.started_at, run.started_at
                )
            group.count += 1
            group.regions.add(run.region)
            group.first_seen = min(group.first_seen, run.started_at)
            if run.started_at >= group.last_seen:
                group.last_seen, group.error = run.started_at, check.error or group.error
            if run.trigger is Trigger.DEPLOY and (run.version or run.commit):
                group.deploys.add(run.version or (run.commit or "")[:12])
    for fp, group in groups.items():
        if first_seen and fp in first_seen:
            group.first_seen = min(group.first_seen, first_seen[fp])
        group.new = group.first_seen >= now - NEW_FOR
    return sorted(groups.values(), key=lambda g: g.last_seen, reverse=True)
