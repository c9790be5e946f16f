"""Inline SVG for the HTML report: a status strip and a p50/p95 latency trend, with the deploys
marked on it (SPEC §17: a dashed line where each version's first run was). No scripts; hover
text comes from SVG `<title>` elements, which every browser shows as a tooltip."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from prodsmoke.history.stats import latency_ms
from prodsmoke.results import Status

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from prodsmoke.history.stats import Bucket, Observation

COLOURS = {
    Status.PASS: "#16a34a",
    Status.WARN: "#d97706",
    Status.FAIL: "#dc2626",
    Status.SKIP: "#cbd5e1",
}
P50, P95 = "#2563eb", "#93c5fd"
MAINTENANCE = "#7c3aed"
DEPLOY = "#0f766e"
Marker = tuple["datetime", str]  # when, and what: a deploy's first run and its version


MS = 1000  # milliseconds in a second


def ms(value: float) -> str:
    """`640 ms`, `1.2 s`."""
    return f"{value / MS:.1f} s" if value >= MS else f"{value:.0f} ms"


def status_strip(results: Sequence[Observation], *, slots: int = 40) -> str:
    """The latest `slots` results as coloured bars, oldest on the left, newest on the right."""
    bar, gap, height = 7, 2, 26
    latest = list(results)[-slots:]
    width = slots * (bar + gap) - gap
    parts = [
        f'<svg class="strip" viewBox="0 0 {width} {height}" height="{height}" '
        f'preserveAspectRatio="none" role="img" aria-label="last {len(latest)} results">'
    ]
    offset = (slots - len(latest)) * (bar + gap)
    for i, item in enumerate(latest):
        check = item.check
        maintenance = f" · maintenance: {item.maintenance}" if item.maintenance else ""
        tip = (
            f"{item.at:%Y-%m-%d %H:%M} UTC · {item.region} · {check.status}{maintenance} · "
            f"{ms(latency_ms(check))}" + (f"\n{check.error[:200]}" if check.error else "")
        )
        x = offset + i * (bar + gap)
        # A result inside a maintenance window is shaded: its colour faded behind a purple band.
        shade = (
            f'<rect x="{x}" y="{height - 4}" width="{bar}" height="4" fill="{MAINTENANCE}"/>'
            if item.maintenance
            else ""
        )
        opacity = ' fill-opacity="0.35"' if item.maintenance else ""
        parts.append(
            f'<rect x="{x}" y="0" width="{bar}" height="{height}" rx="2" '
            f'fill="{COLOURS[check.status]}"{opacity}><title>{escape(tip)}</title></rect>{shade}'
        )
    parts.append("</svg>")
    return "".join(parts)


def latency_chart(
    buckets: Sequence[Bucket],
    *,
    end: datetime,
    width: int = 300,
    height: int = 84,
    markers: Sequence[Marker] = (),
) -> str:
    """p50 as a line inside a p95 band, with the scale's top value and hover text per slice;
    each of `markers` (a deploy) a dashed vertical line where it falls among the slices."""
    if not buckets:
        return '<span class="muted">no timings yet</span>'
    left, right, top, bottom = 40, 6, 8, 16
    inner_w, inner_h = width - left - right, height - top - bottom
    ceiling = _nice(max(b.p95 for b in buckets) * 1.1)
    step = inner_w / max(len(buckets) - 1, 1)

    def x(i: int) -> float:
        return left + (i * step if len(buckets) > 1 else inner_w / 2)

    def y(value: float) -> float:
        return top + inner_h - inner_h * value / ceiling

    p50 = " ".join(f"{x(i):.1f},{y(b.p50):.1f}" for i, b in enumerate(buckets))
    band = p50.split() + [
        f"{x(i):.1f},{y(b.p95):.1f}" for i, b in reversed(list(enumerate(buckets)))
    ]
    parts = [
        f'<svg class="trend" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-label="latency p50 and p95">',
        f'<line x1="{left}" y1="{y(ceiling):.1f}" x2="{width - right}" y2="{y(ceiling):.1f}" '
        'class="grid"/>',
        f'<line x1="{left}" y1="{y(ceiling / 2):.1f}" x2="{width - right}" '
        f'y2="{y(ceiling / 2):.1f}" class="grid"/>',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" class="axis"/>',
        f'<text x="{left - 4}" y="{y(ceiling) + 4:.1f}" class="tick">{ms(ceiling)}</text>',
        f'<text x="{left - 4}" y="{y(ceiling / 2) + 4:.1f}" class="tick">{ms(ceiling / 2)}</text>',
        f'<text x="{left - 4}" y="{y(0) + 4:.1f}" class="tick">0</text>',
        f'<text x="{left}" y="{height - 2}" class="when">{buckets[0].start:%b %d %H:%M}</text>',
        f'<text x="{width - right}" y="{height - 2}" class="when end">{end:%b %d %H:%M}</text>',
        f'<polygon points="{" ".join(band)}" fill="{P95}" fill-opacity="0.45"/>',
        f'<polyline points="{p50}" fill="none" stroke="{P50}" stroke-width="2" '
        'stroke-linejoin="round"/>',
    ]
    if len(buckets) == 1:
        parts.append(f'<circle cx="{x(0):.1f}" cy="{y(buckets[0].p50):.1f}" r="3" fill="{P50}"/>')
    for at, label in markers:
        if not buckets[0].start <= at <= end:
            continue
        mx = _place(buckets, at, x, step)
        parts.append(
            f'<line x1="{mx:.1f}" y1="{top}" x2="{mx:.1f}" y2="{top + inner_h}" class="deploy" '
            f'stroke="{DEPLOY}" stroke-dasharray="3 2"><title>{escape(label)} · '
            f"{at:%Y-%m-%d %H:%M} UTC</title></line>"
        )
    for i, b in enumerate(buckets):
        tip = f"{b.start:%Y-%m-%d %H:%M} UTC · p50 {ms(b.p50)} · p95 {ms(b.p95)} · {b.samples} runs"
        parts.append(
            f'<rect x="{x(i) - step / 2:.1f}" y="{top}" width="{max(step, 6):.1f}" '
            f'height="{inner_h}" fill="transparent"><title>{escape(tip)}</title></rect>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _place(
    buckets: Sequence[Bucket], at: datetime, x: Callable[[int], float], step: float
) -> float:
    """Where `at` falls on a chart whose points are the (non-empty) slices, in order."""
    for i in range(len(buckets) - 1):
        start, following = buckets[i].start, buckets[i + 1].start
        if start <= at < following:
            return x(i) + step * ((at - start) / (following - start))
    return x(len(buckets) - 1)


def _nice(value: float) -> float:
    """Round a scale's top up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= value))
