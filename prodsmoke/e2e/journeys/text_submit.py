"""text_submit: type a text, submit it anonymously, see an answer appear; nothing is kept.

Its settings are `prodsmoke.config.kinds.text_submit.TextSubmit`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from playwright.async_api import Error as PlaywrightError

from prodsmoke.e2e.journeys.base import JourneyRun, open_page, unless_failed
from prodsmoke.errors import CheckFailure

if TYPE_CHECKING:
    from prodsmoke.config.kinds.text_submit import TextSubmit

_FILLED = """selector => {
  const el = document.querySelector(selector);
  return !!el && el.textContent.trim().length > 0;
}"""


async def run(j: JourneyRun, spec: TextSubmit) -> None:
    """Type the text, submit, and wait for non-empty output within `max_ms`."""
    with j.steps.step(f"open {spec.url}"):
        if await j.page.context.cookies(j.base_url):
            raise CheckFailure("the journey must run anonymously, but the context holds cookies")
        await open_page(j, spec.url, wait_until="domcontentloaded")
    with j.steps.step("submit"):
        try:
            await j.page.locator(spec.input).fill(spec.prompt)
            mark = j.observer.mark()
            started = time.perf_counter()
            await j.page.locator(spec.submit).click()
        except PlaywrightError as exc:
            raise j.failure(exc, f"submitting via {spec.submit}") from exc
    with j.steps.step("see the answer"):
        filled = j.page.wait_for_function(_FILLED, arg=spec.output, timeout=spec.max_ms)
        try:
            shown = await unless_failed(j, filled, spec.max_ms, since=mark)
        except PlaywrightError:
            shown = False
        elapsed_ms = (time.perf_counter() - started) * 1000
        if not shown:
            why = j.observer.failures_hint() or f" within {spec.max_ms} ms"
            raise CheckFailure(f"no text appeared in {spec.output}{why}{j.blocked_hint()}")
        j.metrics["enhancement_ms"] = round(elapsed_ms)
        if elapsed_ms > spec.max_ms:
            raise CheckFailure(
                f"the answer took {elapsed_ms:.0f} ms, over the limit of {spec.max_ms} ms"
            )
    j.warn_if_over("answer", elapsed_ms, spec.max_ms)
