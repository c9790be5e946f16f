"""`smoke report`: one static HTML page from the run history (no scripts, no external assets).

Per environment: pass rates over 24 h, 7 d and 30 d; a row per region (every runner's latest run
and where its artifacts are); per check a strip of its latest results, its pass rates and a
p50/p95 latency trend; the Web Vitals of every page a journey loads, with their trend
(`vitals_report`); each journey's latest baseline difference, its images side by side
(`visual_report`); the latest failures with links to their artifacts; the maintenance windows;
and the ad-hoc runs, listed apart. Pass rates count scheduled runs outside maintenance
windows only (SPEC §12); results inside a window are shaded in the strips. SPEC §17: deploys are
marked on the trend charts (a dashed line at each version's first run) and listed with their
verdicts; "Flaky checks" ranks the checks by how often only a retry saved them, and "Errors"
groups the failures by fingerprint (first and last seen, how often, where; `new` within a day).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from prodsmoke import redact
from prodsmoke._version import __version__
from prodsmoke.history import visual_report, vitals_report
from prodsmoke.history.analytics import error_groups, flaky_checks
from prodsmoke.history.charts import latency_chart, ms, status_strip
from prodsmoke.history.stats import (
    TREND_BUCKETS,
    Observation,
    latency_ms,
    observations,
    pass_rate,
    percentile,
    trend,
)
from prodsmoke.history.style import CSS
from prodsmoke.results import Status, Trigger

if TYPE_CHECKING:
    from collections.abc import Mapping

    from prodsmoke.history.analytics import ErrorGroup, Flaky
    from prodsmoke.history.charts import Marker
    from prodsmoke.history.rows import StoredRun
    from prodsmoke.history.windows import StoredWindow

PERIODS = (("24 h", timedelta(hours=24)), ("7 d", timedelta(days=7)), ("30 d", timedelta(days=30)))
SPAN = PERIODS[-1][1]  # the longest period shown: older runs are not read
LATEST_FAILURES = 15
LATEST_ADHOC = 20
LATEST_DEPLOYS = 20
ERROR_GROUPS = 25


GOOD, FAIR = 0.99, 0.9  # pass rates coloured green and amber (below: red)


def render(
    runs: Sequence[StoredRun],
    *,
    out: Path,
    now: datetime | None = None,
    windows: Sequence[StoredWindow] = (),
    first_seen: Mapping[str, Mapping[str, datetime]] | None = None,
) -> str:
    """The whole page for `runs` (any environments), with links relative to `out`'s folder.
    `first_seen`: per environment, when the whole history first saw each error fingerprint."""
    now = now or datetime.now(UTC)
    envs = sorted({r.env for r in runs})
    body = "".join(
        _env(
            env,
            [r for r in runs if r.env == env],
            [w for w in windows if w.env == env],
            out,
            now,
            (first_seen or {}).get(env, {}),
        )
        for env in envs
    )
    span = f"{runs[0].started_at:%Y-%m-%d %H:%M} to {runs[-1].started_at:%Y-%m-%d %H:%M} UTC"
    regions = len({r.region for r in runs})
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>prodsmoke · run history</title>
<style>{CSS}</style></head>
<body><main>
<header><h1>prodsmoke <span>run history</span></h1>
<p class="muted">{_count(len(runs), "run")} from {_count(regions, "region")} · {escape(span)}
· generated {now:%Y-%m-%d %H:%M} UTC · prodsmoke {__version__}</p></header>
{body}
</main></body></html>
"""


