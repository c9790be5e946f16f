"""`smoke gate --version V` (or `--commit SHA`): one deploy's runs against the version before.

The runs of V are the environment's deploy and scheduled runs tagged V (ad-hoc runs and runs
inside a maintenance window left out, as everywhere). The previous version is the one the
latest earlier run was tagged with; its runs are those before V's first. Compared, check by
check: the headline latency's p50 and p95, the failures; page by page, each Web Vital's p75
(Google's percentile for them); and the errors V failed with that the history had never seen
before V's first run ("new").

What closes the gate: no runs of V (unless `gate.require_data` is false), a check that failed in
any run of V, and a `slower_than_previous` rule V broke (the median, p75 for a Web Vital, of
the rule's metric, check by check, more than the rule's share above the previous version's; a
rule's `window` bounds how old the previous version's runs may be). A version with no earlier
one to compare with is judged on its failures alone, and the verdict says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from prodsmoke.config.monitoring import format_duration
from prodsmoke.history.gate import Violation, metric_value
from prodsmoke.history.stats import latency_ms, percentile
from prodsmoke.results import Status, Trigger

if TYPE_CHECKING:
    from collections.abc import Sequence

    from prodsmoke.config.alert_rules import AlertRules, Rule
    from prodsmoke.config.monitoring import Monitoring
    from prodsmoke.history.rows import StoredRun
    from prodsmoke.history.store import History

LOOKBACK = timedelta(days=30)  # how far back runs are read when --window is not given
Key = Literal["version", "commit"]


@dataclass(frozen=True, slots=True)
class Release:
    """One version (or commit) and its runs."""

    key: Key
    value: str
    runs: tuple[StoredRun, ...]

    def to_dict(self) -> dict[str, Any]:
        """What the verdict says about it."""
        return {
            self.key: self.value,
            "runs": len(self.runs),
            "first_run": _when(self.runs[0].started_at) if self.runs else None,
            "regions": sorted({r.region for r in self.runs}),
        }


@dataclass(frozen=True, slots=True)
class VersionVerdict:
    """The gate's answer for one version, with the comparison it stands on."""

    env: str
    this: Release
    previous: Release | None
    violations: tuple[Violation, ...] = ()
    checks: tuple[dict[str, Any], ...] = ()
    pages: tuple[dict[str, Any], ...] = ()
    new_errors: tuple[dict[str, Any], ...] = ()
    excluded: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """True when nothing blocks the release."""
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        """`{"pass", "violations", …}` as the window gate prints, plus the comparison."""
        return {
            "pass": self.passed,
            "violations": [v.to_dict() for v in self.violations],
            "env": self.env,
            **self.this.to_dict(),
            "previous": self.previous.to_dict() if self.previous else None,
            "checks": list(self.checks),
            "pages": list(self.pages),
            "new_errors": list(self.new_errors),
            "excluded": self.excluded,
            "notes": list(self.notes),
        }


def evaluate_version(  # noqa: PLR0913 - the gate's inputs, by keyword
    history: History,
    rules: AlertRules,
    monitoring: Monitoring,
    *,
    env: str,
    key: Key,
    value: str,
    window_s: int | None = None,
    now: datetime | None = None,
) -> VersionVerdict:
    """Judge `env`'s runs of one version (or commit) against the version before."""
    now = now or datetime.now(UTC)
    lookback = timedelta(seconds=window_s) if window_s else LOOKBACK
    fetched = history.runs(env=env, since=now - lookback, until=now)
    eligible = [r for r in fetched if r.trigger is not Trigger.ADHOC and r.maintenance is None]
    mine = [r for r in eligible if _matches(r, key, value)]
    excluded = _excluded([r for r in fetched if _matches(r, key, value)])
    this = Release(key, _label(mine, key, value), tuple(mine))
    if not mine:
        found: list[Violation] = []
        if rules.gate.require_data:
            seen = sorted({v for r in eligible if (v := _value(r, key))})[-5:]
            evidence: dict[str, Any] = {"window": format_duration(int(lookback.total_seconds()))}
            evidence[f"{key}s_seen"] = seen
            if excluded:
                evidence["excluded"] = excluded
            found.append(Violation(f"no runs of {key} {value} in the window", None, evidence))
        return VersionVerdict(env, this, None, tuple(found), excluded=excluded)
    previous = _previous(eligible, mine, key)
    before = previous.runs if previous else ()
    checks = _checks(mine, before)
    pages = _pages(mine, before)
    new = _new_errors(history, env, mine)
    found = _failures(checks, this, previous, new)
    prefix = monitoring.metric_prefix
    notes: list[str] = []
    for rule in (r for r in rules.rules if r.kind == "regression"):
        if previous is None:
            continue
        recent = tuple(r for r in before if r.started_at >= now - timedelta(seconds=rule.window))
        if not recent:
            notes.append(
                f"rule {rule.id}: {previous.key} {previous.value}'s runs are older than its "
                f"window ({format_duration(rule.window)}): not compared"
            )
            continue
        found += _regressions(rule, mine, recent, previous.value, prefix)
    if previous is None:
        notes.append(f"no earlier {key} in the window to compare with: judged on failures alone")
    return VersionVerdict(
        env,
        this,
        previous,
        tuple(found),
        checks=tuple(checks),
        pages=tuple(pages),
        new_errors=tuple(new),
        excluded=excluded,
        notes=tuple(notes),
    )


