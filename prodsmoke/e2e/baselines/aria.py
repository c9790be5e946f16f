"""`expect_aria`: an element's accessibility tree against its baseline (SPEC §18).

Playwright's ARIA snapshot (`locator.aria_snapshot()`) is YAML naming each role, its accessible
name and text: far less brittle than pixels, and what a screen reader user gets. The baseline is
compared with Playwright's own matcher (`to_match_aria_snapshot`), so a reviewer may loosen a
baseline by hand (`- heading /Order \\d+/`, leaving children out) and it stays loosened: `smoke
baseline update` rewrites a baseline only when it no longer matches. A difference fails the check.

A snapshot shows what a textbox holds, a typed password included. Any line holding a secret the
run knows (`prodsmoke.redact`) is written with that text as a regular expression, `/.+/`, and a
comment saying so: the baseline matches the page without ever containing the secret.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import TYPE_CHECKING

from playwright.async_api import expect

from prodsmoke import redact
from prodsmoke.errors import CheckFailure

if TYPE_CHECKING:
    from playwright.async_api import Locator

    from prodsmoke.e2e.journeys.base import JourneyRun

MATCH_TIMEOUT_MS = 3000  # how long the page may take to match (it has loaded: a retry follows)
UPDATE_MATCH_TIMEOUT_MS = 1500  # `baseline update`: does the baseline still hold?
MASKED = "  # masked: it held a secret"
# One line of a snapshot: `- role "name" [attr=…]: text` (name, attributes and text optional).
_LINE = re.compile(
    r'^(?P<lead>\s*- )(?P<role>[\w/-]+)(?: (?P<name>"(?:[^"\\]|\\.)*"))?'
    r"(?P<attrs>(?: \[[^\]]*\])*)(?::(?: (?P<text>.*))?)?$"
)
_JS_SPECIAL = re.compile(r"([\\^$.*+?()\[\]{}|/])")
DIFF_LINES_SHOWN = 2


async def expect_aria(j: JourneyRun, locator: Locator, name: str) -> None:
    """Compare `locator`'s ARIA snapshot with baseline `name` of the check, or record it."""
    store = j.baselines
    path = store.aria_file(j.check, name)
    expected = path.read_text(encoding="utf-8") if path.is_file() else None
    if store.updating:
        if expected is not None and await _matches(locator, expected, UPDATE_MATCH_TIMEOUT_MS):
            store.stage(j.check, j.attempt.number, path, None)
            return
        store.stage(j.check, j.attempt.number, path, (await snapshot(locator)).encode())
        return
    if expected is None:
        actual = await snapshot(locator)
        _keep(j, {f"{name}-actual.aria.yml": actual})
        store.missing(
            j.check,
            j.warnings,
            f"no ARIA baseline {name!r} ({store.shown(path)}; the page's is in the artifacts)",
        )
        return
    if await _matches(locator, expected, MATCH_TIMEOUT_MS):
        return
    if not await locator.count():
        raise CheckFailure(f"ARIA snapshot {name!r}: nothing on the page matches the element")
    actual = await snapshot(locator)
    diff = list(
        difflib.unified_diff(
            expected.splitlines(),
            actual.splitlines(),
            fromfile=store.shown(path),
            tofile="the page",
            lineterm="",
        )
    )
    _keep(
        j,
        {
            f"{name}-expected.aria.yml": expected,
            f"{name}-actual.aria.yml": actual,
            f"{name}-aria-diff.txt": "\n".join(diff) + "\n",
        },
    )
    raise CheckFailure(
        f"ARIA snapshot {name!r} differs from {store.shown(path)}: {summary(diff)}; "
        "expected, actual and diff in the artifacts"
    )


async def snapshot(locator: Locator) -> str:
    """The element's ARIA snapshot, every secret masked (see the module docstring)."""
    text = await locator.aria_snapshot(timeout=MATCH_TIMEOUT_MS)
    return mask_secrets(text)


async def _matches(locator: Locator, expected: str, timeout_ms: float) -> bool:
    try:
        await expect(locator).to_match_aria_snapshot(expected, timeout=timeout_ms)
    except AssertionError:  # its message shows the page's snapshot: never passed on
        return False
    return True


def mask_secrets(text: str) -> str:
    """`text` (an ARIA snapshot) with each secret-holding name or text as a regex."""
    lines = [_masked(line) for line in text.splitlines()]
    return "\n".join(lines) + "\n"


def _masked(line: str) -> str:
    if redact.redact(line) == line:
        return line
    match = _LINE.match(line)
    if match is None:
        return redact.redact(line)
    name, text = match.group("name"), match.group("text")
    out = match.group("lead") + match.group("role")
    if name is not None:
        out += " " + (_as_regex(json.loads(name)) if _secret_in(json.loads(name)) else name)
    out += match.group("attrs")
    if text is not None:
        plain = json.loads(text) if text.startswith('"') else text
        out += ": " + (_as_regex(plain) if _secret_in(plain) else text)
    if redact.redact(out) != out:  # the secret was somewhere this parse does not see
        return redact.redact(line)
    return out + MASKED


def _secret_in(text: str) -> bool:
    return redact.redact(text) != text


def _as_regex(text: str) -> str:
    """A JavaScript regex literal matching `text`, each secret in it as `.+`."""
    parts = redact.redact(text).split(redact.MASK)
    return "/" + ".+".join(_JS_SPECIAL.sub(r"\\\1", part) for part in parts) + "/"


def summary(diff: list[str]) -> str:
    """The first differing lines of a unified diff, e.g. "missing '- link \"Examples\"'"."""
    gone = [line[1:].strip() for line in diff[2:] if line.startswith("-")]
    new = [line[1:].strip() for line in diff[2:] if line.startswith("+")]
    said = []
    if gone:
        said.append("missing " + ", ".join(repr(g) for g in gone[:DIFF_LINES_SHOWN]))
    if new:
        said.append("new " + ", ".join(repr(n) for n in new[:DIFF_LINES_SHOWN]))
    more = len(gone) + len(new) - min(len(gone), DIFF_LINES_SHOWN) - min(len(new), DIFF_LINES_SHOWN)
    return "; ".join(said or ["the tree differs"]) + (f" (and {more} more lines)" if more else "")


def _keep(j: JourneyRun, texts: dict[str, str]) -> None:
    files = {name: redact.redact(text).encode() for name, text in texts.items()}
    j.attempt.artifacts.keep_files(j.check, j.attempt.number, files)