def _env(  # noqa: PLR0913, PLR0917 - one environment's part of the page
    env: str,
    runs: list[StoredRun],
    windows: list[StoredWindow],
    out: Path,
    now: datetime,
    first_seen: Mapping[str, datetime],
) -> str:
    scheduled = [r for r in runs if r.trigger is Trigger.SCHEDULED]
    counted = [r for r in runs if r.counts]
    adhoc = [r for r in runs if r.trigger is Trigger.ADHOC]
    deploys = [r for r in runs if r.trigger is Trigger.DEPLOY]
    markers = deploy_markers(deploys)
    deploy_legend = " · dashed: a deploy" if markers else ""
    latest = (scheduled or runs)[-1]
    cards = [
        _rate_card(label, [r.status for r in counted if r.started_at >= now - span], label)
        for label, span in PERIODS
    ]
    durations = [r.duration_ms for r in counted if r.started_at >= now - timedelta(days=1)]
    typical = ms(percentile(durations, 50)) if durations else "&ndash;"
    ago = _ago(now - latest.started_at)
    cards.append(
        f'<div class="card"><div class="label">latest run</div>'
        f'<div class="value"><span class="pill {latest.status}">{latest.status}</span></div>'
        f'<div class="muted">{ago} · {escape(latest.region)} · median run {typical} (24 h)</div>'
        "</div>"
    )
    by_check = observations(scheduled)
    span = min(max(now - runs[0].started_at, timedelta(hours=1)), SPAN)
    rows = "".join(
        _check_row(check, results, now, span, markers) for check, results in by_check.items()
    )
    failures = [
        o
        for results in by_check.values()
        for o in results
        if o.check.status is Status.FAIL and o.maintenance is None
    ]
    failures.sort(key=lambda o: o.at, reverse=True)
    return f"""<section>
<h2>{escape(env)} <span class="muted">{escape(latest.target)}</span></h2>
<div class="cards">{"".join(cards)}</div>
<h3>Regions</h3>
{_regions(scheduled, out, now)}
<h3>Checks</h3>
<table class="checks"><thead><tr><th>check</th><th>latest results <span class="muted">(oldest
→ newest; faded: inside a maintenance window)</span></th><th class="num">24 h</th>
<th class="num">7 d</th><th class="num">30 d</th>
<th>latency p50 <span class="swatch p50"></span> p95 <span class="swatch p95"></span>
<span class="muted">over {_ago(span, suffix="")}{deploy_legend}</span></th></tr></thead>
<tbody>{rows}</tbody></table>
{vitals_report.section(by_check, now=now, span=span, markers=markers)}
{visual_report.section(by_check, link=lambda url, artifact: _link(url, artifact, out))}
<h3>Latest failures</h3>
{_failures(failures[:LATEST_FAILURES], out)}
{_flaky(flaky_checks(runs))}
{_errors(error_groups(runs, now=now, first_seen=first_seen)[:ERROR_GROUPS], now)}
{_deploys(deploys, out)}
{_maintenance(windows, scheduled)}
{_adhoc(adhoc, out)}
</section>"""


