"""The release gate: recent history held to the alert rules and the SLOs.

The gate looks at the last `window` of one environment's history. Each alert rule applies over its
own window, widened to the gate's when shorter (scheduled runs every 30 minutes leave a 5-minute
window mostly empty). The SLOs apply over the gate window: each check's success rate and the p95 of
each latency objective (`latency_p95_ms`, and `latency:` narrowed by check and page); a check's
current failing streak counts however long ago it began. No runs in the window is itself a
violation unless `gate.require_data` is false: no evidence is not health.

Only scheduled runs outside maintenance windows count (SPEC §12): ad-hoc runs, deploy runs (SPEC
§17: `smoke gate --version` judges those, `history.compare`) and runs inside a window are left
out, and the verdict says how many were. Regression rules (`slower_than_previous`) compare
versions, so this gate leaves them to `--version` as well. `runs` is the number of distinct runs
the verdict was built from (every window it looked at), `window_runs` those inside the gate
window, so no violation ever stands on more runs than the verdict says it read.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from prodsmoke.config.monitoring import format_duration
from prodsmoke.history.rollback import RunView, rollback_violations
from prodsmoke.history.stats import failing_streak, observations, pass_rate, percentile
from prodsmoke.outcomes import check_values
from prodsmoke.results import CheckKind, Status, Trigger

if TYPE_CHECKING:
    from prodsmoke.config.alert_rules import AlertRules, Rule
    from prodsmoke.config.monitoring import Monitoring
    from prodsmoke.history.rows import StoredRun
    from prodsmoke.history.store import History
    from prodsmoke.results import CheckResult

STREAK_LOOKBACK = timedelta(days=1)
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    ">": operator.gt,
    ">=": operator.ge,
}
_AGGREGATE: dict[str, Callable[[list[float]], float]] = {
    "avg": lambda v: sum(v) / len(v),
    "min": min,
    "max": max,
    "sum": sum,
}


@dataclass(frozen=True, slots=True)
class Violation:
    """One reason the gate is closed."""

    reason: str
    check: str | None
    evidence: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"reason": self.reason, "check": self.check, "evidence": self.evidence}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The gate's answer."""

    env: str
    window_s: int
    runs: int
    violations: tuple[Violation, ...] = field(default=())
    window_runs: int = 0
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when nothing blocks the release."""
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        """`{"pass": …, "violations": […]}` plus what was looked at."""
        return {
            "pass": self.passed,
            "violations": [v.to_dict() for v in self.violations],
            "env": self.env,
            "window": format_duration(self.window_s),
            "runs": self.runs,
            "window_runs": self.window_runs,
            "excluded": self.excluded,
        }


def evaluate(
    history: History,
    rules: AlertRules,
    monitoring: Monitoring,
    *,
    env: str,
    window_s: int | None = None,
    now: datetime | None = None,
) -> Verdict:
    """Hold `env`'s recent history to `rules` (its alert rules and SLOs)."""
    now = now or datetime.now(UTC)
    rules = rules.monitored_only()
    window = window_s or rules.gate.window
    widest = max([window, *(r.window for r in rules.rules)])
    fetched = history.runs(env=env, since=now - max(timedelta(seconds=widest), STREAK_LOOKBACK))
    runs = [r for r in fetched if r.counts]
    recent = _since(runs, now, window)
    used = {r.run_id for r in recent}
    found: list[Violation] = []
    if not recent and rules.gate.require_data:
        latest = runs[-1].started_at.isoformat() if runs else None
        evidence: dict[str, Any] = {"window": format_duration(window), "latest_run": latest}
        left_out = _excluded(_since(fetched, now, window))
        if left_out:
            evidence["excluded"] = left_out
        found.append(Violation("no runs in the window", None, evidence))
    for rule in rules.rules:
        span = _since(runs, now, max(rule.window, window))
        used.update(r.run_id for r in span)
        found += _rule(rule, span, monitoring, window)
    slos, streak_runs = _slos(rules, recent, runs, window, monitoring.metric_prefix)
    found += slos
    found += [
        Violation(v.reason, v.check, {**v.evidence, "rollback": v.condition})
        for v in rollback_violations(
            rules.rollback,
            [RunView.of(r) for r in recent],
            env=env,
            now=now,
            window_s=window,
            critical_journeys=rules.critical_journeys,
        )
    ]
    used.update(streak_runs)
    return Verdict(
        env,
        window,
        len(used),
        tuple(found),
        window_runs=len(recent),
        excluded=_excluded(_since(fetched, now, widest)),
    )


