"""page_load: a page loads in time, shows what it must, and logs no errors.

The built-in `homepage_load` is one; a team times more pages with `kind: page_load`.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar, Literal

from pydantic import Field

from prodsmoke.config.journeys import JourneySpec
from prodsmoke.config.models import Path, Selector
from prodsmoke.e2e.journeys.base import JourneyRun, open_page, visible_within
from prodsmoke.e2e.journeys.registry import register
from prodsmoke.e2e.timing import navigation_timing
from prodsmoke.errors import CheckFailure

VISIBLE_WAIT_MS = 2000  # after the load event; longer means the element is missing, not late


class PageLoad(JourneySpec):
    """Load one page: timing, required elements, console errors."""

    claims_ids: ClassVar[tuple[str, ...]] = ("homepage_load",)
    leads: ClassVar[bool] = True

    kind: Literal["page_load"] = "page_load"
    url: Path = "/"
    max_load_ms: int = Field(3000, gt=0, description="milliseconds, a whole number > 0")
    visible: tuple[Selector, ...] = ("body",)
    max_console_errors: int = Field(0, ge=0, description="a whole number >= 0")

    def summary(self) -> str:
        """E.g. '/ · load < 3000 ms · visible header · console errors ≤ 0'."""
        return (
            f"{self.url} · load < {self.max_load_ms} ms · visible {', '.join(self.visible)} · "
            f"console errors ≤ {self.max_console_errors}"
        )

    def step_names(self) -> frozenset[str]:
        """The steps `run` times."""
        return frozenset({f"load {self.url}", "check the page"})

    def metric_names(self) -> frozenset[str]:
        """What `run` measures."""
        return frozenset({"page_load_ms", "ttfb_ms", "dom_content_loaded_ms", "console_errors"})


@register(PageLoad)
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
