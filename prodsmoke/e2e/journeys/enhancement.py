"""text_submit: type a text, submit it anonymously, see an answer appear; nothing is kept.

BetterPrompts' anonymous prompt enhancement (`anonymous_enhancement`) is one; any "type, submit,
see a result" form is another (a search box, a calculator, a translator).
"""

from __future__ import annotations

import time
from typing import ClassVar, Literal

from playwright.async_api import Error as PlaywrightError
from pydantic import Field

from prodsmoke.config.journeys import JourneySpec
from prodsmoke.config.models import Path, Selector
from prodsmoke.e2e.journeys.base import JourneyRun, open_page, unless_failed
from prodsmoke.e2e.journeys.registry import register
from prodsmoke.errors import CheckFailure

_FILLED = """selector => {
  const el = document.querySelector(selector);
  return !!el && el.textContent.trim().length > 0;
}"""


class TextSubmit(JourneySpec):
    """Type a text, submit it anonymously, see non-empty output within `max_ms`."""

    claims_ids: ClassVar[tuple[str, ...]] = ("anonymous_enhancement",)

    kind: Literal["text_submit"] = "text_submit"
    url: Path = "/"
    input: Selector
    submit: Selector
    output: Selector
    prompt: str = Field(min_length=1, max_length=2000, description="a short, harmless text")
    max_ms: int = Field(5000, gt=0, description="milliseconds, a whole number > 0")

    def summary(self) -> str:
        """E.g. '/ · #prompt-input → #enhance-button → #enhanced-output within 5000 ms'."""
        return f"{self.url} · {self.input} → {self.submit} → {self.output} within {self.max_ms} ms"

    def step_names(self) -> frozenset[str]:
        """The steps `run` times."""
        return frozenset({f"open {self.url}", "submit", "see the answer"})

    def metric_names(self) -> frozenset[str]:
        """What `run` measures."""
        return frozenset({"enhancement_ms", "console_errors"})


@register(TextSubmit)
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
