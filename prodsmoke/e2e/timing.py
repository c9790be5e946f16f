"""Timings read from the browser's own Navigation Timing entry, not from our clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Page

_LOADED = """() => {
  const e = performance.getEntriesByType('navigation')[0];
  return !!e && e.loadEventEnd > 0;
}"""
_ENTRY = """() => {
  const e = performance.getEntriesByType('navigation')[0];
  return {start: e.startTime, ttfb: e.responseStart, dcl: e.domContentLoadedEventEnd,
          load: e.loadEventEnd, status: e.responseStatus || 0};
}"""


@dataclass(frozen=True, slots=True)
class NavigationTiming:
    """Milliseconds from navigation start, per the PerformanceNavigationTiming entry."""

    ttfb_ms: float
    dom_content_loaded_ms: float
    load_ms: float


async def navigation_timing(page: Page, *, timeout_ms: float) -> NavigationTiming:
    """Wait for `loadEventEnd`, then read the entry of the page's current document."""
    await page.wait_for_function(_LOADED, timeout=timeout_ms)
    entry = await page.evaluate(_ENTRY)
    start = float(entry["start"])
    return NavigationTiming(
        ttfb_ms=float(entry["ttfb"]) - start,
        dom_content_loaded_ms=float(entry["dcl"]) - start,
        load_ms=float(entry["load"]) - start,
    )