def _value(run: StoredRun, key: Key) -> str | None:
    return run.version if key == "version" else run.commit


def _matches(run: StoredRun, key: Key, value: str) -> bool:
    found = _value(run, key)
    if found is None:
        return False
    if key == "commit":  # a short SHA names the commit it starts
        return found.lower().startswith(value.lower())
    return found == value


def _label(runs: Sequence[StoredRun], key: Key, value: str) -> str:
    """The full commit SHA for a short one given; the version as given."""
    return (_value(runs[-1], key) or value) if runs and key == "commit" else value


def _previous(eligible: list[StoredRun], mine: list[StoredRun], key: Key) -> Release | None:
    first = mine[0].started_at
    ours = _value(mine[0], key)
    earlier = [r for r in eligible if r.started_at < first and _value(r, key) not in (None, ours)]
    if not earlier:
        return None
    value = _value(earlier[-1], key) or ""
    return Release(key, value, tuple(r for r in earlier if _value(r, key) == value))


def _excluded(runs: Sequence[StoredRun]) -> dict[str, int]:
    adhoc = sum(r.trigger is Trigger.ADHOC for r in runs)
    maintenance = sum(r.trigger is not Trigger.ADHOC and r.maintenance is not None for r in runs)
    return {k: v for k, v in (("adhoc", adhoc), ("maintenance", maintenance)) if v}


