"""pytest-playwright's fixture layers, each handing out only guarded things; `smoke`; async tests.

Registered in a prodsmoke run after pytest-playwright and before any conftest, so these replace
its fixtures of the same names and a team's conftest still overrides any of them (as it would
pytest-playwright's):

    browser_type_launch_args  pytest-playwright's, read here: an option that weakens the guard
                              (a proxy, --disable-web-security, …) is refused, the rest are the
                              run's (one browser, launched by prodsmoke)
    playwright, browser_type  the run's Playwright; `launch`/`connect` refused (the seal)
    browser                   the run's one browser; `browser.new_context()` makes guarded ones
    browser_context_args      pytest-playwright's (with the team's overrides and marker), held
                              to the same rule before a context is made
    new_context, context      guarded contexts of the test's attempt, observed and traced
    page                      a page in `context`
    base_url                  the environment's (`suite.base_url`, registered last)
    smoke                     the journey's handle (steps, accounts, metrics)

Sync or async: each object is of the API the test is written in (an `async def` test gets
`playwright.async_api` objects). Async tests and async fixtures run on the engine's loop.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import pytest

from prodsmoke.e2e import bridge
from prodsmoke.e2e import browser as browsers
from prodsmoke.e2e.journey_attempt import SHARED, GuardOptionRefused
from prodsmoke.e2e.journeys.handle import Smoke
from prodsmoke.suite.running import current, flavoured

if TYPE_CHECKING:
    from _pytest.fixtures import FixtureDef, SubRequest


class Flavoured:
    """A session-wide Playwright object, as the sync or async API per the test using it."""

    def __init__(self, get: Callable[[], Any], name: str) -> None:
        self._get = get
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(flavoured(self._get()), attribute)

    def __repr__(self) -> str:
        return f"<prodsmoke's guarded {self._name}>"


def _refuse_launch(**_: Any) -> Any:
    raise GuardOptionRefused(
        "launch_browser: a test cannot launch its own browser under prodsmoke; use the "
        "`browser` fixture (the run's one guarded browser)"
    )


# -- the fixtures (module level: this module is the plugin) ---------------------------------


@pytest.fixture(scope="session")
def playwright() -> Any:
    """The run's Playwright (its `request` makes guarded API request contexts)."""

    def get() -> Any:
        playwright = current("playwright").attempt.playwright
        if playwright is None:
            raise RuntimeError("the run's browser is not up")
        return playwright

    return Flavoured(get, "playwright")


@pytest.fixture(scope="session")
def browser_type(playwright: Any, browser_name: str | None) -> Any:
    """Chromium's browser type: prodsmoke runs Chromium only."""
    if browser_name not in (None, "chromium"):
        raise GuardOptionRefused(
            f"--browser {browser_name}: prodsmoke runs its tests in Chromium only"
        )
    return Flavoured(lambda: current().attempt.playwright.chromium, "chromium")  # type: ignore[union-attr]


@pytest.fixture(scope="session")
def launch_browser() -> Callable[..., Any]:
    """Refused: the run has one browser."""
    return _refuse_launch


@pytest.fixture(scope="session")
def browser(
    browser_type_launch_args: dict[str, Any], connect_options: dict[str, Any] | None
) -> Any:
    """The run's one browser."""
    why = browsers.refused_launch_option(browser_type_launch_args, "browser_type_launch_args")
    if connect_options:
        why = why or "connect_options: prodsmoke does not connect to a remote browser"
    if why is not None:
        raise GuardOptionRefused(why)
    return Flavoured(lambda: current().attempt.browser, "browser")


@pytest.fixture
def new_context(
    browser: Any, browser_context_args: dict[str, Any], request: pytest.FixtureRequest
) -> Any:
    """Make a guarded context: `new_context(**options)` (awaited in an async test)."""
    base = dict(browser_context_args)
    marker = next(request.node.iter_markers("browser_context_args"), None)
    base.update(marker.kwargs if marker else {})
    why = browsers.refused_context_option(base, "browser_context_args")
    if why is not None:
        raise GuardOptionRefused(why)
    running = current("new_context")

    async def make(**options: Any) -> Any:
        return await running.attempt.new_context({**base, **options})

    if running.is_async:
        return make

    def new_context(**options: Any) -> Any:
        return bridge.sync_wrapper(bridge.block_on(make(**options)))

    return new_context


@pytest.fixture
def context(new_context: Callable[..., Any]) -> Any:
    """A guarded context of the test's attempt."""
    made = new_context()
    return bridge.block_on(made) if inspect.isawaitable(made) else made


@pytest.fixture
def page(context: Any) -> Any:
    """A page in `context`."""
    made = context.new_page()
    return bridge.block_on(made) if inspect.isawaitable(made) else made


@pytest.fixture
def _artifacts_recorder() -> None:
    """pytest-playwright's recorder: prodsmoke keeps each failed attempt's artifacts."""
    return


@pytest.fixture
def smoke() -> Smoke:
    """The journey's handle: `step`, `account`, `metric`, `warn`."""
    return Smoke(current("smoke").j)


# -- hooks -----------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: FixtureDef[Any], request: SubRequest
) -> Generator[None, Any, Any]:
    """A context made inside a wider-scoped fixture is the run's, not the test's."""
    if fixturedef.scope == "function":
        return (yield)
    token = SHARED.set(f"fixture:{fixturedef.argname}")
    try:
        return (yield)
    finally:
        SHARED.reset(token)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run an `async def` test on the engine's loop."""
    function = pyfuncitem.obj
    if not inspect.iscoroutinefunction(function):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    bridge.block_on(function(**{n: pyfuncitem.funcargs[n] for n in names}), journey_context=True)
    return True


class AsyncFixtures:
    """`async def` fixtures (plain or yielding), run on the engine's loop as journey code."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_fixture_setup(self, fixturedef: FixtureDef[Any], request: SubRequest) -> Any:
        """Set up an async fixture; None (pytest's own set-up) for any other."""
        from _pytest.fixtures import resolve_fixture_function

        function = resolve_fixture_function(fixturedef, request)
        is_generator = inspect.isasyncgenfunction(function)
        if not (is_generator or inspect.iscoroutinefunction(function)):
            return None
        kwargs = {name: request.getfixturevalue(name) for name in fixturedef.argnames}
        key = fixturedef.cache_key(request)
        try:
            if is_generator:
                generator: Any = function(**kwargs)
                value = bridge.block_on(anext(generator), journey_context=True)
                request.addfinalizer(lambda: _close(generator))
            else:
                made: Any = function(**kwargs)
                value = bridge.block_on(made, journey_context=True)
        except BaseException as exc:
            fixturedef.cached_result = (None, key, (exc, exc.__traceback__))
            raise
        fixturedef.cached_result = (value, key, None)
        return value


def _close(generator: Any) -> None:
    async def finish() -> None:
        try:
            await anext(generator)
        except StopAsyncIteration:
            return
        raise RuntimeError("an async fixture may yield only once")

    bridge.block_on(finish(), journey_context=True)