def _excluded(runs: Sequence[StoredRun]) -> dict[str, int]:
    """How many runs were left out, and why (the trigger first: an ad-hoc or deploy run in a
    window counts as ad-hoc or deploy)."""
    adhoc = sum(r.trigger is Trigger.ADHOC for r in runs)
    deploy = sum(r.trigger is Trigger.DEPLOY for r in runs)
    maintenance = sum(r.trigger is Trigger.SCHEDULED and r.maintenance is not None for r in runs)
    found = (("adhoc", adhoc), ("deploy", deploy), ("maintenance", maintenance))
    return {k: v for k, v in found if v}


def _since(runs: Sequence[StoredRun], now: datetime, seconds: int) -> list[StoredRun]:
    start = now - timedelta(seconds=seconds)
    return [r for r in runs if start <= r.started_at <= now]


def _groups(rule: Rule, run: StoredRun, check: str | None) -> tuple[tuple[str, str], ...]:
    values = {"region": run.region, "check": check or ""}
    return tuple((g, values[g]) for g in rule.group_by if values[g])


def _samples(
    rule: Rule, runs: Iterable[StoredRun], suffix: str, prefix: str
) -> dict[tuple[tuple[str, str], ...], list[tuple[float, str]]]:
    """Metric values (with their run ids) per group, at the rule's scope."""
    out: dict[tuple[tuple[str, str], ...], list[tuple[float, str]]] = {}
    for run in runs:
        if rule.scope_for(prefix) == "run":
            value = _run_value(run, suffix)
            if value is not None:
                out.setdefault(_groups(rule, run, None), []).append((value, run.run_id))
            continue
        for check in run.checks:
            # `check:` / `check_kind:` narrow a rule; its `page:` is metric_value's to pick
            if not rule.selects(check.id, page=rule.page):
                continue
            if (value := metric_value(check, suffix, rule.page)) is not None:
                out.setdefault(_groups(rule, run, check.id), []).append((value, run.run_id))
    return out


def metric_value(check: CheckResult, suffix: str, page: str | None = None) -> float | None:
    """One check's value of the metric `<prefix>.<suffix>` as the history keeps it, None when it
    has none: the built-ins (`outcomes.check_values`), a journey's own `journey.<m>`, and a Web
    Vital (`web_vitals.<v>`, the worst of its pages, or of `page`). Steps are not kept, so a
    step's duration has no value here (the monitoring backends judge those)."""
    values = check_values(check)
    if suffix in values or check.status is Status.SKIP:
        return values.get(suffix)
    if suffix.startswith("journey.") and check.kind is CheckKind.JOURNEY:
        found = check.metrics.get(suffix.removeprefix("journey."))
        return None if found is None else float(found)
    if suffix.startswith("web_vitals."):
        vital = suffix.removeprefix("web_vitals.")
        seen = [
            p.vitals[vital] for p in check.pages if vital in p.vitals and page in (None, p.path)
        ]
        return float(max(seen)) if seen else None
    return None


def _run_value(run: StoredRun, suffix: str) -> float | None:
    if suffix == "duration":
        return float(run.duration_ms)
    if run.status is Status.SKIP or suffix not in ("success", "failures"):
        return None
    ok = 1.0 if run.status.ok else 0.0
    return ok if suffix == "success" else 1.0 - ok