def _ran(runs: Sequence[StoredRun]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for run in runs:
        for check in run.checks:
            if check.status is not Status.SKIP:
                out.setdefault(check.id, []).append(check)
    return out


def _checks(mine: Sequence[StoredRun], before: Sequence[StoredRun]) -> list[dict[str, Any]]:
    """Per check: this version's and the previous one's latency p50/p95 and failures."""
    now_ran, then_ran = _ran(mine), _ran(before)
    rows = []
    for check_id, results in now_ran.items():
        row: dict[str, Any] = {"check": check_id, "kind": str(results[-1].kind)}
        row |= _side("", results)
        previous = then_ran.get(check_id, [])
        if previous:
            row |= _side("previous_", previous)
            if row["previous_p50_ms"]:
                row["p50_change"] = round(row["p50_ms"] / row["previous_p50_ms"] - 1, 4)
            if row["previous_p95_ms"]:
                row["p95_change"] = round(row["p95_ms"] / row["previous_p95_ms"] - 1, 4)
        rows.append(row)
    return rows


def _side(prefix: str, results: list[Any]) -> dict[str, Any]:
    latencies = [latency_ms(c) for c in results]
    return {
        f"{prefix}runs": len(results),
        f"{prefix}failed": sum(c.status is Status.FAIL for c in results),
        f"{prefix}p50_ms": round(percentile(latencies, 50), 1),
        f"{prefix}p95_ms": round(percentile(latencies, 95), 1),
    }


def _pages(mine: Sequence[StoredRun], before: Sequence[StoredRun]) -> list[dict[str, Any]]:
    """Per journey page: each Web Vital's p75 now and before, and the change."""

    def values(runs: Sequence[StoredRun]) -> dict[tuple[str, str], dict[str, list[float]]]:
        out: dict[tuple[str, str], dict[str, list[float]]] = {}
        for checks in _ran(runs).values():
            for check in checks:
                for page in check.pages:
                    vitals = out.setdefault((check.id, page.path), {})
                    for vital, value in page.vitals.items():
                        vitals.setdefault(vital, []).append(float(value))
        return out

    def p75(found: dict[str, list[float]]) -> dict[str, float]:
        return {vital: _round(vital, percentile(v, 75)) for vital, v in found.items()}

    then_values = values(before)
    rows = []
    for (check_id, path), found in values(mine).items():
        row: dict[str, Any] = {"check": check_id, "page": path, "p75": p75(found)}
        if previous := then_values.get((check_id, path)):
            row["previous_p75"] = p75(previous)
            row["change"] = {
                vital: round(value / row["previous_p75"][vital] - 1, 4)
                for vital, value in row["p75"].items()
                if row["previous_p75"].get(vital)
            }
        rows.append(row)
    return rows


def _round(vital: str, value: float) -> float:
    return round(value, 4) if vital == "cls" else round(value, 1)


def _new_errors(history: History, env: str, mine: Sequence[StoredRun]) -> list[dict[str, Any]]:
    """The failures of `mine` whose fingerprint the history first saw at or after its first run."""
    seen: dict[str, tuple[str, str | None, int, set[str]]] = {}
    for run in mine:
        for check in run.checks:
            fp = run.fingerprints.get(check.id)
            if fp is None:
                continue
            _, _, count, regions = seen.get(fp, (check.id, check.error, 0, set()))
            seen[fp] = (check.id, check.error, count + 1, regions | {run.region})
    first = history.first_seen(env, seen)
    start = mine[0].started_at
    return [
        {
            "fingerprint": fp,
            "check": check_id,
            "error": error,
            "runs": count,
            "regions": sorted(regions),
        }
        for fp, (check_id, error, count, regions) in seen.items()
        if first.get(fp, start) >= start
    ]


def _failures(
    checks: list[dict[str, Any]],
    this: Release,
    previous: Release | None,
    new: list[dict[str, Any]],
) -> list[Violation]:
    out = []
    for row in checks:
        if not row["failed"]:
            continue
        evidence: dict[str, Any] = {"failed": row["failed"], "runs": row["runs"]}
        if previous is not None:
            evidence[f"previous_{previous.key}"] = previous.value
            evidence["previous_failed"] = row.get("previous_failed", 0)
            evidence["previous_runs"] = row.get("previous_runs", 0)
        errors = [e for e in new if e["check"] == row["check"]]
        if errors:
            evidence["new_errors"] = [e["fingerprint"] for e in errors]
        was = ""
        if previous is not None and "previous_runs" in row:
            was = f" (previous {previous.key} {previous.value}: {row['previous_failed']} of "
            was += f"{row['previous_runs']})"
        reason = (
            f"{row['check']} failed in {row['failed']} of {row['runs']} runs of {this.key} "
            f"{this.value}{was}"
        )
        out.append(Violation(reason, row["check"], evidence))
    return out


def _regressions(
    rule: Rule,
    mine: Sequence[StoredRun],
    before: Sequence[StoredRun],
    previous: str,
    prefix: str,
) -> list[Violation]:
    suffix = (rule.metric or "").removeprefix(prefix + ".")
    q = 75 if suffix.startswith("web_vitals.") else 50
    statistic = f"p{q}"

    def per_check(runs: Sequence[StoredRun]) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for checks in _ran(runs).values():
            for check in checks:
                chosen = rule.selects(check.id, page=rule.page)  # the page: metric_value picks it
                value = metric_value(check, suffix, rule.page) if chosen else None
                if value is not None:
                    out.setdefault(check.id, []).append(value)
        return out

    then = per_check(before)
    out = []
    for check_id, values in per_check(mine).items():
        earlier = then.get(check_id)
        if not earlier:
            continue
        now_stat, then_stat = percentile(values, q), percentile(earlier, q)
        if then_stat <= 0 or now_stat <= then_stat * (1 + rule.threshold):
            continue
        change = now_stat / then_stat - 1
        evidence: dict[str, Any] = {
            "metric": rule.metric,
            "statistic": statistic,
            "value": round(now_stat, 1),
            "previous": round(then_stat, 1),
            "change": round(change, 4),
            "limit": rule.threshold,
            "samples": len(values),
            "previous_samples": len(earlier),
        }
        if rule.page:
            evidence["page"] = rule.page
        reason = (
            f"rule {rule.id} ({rule.severity}): {check_id}'s {rule.metric} {statistic} "
            f"{now_stat:.0f} is {change:+.0%} on {previous}'s {then_stat:.0f} (more than "
            f"+{rule.threshold:.0%})"
        )
        out.append(Violation(reason, check_id, evidence))
    return out


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")
