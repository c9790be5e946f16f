"""`smoke report`: one static HTML page from the run history (no scripts, no external assets).

Per environment: pass rates over 24 h, 7 d and 30 d; per check a strip of its latest results, its
pass rates and a p50/p95 latency trend; then the latest failures with links to their artifacts.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from prodsmoke import __version__, redact
from prodsmoke.history.charts import latency_chart, ms, status_strip
from prodsmoke.history.stats import (
    Observation,
    latency_ms,
    observations,
    pass_rate,
    percentile,
    trend,
)
from prodsmoke.history.style import CSS
from prodsmoke.results import Status

if TYPE_CHECKING:
    from prodsmoke.history.store import StoredRun

PERIODS = (("24 h", timedelta(hours=24)), ("7 d", timedelta(days=7)), ("30 d", timedelta(days=30)))
SPAN = PERIODS[-1][1]  # the longest period shown: older runs are not read
TREND_BUCKETS = 30
LATEST_FAILURES = 15


def render(runs: Sequence[StoredRun], *, out: Path, now: datetime | None = None) -> str:
    """The whole page for `runs` (any environments), with links relative to `out`'s folder."""
    now = now or datetime.now(UTC)
    envs = sorted({r.env for r in runs})
    body = "".join(_env(env, [r for r in runs if r.env == env], out, now) for env in envs)
    span = f"{runs[0].started_at:%Y-%m-%d %H:%M} to {runs[-1].started_at:%Y-%m-%d %H:%M} UTC"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>prodsmoke · run history</title>
<style>{CSS}</style></head>
<body><main>
<header><h1>prodsmoke <span>run history</span></h1>
<p class="muted">{_count(len(runs), "run")} · {escape(span)} · generated {now:%Y-%m-%d %H:%M} UTC
· prodsmoke {__version__}</p></header>
{body}
</main></body></html>
"""


def _env(env: str, runs: list[StoredRun], out: Path, now: datetime) -> str:
    latest = runs[-1]
    cards = [
        _rate_card(label, [r.status for r in runs if r.started_at >= now - span], label)
        for label, span in PERIODS
    ]
    durations = [r.duration_ms for r in runs if r.started_at >= now - timedelta(days=1)]
    typical = ms(percentile(durations, 50)) if durations else "&ndash;"
    ago = _ago(now - latest.started_at)
    cards.append(
        f'<div class="card"><div class="label">latest run</div>'
        f'<div class="value"><span class="pill {latest.status}">{latest.status}</span></div>'
        f'<div class="muted">{ago} · {escape(latest.region)} · median run {typical} (24 h)</div>'
        "</div>"
    )
    by_check = observations(runs)
    span = min(max(now - runs[0].started_at, timedelta(hours=1)), SPAN)
    rows = "".join(_check_row(check, results, now, span) for check, results in by_check.items())
    failures = [
        o for results in by_check.values() for o in results if o.check.status is Status.FAIL
    ]
    failures.sort(key=lambda o: o.at, reverse=True)
    return f"""<section>
<h2>{escape(env)} <span class="muted">{escape(latest.target)}</span></h2>
<div class="cards">{"".join(cards)}</div>
<h3>Checks</h3>
<table class="checks"><thead><tr><th>check</th><th>latest results <span class="muted">(oldest
→ newest)</span></th><th class="num">24 h</th><th class="num">7 d</th><th class="num">30 d</th>
<th>latency p50 <span class="swatch p50"></span> p95 <span class="swatch p95"></span>
<span class="muted">over {_ago(span, suffix="")}</span></th></tr></thead>
<tbody>{rows}</tbody></table>
<h3>Latest failures</h3>
{_failures(failures[:LATEST_FAILURES], out)}
</section>"""


def _rate_card(label: str, statuses: list[Status], period: str) -> str:
    rate = pass_rate(statuses)
    ran = sum(s is not Status.SKIP for s in statuses)
    shown = "&ndash;" if rate is None else f"{rate:.0%}" if rate in (0, 1) else f"{rate:.1%}"
    tone = "none" if rate is None else "good" if rate >= 0.99 else "ok" if rate >= 0.9 else "bad"
    return (
        f'<div class="card"><div class="label">pass rate · {period}</div>'
        f'<div class="value {tone}">{shown}</div>'
        f'<div class="muted">{round((rate or 0) * ran)} of {_count(ran, "run")} passed</div></div>'
    )


def _check_row(check: str, results: list[Observation], now: datetime, span: timedelta) -> str:
    kind = results[-1].check.kind
    rates = []
    for _, period in PERIODS:
        rate = pass_rate(o.check.status for o in results if o.at >= now - period)
        tone = "" if rate is None else "good" if rate >= 0.99 else "ok" if rate >= 0.9 else "bad"
        rates.append(f'<td class="num {tone}">{"&ndash;" if rate is None else f"{rate:.0%}"}</td>')
    buckets = trend(results, end=now, span=span, buckets=TREND_BUCKETS)
    day = [latency_ms(o.check) for o in results if o.at >= now - timedelta(hours=24)]
    recent = f"24 h: p50 {ms(percentile(day, 50))} · p95 {ms(percentile(day, 95))}" if day else ""
    return (
        f'<tr><td><code>{escape(check)}</code><div class="muted">{kind}</div></td>'
        f"<td>{status_strip(results)}</td>{''.join(rates)}"
        f'<td>{latency_chart(buckets, end=now)}<div class="muted">{recent}</div></td></tr>'
    )


def _failures(failures: list[Observation], out: Path) -> str:
    """Newest first; repeats of one check failing the same way fold into one item."""
    if not failures:
        return '<p class="muted">No failures in the history.</p>'
    groups: dict[tuple[str, str], list[Observation]] = {}
    for item in failures:
        groups.setdefault((item.check.id, item.check.error or ""), []).append(item)
    items = []
    for (check_id, error), group in list(groups.items())[:LATEST_FAILURES]:
        latest = group[0]
        links = " ".join(
            f'<a href="{escape(_link(latest.output_dir, a, out))}">{escape(Path(a).name)}</a>'
            for a in latest.check.artifacts[:6]
        )
        regions = ", ".join(sorted({o.region for o in group}))
        when = f"{latest.at:%Y-%m-%d %H:%M}"
        if len(group) > 1:
            end = f"{latest.at:%H:%M}" if latest.at.date() == group[-1].at.date() else when
            when = f"{len(group)} times, {group[-1].at:%Y-%m-%d %H:%M} to {end}"
        items.append(
            f'<li><div class="when">{escape(when)} UTC · {escape(regions)}</div>'
            f'<div><code>{escape(check_id)}</code> <span class="pill fail">'
            f"{escape(str(latest.check.failure_class or 'fail'))}</span> "
            f"{escape(redact.redact(error)[:300])}</div>"
            f'<div class="muted">{links or "no artifacts"} · '
            f"<code>{escape(latest.check.repro)}</code></div></li>"
        )
    return f'<ul class="failures">{"".join(items)}</ul>'


def _link(output_dir: str, artifact: str, out: Path) -> str:
    target = Path(output_dir) / artifact
    try:
        return Path(os.path.relpath(target, out.resolve().parent)).as_posix()
    except ValueError:  # another drive: only an absolute link can reach it
        return target.as_uri()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _ago(delta: timedelta, suffix: str = " ago") -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}{suffix}"
    return f"{seconds} s{suffix}"
