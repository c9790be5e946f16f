"""The baseline steps of a YAML journey (SPEC §18): validated up front, errors in one line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from prodsmoke.config import load_settings
from prodsmoke.config.baselines import AriaExpectation, OnDiff, ScreenshotExpectation
from prodsmoke.config.kinds.steps import ScriptedJourney
from prodsmoke.errors import ConfigError


def environment(tmp_path: Path, steps: str) -> Path:
    config = tmp_path / "config"
    (config / "environments").mkdir(parents=True)
    (config / "environments" / "demo.yaml").write_text(
        textwrap.dedent(
            """\
            base_url: http://127.0.0.1:8321
            journeys:
              looks:
                steps:
                  - goto: /
            """
        )
        + textwrap.indent(textwrap.dedent(steps), "      ")
    )
    return config


def test_both_steps_with_their_defaults_and_every_key(tmp_path: Path) -> None:
    config = environment(
        tmp_path,
        """\
        - expect_aria: {selector: "header nav", baseline: main-nav}
        - expect_screenshot: {selector: "#pricing", baseline: pricing}
        - expect_screenshot: {selector: main, baseline: home.v2, mask: [".ts", "#clock"],
                              max_diff_ratio: 0.05, on_diff: fail}
        """,
    )
    journey = load_settings(config, "demo").journeys["looks"]
    assert isinstance(journey, ScriptedJourney)
    aria, shot, strict = (s.value for s in journey.steps[1:])
    assert aria == AriaExpectation(selector="header nav", baseline="main-nav")
    assert isinstance(shot, ScreenshotExpectation)
    assert (shot.mask, shot.max_diff_ratio, shot.on_diff) == ((), 0.01, OnDiff.WARN)
    assert isinstance(strict, ScreenshotExpectation)
    assert (strict.mask, strict.max_diff_ratio, strict.on_diff) == ((".ts", "#clock"), 0.05, "fail")
    assert journey.summary().startswith(
        "goto / → expect_aria header nav ≈ main-nav → expect_screenshot #pricing ≈ pricing "
        "(0.01 of pixels; warns)"
    )


@pytest.mark.parametrize(
    ("step", "said"),
    [
        (
            "{expect_aria: nav}",
            "steps[1]: expect_aria: expected a mapping, e.g. {selector: nav, baseline: main-nav}",
        ),
        (
            "{expect_aria: {selector: nav}}",
            "steps[1]: expect_aria.baseline: missing; expected e.g. "
            "{selector: nav, baseline: main-nav}",
        ),
        (
            "{expect_aria: {selector: nav, baseline: Main Nav}}",
            "steps[1]: expect_aria.baseline: got 'Main Nav', expected a lower-case file name stem",
        ),
        (
            "{expect_screenshot: {selector: main, baseline: ../home}}",
            "steps[1]: expect_screenshot.baseline: got '../home', expected a lower-case file name",
        ),
        (
            "{expect_screenshot: {selector: main, baseline: home, max_diff_ratio: 2}}",
            "steps[1]: expect_screenshot.max_diff_ratio: got 2, expected the share of pixels that "
            "may differ, 0-1, e.g. 0.01",
        ),
        (
            "{expect_screenshot: {selector: main, baseline: home, on_diff: maybe}}",
            "steps[1]: expect_screenshot.on_diff: got 'maybe', expected warn or fail",
        ),
        (
            "{expect_screenshot: {selector: main, baseline: home, masks: [.ts]}}",
            "steps[1]: expect_screenshot.masks: unknown key; expected one of: selector, baseline, "
            "mask, max_diff_ratio, on_diff",
        ),
        (
            "{expect_screenshot: {selector: '', baseline: home}}",
            "steps[1]: expect_screenshot.selector: got '', expected a CSS selector",
        ),
        (
            "{expect_screenshots: {selector: main}}",
            "steps[1]: unknown step 'expect_screenshots'; did you mean 'expect_screenshot'?",
        ),
    ],
)
def test_a_mistake_is_one_line_naming_the_step_the_key_and_the_form(
    tmp_path: Path, step: str, said: str
) -> None:
    config = environment(tmp_path, f"- {step}\n")
    with pytest.raises(ConfigError) as raised:
        load_settings(config, "demo")
    message = str(raised.value)
    assert "\n" not in message
    assert f"journeys.looks.{said}" in message, message
