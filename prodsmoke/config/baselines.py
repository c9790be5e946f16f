"""What a baseline comparison asks for (SPEC §18): the `expect_aria` and `expect_screenshot` steps
of a YAML journey, and the same arguments of `smoke.expect_aria` / `smoke.expect_screenshot`.

    - expect_aria: {selector: "header nav", baseline: main-nav}
    - expect_screenshot: {selector: "#pricing", baseline: pricing, mask: [".price-updated-at"],
                          max_diff_ratio: 0.01, on_diff: warn}

A baseline is a file of the project, `baselines/<env>/<check>/<name>…`, reviewed like code; its
name is a file name's stem. Validated here, up front, with errors in the author's words; compared
at run time by `prodsmoke.e2e.baselines`.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import Field, ValidationError

from prodsmoke.config.fields import Selector, StrictModel

NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
NAME_FORM = "a lower-case file name stem (a-z, 0-9, '-', '_', '.'; at most 64), e.g. main-nav"
DEFAULT_MAX_DIFF_RATIO = 0.01


class OnDiff(StrEnum):
    """What a visual difference over `max_diff_ratio` does to the check."""

    WARN = "warn"  # the default: pixels move for harmless reasons (a font hinting update)
    FAIL = "fail"


def baseline_name(value: object) -> str:
    """`value` as a baseline name; a ValueError in the author's words."""
    if not isinstance(value, str) or not NAME.match(value):
        raise ValueError(f"baseline {value!r}: expected {NAME_FORM}")
    return value


class AriaExpectation(StrictModel):
    """`expect_aria`: the element's ARIA snapshot matches its baseline (a difference fails)."""

    selector: Selector
    baseline: str = Field(pattern=NAME.pattern, description=NAME_FORM)

    def describe(self) -> str:
        """E.g. 'header nav ≈ main-nav'."""
        return f"{self.selector} ≈ {self.baseline}"


class ScreenshotExpectation(StrictModel):
    """`expect_screenshot`: the element looks like its baseline image (a difference warns)."""

    selector: Selector
    baseline: str = Field(pattern=NAME.pattern, description=NAME_FORM)
    mask: tuple[Selector, ...] = Field(
        (), description="selectors painted over before comparing, e.g. ['.updated-at']"
    )
    max_diff_ratio: float = Field(
        DEFAULT_MAX_DIFF_RATIO,
        ge=0,
        le=1,
        description="the share of pixels that may differ, 0-1, e.g. 0.01",
    )
    on_diff: OnDiff = Field(OnDiff.WARN, description="warn or fail")

    def describe(self) -> str:
        """E.g. '#pricing ≈ pricing (1% of pixels; warns)'."""
        verdict = "fails" if self.on_diff is OnDiff.FAIL else "warns"
        return f"{self.selector} ≈ {self.baseline} ({self.max_diff_ratio:.3g} of pixels; {verdict})"


Expectation = AriaExpectation | ScreenshotExpectation
MODELS: dict[str, type[AriaExpectation] | type[ScreenshotExpectation]] = {
    "expect_aria": AriaExpectation,
    "expect_screenshot": ScreenshotExpectation,
}
EXAMPLES = {
    "expect_aria": "{selector: nav, baseline: main-nav}",
    "expect_screenshot": "{selector: '#pricing', baseline: pricing, mask: ['.updated-at']}",
}


def parse_expectation(action: str, value: object) -> Expectation:
    """The value of an `expect_aria` / `expect_screenshot` step; a one-line ValueError naming the
    key, the bad value and the expected form."""
    model = MODELS[action]
    if not isinstance(value, dict):
        raise ValueError(f"{action}: expected a mapping, e.g. {EXAMPLES[action]}")
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise ValueError(f"{action}.{_problem(model, exc)}") from None


def _problem(model: type[StrictModel], exc: ValidationError) -> str:
    error = exc.errors()[0]
    key = ".".join(str(part) for part in error["loc"]) or "?"
    field = model.model_fields.get(str(error["loc"][0])) if error["loc"] else None
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key; expected one of: {', '.join(model.model_fields)}"
    if error["type"] == "missing":
        return f"{key}: missing; expected e.g. {EXAMPLES[_action_of(model)]}"
    form = field.description if field is not None and field.description else error["msg"]
    return f"{key}: got {error.get('input')!r}, expected {form}"


def _action_of(model: type[StrictModel]) -> str:
    return next(action for action, m in MODELS.items() if m is model)
