"""The report's Web Vitals section (SPEC §13): a row per journey and page it loaded.

Each row shows the page's LCP trend (p50 line in a p95 band, `charts.latency_chart`) and, per
vital, the 75th percentile of the last 24 hours (the percentile Google assesses vitals at),
coloured by Google's scale: good, needs improvement, poor. Hover text gives the latest value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING

from prodsmoke.config.vitals import GOOD, LABELS, VITALS, shown
from prodsmoke.history.charts import latency_chart
from prodsmoke.history.stats import TREND_BUCKETS, Bucket, bucketed, percentile
from prodsmoke.results import Status

if TYPE_CHECKING:
    from prodsmoke.history.charts import Marker
    from prodsmoke.history.stats import Observation

# Poor above these (good up to config.vitals.GOOD): https://web.dev/articles/vitals and the FCP /
# TTFB articles.
POOR = {
    "ttfb_ms": 1800,
    "fcp_ms": 3000,
    "lcp_ms": 4000,
    "cls": 0.25,
    "inp_ms": 500,
}
ASSESSED = 75  # the percentile each vital is judged at
TREND = ("lcp_ms", "fcp_ms", "ttfb_ms")  # the first of these a page has is drawn


def section(
    by_check: dict[str, list[Observation]],
    *,
    now: datetime,
    span: timedelta,
    markers: Sequence[Marker] = (),
) -> str:
    """The section's HTML; '' when no journey has reported a page yet. `markers`: the deploys,
    marked on each trend."""
    rows = [
        _row(check, page, points, now, span, markers)
        for check, results in by_check.items()
        for page, points in _pages(results).items()
    ]
    if not rows:
        return ""
    heads = "".join(f'<th class="num">{escape(LABELS[v])}</th>' for v in VITALS)
    return (
        "<h3>Web Vitals</h3>"
        f'<p class="muted">Per journey and page: p{ASSESSED} over the last 24 h, coloured by '
        "Google's scale (good, needs improvement, poor); the trend is the page's largest "
        "contentful paint.</p>"
        '<table class="checks vitals"><thead><tr><th>journey · page</th>'
        f'<th>trend <span class="muted">p50 / p95</span></th>{heads}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


Point = tuple[datetime, dict[str, float]]


def _pages(results: Iterable[Observation]) -> dict[str, list[Point]]:
    """Each page's measurements over time, oldest first (skipped checks and maintenance out)."""
    out: dict[str, list[Point]] = {}
    for item in results:
        if item.check.status is Status.SKIP or item.maintenance is not None:
            continue
        for page in item.check.pages:
            out.setdefault(page.path, []).append((item.at, dict(page.vitals)))
    return out


def _row(  # noqa: PLR0913, PLR0917 - one page's row
    check: str,
    page: str,
    points: list[Point],
    now: datetime,
    span: timedelta,
    markers: Sequence[Marker] = (),
) -> str:
    day = [values for at, values in points if at >= now - timedelta(hours=24)]
    latest = points[-1][1]
    cells = "".join(_cell(v, [d[v] for d in day if v in d], latest.get(v)) for v in VITALS)
    drawn = next((v for v in TREND if any(v in values for _, values in points)), None)
    chart = (
        latency_chart(
            _trend(points, drawn, end=now, span=span),
            end=now,
            width=240,
            height=64,
            markers=markers,
        )
        if drawn
        else '<span class="muted">no paint measured</span>'
    )
    label = "" if drawn in (None, "lcp_ms") else f'<div class="muted">{LABELS[drawn]}</div>'
    return (
        f"<tr><td><code>{escape(check)}</code><div><code>{escape(page)}</code></div></td>"
        f"<td>{chart}{label}</td>{cells}</tr>"
    )


def _cell(vital: str, day: Sequence[float], latest: float | None) -> str:
    if not day:
        return '<td class="num"><span class="muted">&ndash;</span></td>'
    value = percentile(day, ASSESSED)
    tone = ""
    if vital in POOR:
        good, poor = GOOD[vital], POOR[vital]
        tone = "good" if value <= good else "bad" if value > poor else "ok"
    tip = f"latest {shown(vital, latest)}" if latest is not None else ""
    return (
        f'<td class="num {tone}" title="{escape(tip)} · {len(day)} runs">'
        f"{escape(shown(vital, value))}</td>"
    )


def _trend(points: list[Point], vital: str, *, end: datetime, span: timedelta) -> list[Bucket]:
    """p50/p95 of one vital in equal slices of `span` ending at `end`."""
    series = ((at, values[vital]) for at, values in points if vital in values)
    return bucketed(series, end=end, span=span, buckets=TREND_BUCKETS)
