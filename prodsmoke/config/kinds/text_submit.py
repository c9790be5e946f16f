"""text_submit: type a text, submit it anonymously, see an answer appear (its settings).

BetterPrompts' anonymous prompt enhancement (`anonymous_enhancement`) is one; any "type, submit,
see a result" form is another (a search box, a calculator, a translator). It runs in
`prodsmoke.e2e.journeys.text_submit`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from prodsmoke.config.fields import Path, Selector
from prodsmoke.config.journeys import JourneySpec


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