def _rule(
    rule: Rule, runs: list[StoredRun], monitoring: Monitoring, gate_s: int
) -> list[Violation]:
    prefix = monitoring.metric_prefix
    window = format_duration(max(rule.window, gate_s))
    head = f"rule {rule.id} ({rule.severity})"
    if rule.kind == "regions":
        failing = sorted({r.region for r in runs if r.status is Status.FAIL})
        if len(failing) < rule.threshold:
            return []
        found: dict[str, Any] = {
            "failing_regions": failing,
            "threshold": rule.failing_regions,
            "window": window,
        }
        return [Violation(f"{head}: failing from {len(failing)} regions", None, found)]
    suffix = (
        "failures" if rule.kind == "failures" else (rule.metric or "").removeprefix(prefix + ".")
    )
    aggregate = _AGGREGATE["sum" if rule.kind == "failures" else rule.aggregation]
    out = []
    for group, samples in _samples(rule, runs, suffix, prefix).items():
        value = aggregate([v for v, _ in samples])
        if not _OPS[rule.op](value, rule.threshold):
            continue
        label = f"{rule.aggregation} {prefix}.{suffix}" if rule.kind == "metric" else "failures"
        evidence: dict[str, Any] = {
            "value": round(value, 4),
            "op": rule.op,
            "threshold": rule.threshold,
            "window": window,
            "samples": len(samples),
            "runs": sorted({run_id for _, run_id in samples})[-10:],
        }
        group_map = dict(group)
        if "region" in group_map:
            evidence["region"] = group_map["region"]
        reason = f"{head}: {label} {value:g} {rule.op} {rule.threshold:g} over {window}"
        out.append(Violation(reason, group_map.get("check"), evidence))
    return out


def _slos(
    rules: AlertRules, recent: list[StoredRun], runs: list[StoredRun], window_s: int, prefix: str
) -> tuple[list[Violation], set[str]]:
    """The SLO violations, and the runs a failing streak reached back to."""
    slos, window = rules.slos, format_duration(window_s)
    out = []
    recent_by_check = observations(recent)
    for check_id, results in recent_by_check.items():
        rate = pass_rate(r.check.status for r in results)
        if rate is not None and rate < slos.success_rate:
            ran = [r for r in results if r.check.status is not Status.SKIP]
            evidence: dict[str, Any] = {
                "success_rate": round(rate, 4),
                "slo": slos.success_rate,
                "passed": sum(r.check.status.ok for r in ran),
                "ran": len(ran),
                "window": window,
            }
            reason = f"SLO success rate: {rate:.0%} < {slos.success_rate:.0%} over {window}"
            out.append(Violation(reason, check_id, evidence))
    streak_runs: set[str] = set()
    for check_id, results in observations(runs).items():
        streak = failing_streak(results)
        streak_runs.update(s.run_id for s in streak)
        if len(streak) >= slos.max_consecutive_failures:
            evidence = {
                "consecutive_failures": len(streak),
                "limit": slos.max_consecutive_failures,
                "since": streak[0].at.isoformat(),
                "runs": [s.run_id for s in streak][-10:],
                "latest_error": streak[-1].check.error,
            }
            reason = f"SLO consecutive failures: failed the last {len(streak)} runs"
            out.append(Violation(reason, check_id, evidence))
    objectives: list[tuple[str, float, tuple[str, ...], str | None]] = [
        (m, limit, (), None) for m, limit in slos.latency_p95_ms.items()
    ]
    objectives += [(o.metric, o.p95_ms, o.check, o.page) for o in slos.latency]
    for metric, limit, only, page in objectives:
        suffix = metric.removeprefix(prefix + ".")
        for check_id, results in recent_by_check.items():
            if only and check_id not in only:
                continue
            found = (metric_value(r.check, suffix, page) for r in results)
            values = [v for v in found if v is not None]
            if values and (p95 := percentile(values, 95)) > limit:
                evidence = {"p95_ms": round(p95, 1), "limit_ms": limit, "samples": len(values)}
                reason = f"SLO latency: {metric} p95 {p95:.0f} ms > {limit:g} ms over {window}"
                out.append(Violation(reason, check_id, evidence | {"window": window}))
    return out, streak_runs