def _regions(runs: list[StoredRun], out: Path, now: datetime) -> str:
    """One row per region: how many runs, its pass rates, its latest run and where that is."""
    if not runs:
        return '<p class="muted">No scheduled runs.</p>'
    rows = []
    for region in sorted({r.region for r in runs}):
        mine = [r for r in runs if r.region == region]
        counted = [r for r in mine if r.counts]
        latest = mine[-1]
        rates = [
            _rate_cell(pass_rate(r.status for r in counted if r.started_at >= now - period))
            for _, period in PERIODS[:2]
        ]
        link = _run_link(latest.artifacts_url, out)
        maintenance = ' <span class="pill maint">maintenance</span>' if latest.maintenance else ""
        rows.append(
            f"<tr{' class=maint' if latest.maintenance else ''}><td><code>{escape(region)}</code>"
            f'</td><td class="num">{len(mine)}</td>{"".join(rates)}'
            f'<td><span class="pill {latest.status}">{latest.status}</span>{maintenance} '
            f'<span class="muted">{_ago(now - latest.started_at)}</span></td><td>{link}</td></tr>'
        )
    return (
        '<table class="checks"><thead><tr><th>region</th><th class="num">runs</th>'
        '<th class="num">24 h</th><th class="num">7 d</th><th>latest run</th>'
        f"<th>its results</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _rate_card(label: str, statuses: list[Status], period: str) -> str:
    rate = pass_rate(statuses)
    ran = sum(s is not Status.SKIP for s in statuses)
    shown = "&ndash;" if rate is None else f"{rate:.0%}" if rate in (0, 1) else f"{rate:.1%}"
    tone = "none" if rate is None else "good" if rate >= GOOD else "ok" if rate >= FAIR else "bad"
    return (
        f'<div class="card"><div class="label">pass rate · {period}</div>'
        f'<div class="value {tone}">{shown}</div>'
        f'<div class="muted">{round((rate or 0) * ran)} of {_count(ran, "run")} passed</div></div>'
    )


def deploy_markers(deploys: Sequence[StoredRun]) -> list[Marker]:
    """Each deployed version's (or commit's) first run: where the trend charts mark it."""
    seen: dict[str, datetime] = {}
    for run in deploys:
        label = run.version or (run.commit or "")[:12]
        if label and label not in seen:
            seen[label] = run.started_at
    return [(at, f"deploy {label}") for label, at in seen.items()]


def _check_row(
    check: str,
    results: list[Observation],
    now: datetime,
    span: timedelta,
    markers: Sequence[Marker] = (),
) -> str:
    kind = results[-1].check.kind
    counted = [o for o in results if o.maintenance is None]
    rates = [
        _rate_cell(pass_rate(o.check.status for o in counted if o.at >= now - period))
        for _, period in PERIODS
    ]
    buckets = trend(counted, end=now, span=span, buckets=TREND_BUCKETS)
    day = [latency_ms(o.check) for o in counted if o.at >= now - timedelta(hours=24)]
    recent = f"24 h: p50 {ms(percentile(day, 50))} · p95 {ms(percentile(day, 95))}" if day else ""
    return (
        f'<tr><td><code>{escape(check)}</code><div class="muted">{kind}</div></td>'
        f"<td>{status_strip(results)}</td>{''.join(rates)}"
        f"<td>{latency_chart(buckets, end=now, markers=markers)}"
        f'<div class="muted">{recent}</div></td></tr>'
    )


def _rate_cell(rate: float | None) -> str:
    tone = "" if rate is None else "good" if rate >= GOOD else "ok" if rate >= FAIR else "bad"
    return f'<td class="num {tone}">{"&ndash;" if rate is None else f"{rate:.0%}"}</td>'


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
        links = _artifact_links(latest.artifacts_url, latest.check.artifacts, out)
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


def _flaky(found: list[Flaky]) -> str:
    """The checks only a retry saved, worst first."""
    if not found:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(f.check)}</code></td>"
        f'<td class="num {"bad" if f.rate >= 0.1 else "ok"}">{f.rate:.0%}</td>'  # noqa: PLR2004
        f'<td class="num">{f.flaky}</td><td class="num">{f.ran}</td>'
        f"<td>{f.last:%Y-%m-%d %H:%M} UTC</td><td>{escape(', '.join(f.regions))}</td></tr>"
        for f in found
    )
    return (
        "<h3>Flaky checks</h3>"
        '<p class="muted">Passed only on a retry: the share of the runs each ran in, over the '
        "report's span (ad-hoc runs and maintenance windows left out), the worst first.</p>"
        '<table class="checks"><thead><tr><th>check</th><th class="num">rate</th>'
        '<th class="num">flaky</th><th class="num">ran</th><th>last flaky</th><th>regions</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _errors(groups: list[ErrorGroup], now: datetime) -> str:
    """The failures by fingerprint, the most recently seen first."""
    if not groups:
        return ""
    rows = []
    for g in groups:
        new = ' <span class="pill fail">new</span>' if g.new else ""
        deploys = f'<div class="muted">with {escape(", ".join(sorted(g.deploys)))}</div>'
        rows.append(
            f"<tr><td><code>{escape(g.fingerprint)}</code>{new}</td>"
            f"<td><code>{escape(g.check)}</code></td>"
            f"<td>{escape(redact.redact(g.error)[:300])}{deploys if g.deploys else ''}</td>"
            f"<td>{g.first_seen:%Y-%m-%d %H:%M}</td><td>{g.last_seen:%Y-%m-%d %H:%M} "
            f'<span class="muted">({_ago(now - g.last_seen)})</span></td>'
            f'<td class="num">{g.count}</td><td>{escape(", ".join(sorted(g.regions)))}</td></tr>'
        )
    return (
        "<h3>Errors</h3>"
        '<p class="muted">Failures grouped by fingerprint (the error with its ids, numbers and '
        "URLs' variable parts taken out); <em>new</em>: first seen in the last 24 h. Times "
        "UTC.</p>"
        '<table class="checks"><thead><tr><th>fingerprint</th><th>check</th><th>latest error'
        '</th><th>first seen</th><th>last seen</th><th class="num">count</th><th>regions</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _deploys(runs: list[StoredRun], out: Path) -> str:
    if not runs:
        return ""
    rows = "".join(
        f"<tr><td>{r.started_at:%Y-%m-%d %H:%M} UTC</td>"
        f"<td><code>{escape(r.version or '')}</code></td>"
        f"<td><code>{escape((r.commit or '')[:12])}</code></td>"
        f"<td><code>{escape(r.region)}</code></td>"
        f'<td><span class="pill {r.status}">{r.status}</span></td>'
        f"<td>{escape(', '.join(c.id for c in r.checks if c.status is Status.FAIL))}</td>"
        f"<td>{_run_link(r.artifacts_url, out)}</td></tr>"
        for r in reversed(runs[-LATEST_DEPLOYS:])
    )
    return (
        f'<h3>Deploys <span class="pill deploy">{len(runs)}</span></h3>'
        '<p class="muted">Runs with <code>--trigger deploy</code>: marked on the trends, judged '
        "by <code>smoke gate --version</code> against the version before, counted in no pass "
        "rate.</p>"
        '<table class="checks"><thead><tr><th>when</th><th>version</th><th>commit</th>'
        "<th>region</th><th>status</th><th>failed</th><th>results</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _maintenance(windows: list[StoredWindow], runs: list[StoredRun]) -> str:
    marked = [r for r in runs if r.maintenance is not None]
    if not windows and not marked:
        return ""
    rows = "".join(
        f"<tr class=maint><td>{w.starts_at:%Y-%m-%d %H:%M} to {w.end:%Y-%m-%d %H:%M} UTC</td>"
        f"<td>{escape(w.reason)}</td><td>{escape(w.created_by)}</td>"
        f"<td>{escape(', '.join(w.silenced) or 'nothing')}</td></tr>"
        for w in windows
    )
    failed = sum(r.status is Status.FAIL for r in marked)
    return (
        "<h3>Maintenance windows</h3>"
        f'<p class="muted">{_count(len(marked), "run")} inside a window ({failed} failed): kept, '
        "shaded above, left out of pass rates and the gate.</p>"
        + (
            '<table class="checks"><thead><tr><th>when</th><th>reason</th><th>by</th>'
            f"<th>silenced</th></tr></thead><tbody>{rows}</tbody></table>"
            if rows
            else ""
        )
    )


def _adhoc(runs: list[StoredRun], out: Path) -> str:
    if not runs:
        return ""
    rows = "".join(
        f"<tr><td>{r.started_at:%Y-%m-%d %H:%M} UTC</td><td><code>{escape(r.region)}</code></td>"
        f'<td><span class="pill {r.status}">{r.status}</span></td>'
        f"<td>{escape(', '.join(c.id for c in r.checks))}</td>"
        f"<td>{_run_link(r.artifacts_url, out)}</td></tr>"
        for r in reversed(runs[-LATEST_ADHOC:])
    )
    return (
        f'<h3>Ad-hoc runs <span class="pill adhoc">{len(runs)}</span></h3>'
        '<p class="muted">Started by hand (<code>--check</code>, <code>repro</code>, '
        "<code>--adhoc</code>): kept, counted in no pass rate and no gate.</p>"
        '<table class="checks"><thead><tr><th>when</th><th>region</th><th>status</th>'
        f"<th>checks</th><th>results</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _artifact_links(artifacts_url: str | None, artifacts: Sequence[str], out: Path) -> str:
    if not artifacts_url or not artifacts:
        return ""
    if artifacts_url.startswith(("http://", "https://")):  # a CI run page holds them
        return f'<a href="{escape(artifacts_url)}">artifacts on the run page</a>'
    return " ".join(
        f'<a href="{escape(_link(artifacts_url, a, out))}">{escape(Path(a).name)}</a>'
        for a in artifacts[:6]
    )


def _run_link(artifacts_url: str | None, out: Path) -> str:
    if not artifacts_url:
        return '<span class="muted">&ndash;</span>'
    if artifacts_url.startswith(("http://", "https://")):
        href, text = artifacts_url, "run page"
    elif artifacts_url.startswith("s3://"):
        href, text = _s3_console(artifacts_url), artifacts_url
    else:
        href, text = _link(artifacts_url, "", out), "results folder"
    return f'<a href="{escape(href)}" title="{escape(artifacts_url)}">{escape(text)}</a>'


def _link(artifacts_url: str, artifact: str, out: Path) -> str:
    if artifacts_url.startswith("s3://"):
        return _s3_console(artifacts_url.rstrip("/") + "/" + artifact)
    target = Path(artifacts_url) / artifact
    try:
        return Path(os.path.relpath(target, out.resolve().parent)).as_posix()
    except ValueError:  # another drive: only an absolute link can reach it
        return target.as_uri()


def _s3_console(url: str) -> str:
    """An `s3://bucket/key` as the AWS console page for it (a browser cannot open s3://)."""
    bucket, _, key = url.removeprefix("s3://").partition("/")
    return f"https://s3.console.aws.amazon.com/s3/object/{bucket}?prefix={key}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _ago(delta: timedelta, suffix: str = " ago") -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}{suffix}"
    return f"{seconds} s{suffix}"
