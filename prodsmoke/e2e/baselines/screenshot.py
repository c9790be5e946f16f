"""`expect_screenshot`: how an element looks against its baseline image (SPEC §18).

The screenshot is taken with animations stopped and the caret hidden, the `mask` selectors
painted over (a timestamp, a carousel), and every password field and every field holding a
secret the run knows painted over too, so neither a baseline nor an artifact ever shows one. A
region whose text shows a secret is not kept at all.

Unchanged pages cost one byte comparison: one Chromium build encodes the same pixels to the same
PNG. Otherwise the page gets a moment to settle (two screenshots in a row alike), then pixelmatch
counts the pixels that differ perceptibly (`imagediff`). More than `max_diff_ratio` of them is a
warning (`on_diff: fail` to fail the check), and the expected, actual and diff images are kept
with the attempt's artifacts, where the HTML report shows them side by side. No baseline for this
browser build is a warning that says how to record one.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from prodsmoke import redact
from prodsmoke.config.baselines import DEFAULT_MAX_DIFF_RATIO, OnDiff
from prodsmoke.e2e.baselines import imagediff
from prodsmoke.e2e.baselines.store import build_of
from prodsmoke.errors import CheckFailure
from prodsmoke.results import FailureClass

if TYPE_CHECKING:
    from collections.abc import Sequence

    from playwright.async_api import Locator

    from prodsmoke.e2e.journeys.base import JourneyRun

SHOT_TIMEOUT_MS = 5000  # the element must be visible and stable by then, as Playwright's expect
SETTLE_TRIES = 5  # screenshots taken, at most, for two in a row to be alike
SETTLE_PAUSE_MS = 100
FIELDS = "input:not([type=hidden]), textarea"


async def expect_screenshot(  # noqa: PLR0913 - keyword-only options of one comparison
    j: JourneyRun,
    locator: Locator,
    name: str,
    *,
    mask: Sequence[Locator] = (),
    max_diff_ratio: float = DEFAULT_MAX_DIFF_RATIO,
    on_diff: OnDiff = OnDiff.WARN,
) -> None:
    """Compare `locator`'s screenshot with baseline `name` of the check, or record it."""
    store = j.baselines
    browser = j.attempt.browser
    build = build_of(browser.browser_type.name, browser.version)
    path = store.screenshot_file(j.check, name, build)
    # Both look at the page as it is now: one round trip's wait for the two.
    _, secret_fields = await asyncio.gather(
        _refuse_visible_secret(locator, name, mask), _secret_fields(locator)
    )
    masks = [*mask, *secret_fields]
    shot = await _shoot(locator, masks)
    expected = path.read_bytes() if path.is_file() else None
    if store.updating:
        shot = await _settled(locator, masks, shot)
        unchanged = expected is not None and await _same_pixels(expected, shot)
        store.stage(j.check, j.attempt.number, path, None if unchanged else shot)
        return
    if expected is None:
        _keep(j, {f"{name}-actual.png": shot})
        others = store.other_builds(j.check, name, build)
        elsewhere = f"; there are baselines for {', '.join(others)}" if others else ""
        store.missing(
            j.check,
            j.warnings,
            f"no screenshot baseline {name!r} for this browser build ({store.shown(path)}; "
            f"the page's is in the artifacts){elsewhere}",
        )
        return
    if shot == expected:
        return
    shot = await _settled(locator, masks, shot)
    try:
        diff = await _diff(expected, shot)
    except imagediff.DiffUnavailable as exc:  # a difference it cannot measure: as on_diff says
        if on_diff is OnDiff.FAIL:
            raise CheckFailure(str(exc), failure_class=FailureClass.INFRASTRUCTURE) from None
        j.warnings.append(f"screenshot {name!r} is not the baseline's image, but {exc}")
        return
    if diff.differing == 0 or (diff.size_change is None and diff.ratio <= max_diff_ratio):
        return
    _keep(
        j,
        {
            f"{name}-expected.png": expected,
            f"{name}-actual.png": shot,
            f"{name}-diff.png": diff.diff_png or b"",
        },
    )
    size = f", size {diff.size_change}" if diff.size_change else ""
    message = (
        f"screenshot {name!r} differs from {store.shown(path)}: {diff.ratio:.2%} of pixels "
        f"({diff.differing} px{size}; up to {max_diff_ratio:.2%} allowed); expected, actual "
        "and diff images in the artifacts"
    )
    if on_diff is OnDiff.FAIL:
        raise CheckFailure(message)
    j.warnings.append(message)


async def _shoot(locator: Locator, masks: list[Locator]) -> bytes:
    return await locator.screenshot(
        timeout=SHOT_TIMEOUT_MS, animations="disabled", caret="hide", scale="css", mask=masks
    )


async def _settled(locator: Locator, masks: list[Locator], first: bytes) -> bytes:
    """A screenshot the page holds still for: two in a row alike (or the last of a few)."""
    previous = first
    for _ in range(SETTLE_TRIES - 1):
        await locator.page.wait_for_timeout(SETTLE_PAUSE_MS)
        shot = await _shoot(locator, masks)
        if shot == previous:
            return shot
        previous = shot
    return previous


async def _diff(expected: bytes, actual: bytes) -> imagediff.ImageDiff:
    """pixelmatch's count, in a thread: the engine's loop keeps timing the other checks."""
    return await asyncio.to_thread(imagediff.compare, expected, actual)


async def _same_pixels(expected: bytes, actual: bytes) -> bool:
    """`baseline update`: whether a baseline may stay as it is (no pixel differs perceptibly)."""
    if expected == actual:
        return True
    try:
        return (await _diff(expected, actual)).differing == 0
    except imagediff.DiffUnavailable as exc:
        raise CheckFailure(str(exc), failure_class=FailureClass.INFRASTRUCTURE) from None


async def _secret_fields(locator: Locator) -> list[Locator]:
    """The page's password fields, and the fields whose value holds a secret the run knows."""
    fields = locator.page.locator(FIELDS)
    kinds_and_values = await fields.evaluate_all(
        "els => els.map(e => [String(e.type || ''), String(e.value || '')])"
    )
    return [
        fields.nth(index)
        for index, (kind, value) in enumerate(kinds_and_values)
        if kind == "password" or (value and redact.redact(value) != value)
    ]


async def _refuse_visible_secret(locator: Locator, name: str, mask: Sequence[Locator]) -> None:
    """A region whose text shows a secret (outside what `mask` paints over) is refused."""
    text = await locator.inner_text(timeout=SHOT_TIMEOUT_MS)
    if redact.redact(text) == text:
        return
    for masked in mask:
        for hidden in await masked.all_inner_texts():
            text = text.replace(hidden, "")
    if redact.redact(text) != text:
        raise CheckFailure(
            f"screenshot {name!r}: the region shows a secret in its text; it is neither kept nor "
            "compared (mask the element that shows it: mask: [selector])"
        )


def _keep(j: JourneyRun, files: dict[str, bytes]) -> None:
    j.attempt.artifacts.keep_files(j.check, j.attempt.number, files)
