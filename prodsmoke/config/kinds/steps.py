"""steps: a journey written as YAML steps, no code (SPEC §11b).

    search_widget:
      max_ms: 5000
      account: basic                  # optional; ${account.username|password|totp} in `fill`
      steps:
        - step: search                # names the timed step the following steps belong to
        - goto: /search?q=widget
        - expect_count: {".result": ">= 1"}

One key per step (`VOCABULARY`). Each step is validated up front: an unknown key or a wrong value
is a configuration error naming the journey and the step's index. At run time
(`prodsmoke.e2e.journeys.steps`) the steps drive the journey's page in order; an expectation that
does not hold fails the check (`product`), naming the step; `expect_url` gives up at once when
the page shows the action before it failed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from prodsmoke.config.baselines import Expectation, parse_expectation
from prodsmoke.config.journeys import JourneySpec

if TYPE_CHECKING:
    from collections.abc import Iterator

# Each step's key, and the form of its value: a selector or text ("str"), a mapping of
# selector to text ("map"), or a baseline comparison's settings ("baseline", SPEC §18).
VOCABULARY: dict[str, Literal["str", "map", "baseline"]] = {
    "goto": "str",
    "click": "str",
    "fill": "map",
    "press": "map",
    "select": "map",
    "check": "str",
    "uncheck": "str",
    "hover": "str",
    "wait_for": "str",
    "expect_visible": "str",
    "expect_hidden": "str",
    "expect_text": "map",
    "expect_url": "str",
    "expect_title": "str",
    "expect_count": "map",
    "step": "str",
    "expect_aria": "baseline",
    "expect_screenshot": "baseline",
}
_FORMS = {"str": "a string", "map": "a mapping of selector to text, e.g. {'#q': widget}"}
ACCOUNT_REF = re.compile(r"\$\{account\.([a-z_]+)\}")  # in fill: filled in at run time
_ACCOUNT_FIELDS = ("username", "password", "totp")  # totp: a fresh code (issue 21)
COUNT = re.compile(r"^\s*(==|>=|<=)\s*(\d+)\s*$")  # expect_count's rule


@dataclass(frozen=True, slots=True)
class Step:
    """One validated step: its key and its value."""

    action: str
    value: str | tuple[tuple[str, str], ...] | Expectation

    def describe(self) -> str:
        """E.g. 'expect_count .result >= 1' (secrets never appear: fill shows selectors only)."""
        if not isinstance(self.value, str | tuple):
            return f"{self.action} {self.value.describe()}"
        if isinstance(self.value, str):
            return f"{self.action} {self.value}"
        if self.action == "fill":
            return f"fill {', '.join(selector for selector, _ in self.value)}"
        return f"{self.action} " + ", ".join(f"{k} {v}" for k, v in self.value)


def parse_step(raw: object) -> Step:  # noqa: PLR0912 - a branch per form of value (issue 23)
    """One YAML step as a `Step`; a ValueError says what is wrong in the author's words."""
    if isinstance(raw, Step):
        return raw
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ValueError(
            "expected one key per step, e.g. {goto: /pricing}; keys: " + ", ".join(VOCABULARY)
        )
    ((action, value),) = raw.items()
    if action not in VOCABULARY:
        close = difflib.get_close_matches(str(action), VOCABULARY, n=1)
        hint = (
            f"did you mean {close[0]!r}?" if close else "expected one of: " + ", ".join(VOCABULARY)
        )
        raise ValueError(f"unknown step {action!r}; {hint}")
    form = VOCABULARY[action]
    if form == "baseline":
        return Step(action, parse_expectation(action, value))
    if form == "str":
        if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value):
            raise ValueError(f"{action}: expected {_FORMS['str']}")
        text = str(value)
        if ACCOUNT_REF.search(text):
            raise ValueError(f"{action}: ${{account.*}} may only be used in fill")
        if action == "goto" and not (text.startswith("/") or "://" in text):
            raise ValueError(f"goto {text!r}: expected a path starting with / or an absolute URL")
        return Step(action, text)
    if not isinstance(value, dict) or not value:
        raise ValueError(f"{action}: expected {_FORMS['map']}")
    pairs = tuple((str(k), str(v)) for k, v in value.items())
    for selector, text in pairs:
        refs = ACCOUNT_REF.findall(text) + ACCOUNT_REF.findall(selector)
        if refs and action != "fill":
            raise ValueError(f"{action}: ${{account.*}} may only be used in fill")
        if any(ref not in _ACCOUNT_FIELDS for ref in refs):
            raise ValueError(
                f"fill {selector}: expected ${{account.username}}, ${{account.password}} or "
                "${account.totp}"
            )
        if action == "expect_count" and not COUNT.match(text):
            raise ValueError(
                f"expect_count {selector}: expected '== N', '>= N' or '<= N', got {text!r}"
            )
    return Step(action, pairs)


class ScriptedJourney(JourneySpec):
    """A journey as a list of YAML steps."""

    kind: Literal["steps"] = "steps"
    steps: tuple[Annotated[Step, BeforeValidator(parse_step)], ...] = Field(
        min_length=1, description="a list of steps, one key each, e.g. [{goto: /pricing}]"
    )
    account: str | None = Field(None, min_length=1, description="a key under accounts:, e.g. basic")
    max_ms: int | None = Field(
        None, gt=0, description="milliseconds the journey may take at most, a whole number > 0"
    )

    @model_validator(mode="after")
    def _account_for_refs(self) -> ScriptedJourney:
        for index, step in enumerate(self.steps):
            pairs = step.value if isinstance(step.value, tuple) else ()
            refs = step.action == "fill" and any(ACCOUNT_REF.search(t) for _, t in pairs)
            if refs and self.account is None:
                raise ValueError(
                    f"steps[{index}] uses ${{account.*}} but the journey has no account: key"
                )
        self._attempt_fits(self.max_ms)
        return self

    def urls(self) -> Iterator[tuple[str, str]]:
        """Each `goto` step's URL."""
        for index, step in enumerate(self.steps):
            if step.action == "goto":
                yield f"steps[{index}].goto", str(step.value)

    def summary(self) -> str:
        """E.g. 'goto /search?q=widget → expect_count .result >= 1 (2 steps) · within 5000 ms'."""
        actions = [s.describe() for s in self.steps if s.action != "step"]
        named = [str(s.value) for s in self.steps if s.action == "step"]
        groups = f"; timed as {', '.join(map(repr, named))}" if named else ""
        limit = f" · within {self.max_ms} ms" if self.max_ms else ""
        who = f" · as {self.account}" if self.account else ""
        return f"{' → '.join(actions)} ({len(actions)} steps{groups}){who}{limit}"

    def step_names(self) -> frozenset[str]:
        """The timed steps: each `step:` name, and the first action's for steps before one."""
        return frozenset(name for name, _ in groups(self.steps))


def groups(steps: tuple[Step, ...]) -> list[tuple[str, list[tuple[int, Step]]]]:
    """The steps as (timed step name, [(index, step)…]); a `step:` entry starts a group, and
    steps before the first one are named after their first action."""
    out: list[tuple[str, list[tuple[int, Step]]]] = []
    for index, step in enumerate(steps):
        if step.action == "step":
            out.append((str(step.value), []))
            continue
        if not out:
            out.append((step.describe(), []))
        out[-1][1].append((index, step))
    return [(name, members) for name, members in out if members]
