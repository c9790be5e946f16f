"""steps: a journey written as YAML steps, no code (SPEC §11b).

    search_widget:
      max_ms: 5000
      account: basic                  # optional; ${account.username|password} in `fill` only
      steps:
        - step: search                # names the timed step the following steps belong to
        - goto: /search?q=widget
        - expect_count: {".result": ">= 1"}

One key per step (`VOCABULARY`). Each step is validated up front: an unknown key or a wrong value
is a configuration error naming the journey and the step's index. At run time the steps drive the
journey's page in order; an expectation that does not hold fails the check (`product`), naming the
step; `expect_url` gives up at once when the page shows the action before it failed.
"""

from __future__ import annotations

import difflib
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

from playwright.async_api import expect
from pydantic import BeforeValidator, Field, model_validator

from prodsmoke.config.journeys import JourneySpec
from prodsmoke.e2e.journeys.base import JourneyRun, open_page, unless_failed
from prodsmoke.e2e.journeys.registry import register
from prodsmoke.errors import CheckFailure

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.async_api import Locator

    from prodsmoke.accounts import Credentials
    from prodsmoke.e2e.observe import Mark

# Each step's key, and the form of its value: a selector or text ("str"), or a mapping of
# selector to text ("map").
VOCABULARY: dict[str, Literal["str", "map"]] = {
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
}
_FORMS = {"str": "a string", "map": "a mapping of selector to text, e.g. {'#q': widget}"}
_ACCOUNT_REF = re.compile(r"\$\{account\.([a-z_]+)\}")
_ACCOUNT_FIELDS = ("username", "password")
_COUNT = re.compile(r"^\s*(==|>=|<=)\s*(\d+)\s*$")
_ACTIONS = frozenset({"goto", "click", "fill", "press", "select", "check", "uncheck", "hover"})
EXPECT_TIMEOUT_MS = 5000  # how long an expectation waits to hold, as Playwright's expect()


@dataclass(frozen=True, slots=True)
class Step:
    """One validated step: its key and its value."""

    action: str
    value: str | tuple[tuple[str, str], ...]

    def describe(self) -> str:
        """E.g. 'expect_count .result >= 1' (secrets never appear: fill shows selectors only)."""
        if isinstance(self.value, str):
            return f"{self.action} {self.value}"
        if self.action == "fill":
            return f"fill {', '.join(selector for selector, _ in self.value)}"
        return f"{self.action} " + ", ".join(f"{k} {v}" for k, v in self.value)


def parse_step(raw: object) -> Step:
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
    if form == "str":
        if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value):
            raise ValueError(f"{action}: expected {_FORMS['str']}")
        text = str(value)
        if _ACCOUNT_REF.search(text):
            raise ValueError(f"{action}: ${{account.*}} may only be used in fill")
        if action == "goto" and not (text.startswith("/") or "://" in text):
            raise ValueError(f"goto {text!r}: expected a path starting with / or an absolute URL")
        return Step(action, text)
    if not isinstance(value, dict) or not value:
        raise ValueError(f"{action}: expected {_FORMS['map']}")
    pairs = tuple((str(k), str(v)) for k, v in value.items())
    for selector, text in pairs:
        refs = _ACCOUNT_REF.findall(text) + _ACCOUNT_REF.findall(selector)
        if refs and action != "fill":
            raise ValueError(f"{action}: ${{account.*}} may only be used in fill")
        if any(ref not in _ACCOUNT_FIELDS for ref in refs):
            raise ValueError(
                f"fill {selector}: expected ${{account.username}} or ${{account.password}}"
            )
        if action == "expect_count" and not _COUNT.match(text):
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
            pairs = () if isinstance(step.value, str) else step.value
            refs = step.action == "fill" and any(_ACCOUNT_REF.search(t) for _, t in pairs)
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


@register(ScriptedJourney)
async def run(j: JourneyRun, spec: ScriptedJourney) -> None:
    """Run the steps in order, each group a timed step; lease the account around them."""
    started = time.perf_counter()
    if spec.account is None:
        await _run_steps(j, spec, None)
    else:
        async with j.accounts.lease(spec.account) as account:
            await _run_steps(j, spec, account)
    j.within("the steps", (time.perf_counter() - started) * 1000, spec.max_ms)


async def _run_steps(j: JourneyRun, spec: ScriptedJourney, account: Credentials | None) -> None:
    mark = j.observer.mark()
    for name, members in groups(spec.steps):
        with j.steps.step(name):
            for index, step in members:
                if step.action in _ACTIONS:
                    mark = j.observer.mark()
                try:
                    await _do(j, step, account, mark)
                except Exception as exc:
                    classified = j.failure(exc)  # a CheckFailure comes back as it is
                    raise CheckFailure(
                        f"steps[{index}] {step.describe()}: {classified.message}",
                        failure_class=classified.failure_class,
                    ) from exc


async def _do(j: JourneyRun, step: Step, account: Credentials | None, mark: Mark) -> None:
    page, timeout = j.page, EXPECT_TIMEOUT_MS
    value = step.value
    if isinstance(value, str):
        await _single(j, step.action, value, mark)
        return
    for selector, text in value:
        target = page.locator(selector).first
        if step.action == "fill":
            await target.fill(_with_account(text, account))
        elif step.action == "press":
            await target.press(text)
        elif step.action == "select":
            await target.select_option(text)
        elif step.action == "expect_text":
            await expect(page.locator(selector).first).to_contain_text(text, timeout=timeout)
        else:  # expect_count
            await _expect_count(page.locator(selector), selector, text, timeout)


async def _single(j: JourneyRun, action: str, value: str, mark: Mark) -> None:
    page, timeout = j.page, EXPECT_TIMEOUT_MS
    target = page.locator(value).first
    if action == "goto":
        await open_page(j, value)
    elif action == "click":
        await target.click()
    elif action == "check":
        await target.check()
    elif action == "uncheck":
        await target.uncheck()
    elif action == "hover":
        await target.hover()
    elif action == "wait_for":
        await target.wait_for(state="visible")
    elif action == "expect_visible":
        await expect(target).to_be_visible(timeout=timeout)
    elif action == "expect_hidden":
        await expect(page.locator(value)).to_be_hidden(timeout=timeout)
    elif action == "expect_title":
        await expect(page).to_have_title(re.compile(re.escape(value)), timeout=timeout)
    elif action == "expect_url":
        landed = page.wait_for_url(value, timeout=timeout, wait_until="commit")
        if not await unless_failed(j, landed, timeout, since=mark):
            settled = " (the page settled there)" if j.settled else ""
            raise CheckFailure(
                f"the browser is at {j.where()}, not {value}{settled}"
                f"{j.observer.failures_hint()}{j.blocked_hint()}"
            )


async def _expect_count(locator: Locator, selector: str, rule: str, timeout_ms: float) -> None:
    match = _COUNT.match(rule)
    assert match is not None  # validated with the config
    op, wanted = match.group(1), int(match.group(2))
    ok = {"==": wanted.__eq__, ">=": wanted.__le__, "<=": wanted.__ge__}[op]
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        found = await locator.count()
        if ok(found) or time.monotonic() >= deadline:
            break
        await locator.page.wait_for_timeout(100)
    if not ok(found):
        raise CheckFailure(f"expected {selector} {op} {wanted}, found {found}")


def _with_account(text: str, account: Credentials | None) -> str:
    if account is None:
        return text
    return _ACCOUNT_REF.sub(lambda m: str(getattr(account, m.group(1))), text)
