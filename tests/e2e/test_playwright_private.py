"""Playwright's private internals that prodsmoke uses (e2e/_playwright_private.py) are where it
expects them in the installed Playwright, and its two adaptations install and work there. An
upgrade that moves any of them fails here, by name, rather than inside a journey: raise
pyproject.toml's range and constraints.txt's pin only with this file green."""

from __future__ import annotations

import asyncio
import contextvars
import subprocess
import sys
import textwrap
from importlib.metadata import version

import pytest

from prodsmoke.e2e import _playwright_private as private

PLAYWRIGHT = version("playwright")


def test_nothing_prodsmoke_uses_of_playwrights_internals_is_missing() -> None:
    assert private.missing() == [], (
        f"Playwright {PLAYWRIGHT} moved internals prodsmoke uses; adapt "
        "prodsmoke/e2e/_playwright_private.py before allowing it in pyproject.toml"
    )


# In a fresh interpreter: the adaptation is process-wide and applied once (the bridge's own, in
# this process, must stay the only one here).
ADAPT = """
    import asyncio

    import playwright.async_api
    import playwright.sync_api
    from playwright._impl import _sync_base
    from playwright._impl.page import Page

    from prodsmoke.e2e import _playwright_private as private

    init, convert = _sync_base.SyncBase.__init__, _sync_base.mapping.from_maybe_impl
    assert private.adapt_sync_api(lambda loop: ("the fiber of", loop)) == ""
    assert _sync_base.SyncBase.__init__ is not init
    assert _sync_base.mapping.from_maybe_impl is not convert

    # A page of an async connection (no dispatcher fiber of its own), as the engine has them.
    loop = asyncio.new_event_loop()
    impl = Page.__new__(Page)
    impl._loop, impl._dispatcher_fiber = loop, None
    async_page = private.async_api(impl)
    sync_page = private.sync_api(impl)
    assert type(async_page) is playwright.async_api.Page, type(async_page)
    assert type(sync_page) is playwright.sync_api.Page, type(sync_page)
    # the sync wrapper runs its calls through the engine loop's greenlet
    assert sync_page._dispatcher_fiber == ("the fiber of", loop)
    # each API keeps its own wrapper of one implementation object
    assert private.sync_api(impl) is sync_page
    assert private.async_api(impl) is async_page
    assert private.impl_of(sync_page) is impl and private.impl_of(async_page) is impl
    print("adapted")
"""


def test_the_sync_api_adapts_to_the_engines_loop() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(ADAPT)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (proc.returncode, proc.stdout) == (0, "adapted\n"), (
        f"Playwright {PLAYWRIGHT}: {proc.stderr}"
    )


async def test_soft_assertions_are_kept_per_test_on_the_installed_playwright() -> None:
    from playwright._impl import _assertions, assertions

    private.soft_assertions_per_test()
    private.soft_assertions_per_test()  # idempotent
    # what Playwright's matchers and pytest-playwright's per-test scope call is the adaptation
    assert assertions._record_soft_or_raise is _assertions._record_soft_or_raise  # type: ignore[attr-defined]
    plugin = sys.modules.get("pytest_playwright.pytest_playwright")
    if plugin is not None and getattr(plugin, "_soft_scope", None) is not None:
        assert plugin._soft_scope is _assertions._soft_scope

    both_in = asyncio.Barrier(2)

    async def a_test(name: str) -> list[str]:
        with _assertions._soft_scope() as errors:
            await both_in.wait()  # two tests' scopes open at once, as prodsmoke runs them
            _assertions._record_soft_or_raise(AssertionError(f"{name} soft"), True)
            await asyncio.sleep(0)
            return [str(e) for e in errors]

    def run(name: str) -> asyncio.Task[list[str]]:
        return asyncio.create_task(a_test(name), context=own_context())

    first, second = await asyncio.gather(run("first"), run("second"))
    assert (first, second) == (["first soft"], ["second soft"])

    with pytest.raises(AssertionError, match=r"^hard$"):
        _assertions._record_soft_or_raise(AssertionError("hard"), False)
    with pytest.raises(RuntimeError, match="needs a test's soft-assertion scope"):
        own_context().run(_assertions._record_soft_or_raise, AssertionError("outside"), True)


def own_context() -> contextvars.Context:
    """A context of its own, without the soft-assertion scope this test may have inherited
    (pytest-playwright opens one around every test), as prodsmoke's suite runs each test."""
    context = contextvars.copy_context()
    private.without_soft_scope(context)
    return context
