"""anonymous_enhancement: an anonymous visitor's prompt comes back enhanced; nothing is kept."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from playwright.async_api import Error as PlaywrightError

from prodsmoke.e2e.journeys.base import JourneyRun, browser_failure, open_page, unless_write_fails
from prodsmoke.errors import CheckFailure

if TYPE_CHECKING:
    from prodsmoke.config.models import EnhancementJourney

_FILLED = """selector => {
  const el = document.querySelector(selector);
  return !!el && el.textContent.trim().length > 0;
}"""


async def run(j: JourneyRun, spec: EnhancementJourney) -> None:
    """Type the prompt, submit, and wait for non-empty output within `max_ms`."""
    if await j.page.context.cookies(j.base_url):
        raise CheckFailure("the enhancement must run anonymously, but the context holds cookies")
    await open_page(j, spec.url, wait_until="domcontentloaded")
    try:
        await j.page.locator(spec.input).fill(spec.prompt)
        mark = j.observer.failed_writes
        started = time.perf_counter()
        await j.page.locator(spec.submit).click()
    except PlaywrightError as exc:
        raise browser_failure(exc, f"submitting the prompt via {spec.submit}") from exc

    filled = j.page.wait_for_function(_FILLED, arg=spec.output, timeout=spec.max_ms)
    try:
        shown = await unless_write_fails(j, filled, spec.max_ms, since=mark)
    except PlaywrightError:
        shown = False
    elapsed_ms = (time.perf_counter() - started) * 1000
    if not shown:
        why = j.observer.failures_hint() or f" within {spec.max_ms} ms"
        raise CheckFailure(f"no enhanced text appeared in {spec.output}{why}{j.blocked_hint()}")
    j.metrics["enhancement_ms"] = round(elapsed_ms)
    if elapsed_ms > spec.max_ms:
        raise CheckFailure(
            f"enhancement took {elapsed_ms:.0f} ms, over the limit of {spec.max_ms} ms"
        )
    j.warn_if_over("enhancement", elapsed_ms, spec.max_ms)
