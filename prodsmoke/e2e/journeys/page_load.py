"""page_load: load one page, time it from the browser's Navigation Timing, check its elements.

Its settings are `prodsmoke.config.kinds.page_load.PageLoad`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from prodsmoke.e2e.journeys.base import JourneyRun, open_page, visible_within
from prodsmoke.e2e.timing import navigation_timing
from prodsmoke.errors import CheckFailure

if TYPE_CHECKING:
    from prodsmoke.config.kinds.page_load import PageLoad

VISIBLE_WAIT_MS = 2000  # after the load event; longer means the element is missing, not late


async def run(j: JourneyRun, spec: PageLoad) -> None:
    """Load `spec.url`; measure the load from the Navigation Timing entry; check elements."""
    with j.steps.step(f"load {spec.url}"):
        await open_page(j, spec.url)
        timing = await navigation_timing(j.page, timeout_ms=j.timeout_ms)
    j.measured()
    j.metrics.update(
        page_load_ms=round(timing.load_ms),
        ttfb_ms=round(timing.ttfb_ms),
        dom_content_loaded_ms=round(timing.dom_content_loaded_ms),
    )
    with j.steps.step("check the page"):
        shown = await asyncio.gather(*(visible_within(j, s, VISIBLE_WAIT_MS) for s in spec.visible))
        j.metrics["console_errors"] = len(j.observer.console_errors)
        problems = [
            f"{selector} is not visible"
            for selector, ok in zip(spec.visible, shown, strict=True)
            if not ok
        ]
        errors = j.observer.console_errors
        if len(errors) > spec.max_console_errors:
            problems.append(
                f"{len(errors)} console error{'s' if len(errors) != 1 else ''} "
                f"(at most {spec.max_console_errors} allowed), first: {errors[0]!r}"
            )
        if timing.load_ms > spec.max_load_ms:
            problems.append(
                f"page load took {timing.load_ms:.0f} ms, over the limit of {spec.max_load_ms} ms"
            )
        if problems:
            raise CheckFailure(f"page {spec.url}: " + "; ".join(problems) + j.blocked_hint())
    j.warn_if_over("page load", timing.load_ms, spec.max_load_ms)
