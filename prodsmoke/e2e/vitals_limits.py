"""A journey's pages against its Web Vitals thresholds: what fails, what warns (SPEC §13).

A vital given a limit in the journey's `vitals:` fails above it and warns above `warn_ratio` of
it, like any timing; a vital left at its default ("good") limit only warns. Every message names
the page and the vital: `page /pricing: LCP 3120 ms is over the limit of 2500 ms`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from prodsmoke.config.vitals import LABELS, shown

if TYPE_CHECKING:
    from collections.abc import Sequence

    from prodsmoke.config.vitals import VitalLimits
    from prodsmoke.results import PageVitals


@dataclass(frozen=True, slots=True)
class Judgement:
    """What a journey's pages amount to against its thresholds."""

    failures: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def judge(pages: Sequence[PageVitals], limits: VitalLimits, warn_ratio: float) -> Judgement:
    """Each page's measured vitals against the journey's limits (and the defaults)."""
    failures: list[str] = []
    warnings: list[str] = []
    for page in pages:
        for limit in limits.limits():
            value = page.vitals.get(limit.vital)
            if value is None:
                continue
            what = f"page {page.path}: {LABELS[limit.vital]} {shown(limit.vital, value)}"
            bound = shown(limit.vital, limit.value)
            if not limit.fails:
                if value > limit.value:
                    default = "the default, which only warns"
                    warnings.append(f'{what} is over the "good" limit of {bound} ({default})')
            elif value > limit.value:
                failures.append(f"{what} is over the limit of {bound}")
            elif value > limit.value * warn_ratio:
                threshold = shown(limit.vital, limit.value * warn_ratio)
                warnings.append(
                    f"{what} is over the warn threshold {threshold} ({warn_ratio:.0%} of {bound})"
                )
    return Judgement(tuple(failures), tuple(warnings))
