"""page_load: a page loads in time, shows what it must, and logs no errors (its settings).

The built-in `homepage_load` is one; a team times more pages with `kind: page_load`. It runs in
`prodsmoke.e2e.journeys.page_load`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from prodsmoke.config.fields import Path, Selector
from prodsmoke.config.journeys import JourneySpec


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
