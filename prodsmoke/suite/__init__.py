"""A team's pytest suite as prodsmoke journeys: pytest collects and sets up, prodsmoke runs.

    suite = TeamSuite.collect(settings)          # smoke run: pytest on a thread, paused
    suite = TeamSuite.of_session(session)         # pytest --smoke-env: pytest's own session
    checks = suite.journeys(settings)             # {id: PythonJourney bound to its test}
    suite.start(selected_ids)                     # the run's SetupState, before the engine
    ... the engine runs each journey's attempts; `suite.finish` while the browser is up ...
    suite.close()

Each collected test is one journey (its id from `ids`), run through pytest's own machinery
(`item`, `concurrency`) with prodsmoke's guarded fixture layer (`fixtures`). The rest of
prodsmoke sees only `PythonJourney` checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from prodsmoke.config.kinds.python import PythonJourney
from prodsmoke.e2e import bridge, seal
from prodsmoke.errors import ConfigError
from prodsmoke.suite import concurrency, fixtures, ids
from prodsmoke.suite.fixtures import AsyncFixtures
from prodsmoke.suite.item import RaisedRecorder, Test

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from prodsmoke.config.models import Settings
    from prodsmoke.suite.collect import Collected

__all__ = ["TeamSuite", "fixture_plugins", "registered_last"]


def registered_last() -> list[object]:
    """What goes in once the initial conftests and pytest-playwright's own fallbacks are in."""
    from prodsmoke.suite import base_url

    return [base_url]


def fixture_plugins() -> list[object]:
    """The plugins a prodsmoke pytest session needs, registered before any conftest (and
    `suite.base_url` after them: `registered_last`)."""
    from prodsmoke.e2e import _playwright_private

    _playwright_private.soft_assertions_per_test()  # tests run at once, each with its scope
    return [fixtures, AsyncFixtures(), RaisedRecorder()]


class TeamSuite:
    """The collected tests of one run (see the module docstring)."""

    def __init__(
        self, session: pytest.Session, items: Iterable[pytest.Item], close: Callable[[], None]
    ) -> None:
        self.session = session
        self.items = [i for i in items if isinstance(i, pytest.Function)]
        self._close = close
        self.state: concurrency.ConcurrentSetupState | None = None
        self.gate: asyncio.Semaphore | None = None
        self.tests: dict[str, Test] = {}
        names = [_named(item, session) for item in self.items]
        for journey_id, item in zip(ids.assign(names), self.items, strict=True):
            self.tests[journey_id] = Test(item, self)
        _check_fixtures(self.items)

    @classmethod
    def collect(cls, settings: Settings) -> TeamSuite | None:
        """The tests in the environment's `journey_paths` (None when there are none)."""
        from prodsmoke.config.journey_files import journey_files
        from prodsmoke.suite.collect import collect

        paths = [Path(p) for p in settings.journey_paths or ()]
        if not journey_files(paths):
            return None
        collected: Collected = collect(
            paths,
            fixtures=fixture_plugins(),
            last=registered_last(),
            markers=settings.journey_markers,
        )
        try:
            return cls(collected.session, collected.session.items, collected.close)
        except BaseException:
            collected.close()
            raise

    @classmethod
    def of_session(cls, session: pytest.Session) -> TeamSuite:
        """The tests of a pytest session prodsmoke's plugin runs (`pytest --smoke-env`)."""
        return cls(session, session.items, lambda: None)

    def journeys(self, settings: Settings) -> dict[str, PythonJourney]:
        """Every test as a journey: its settings from `journeys:` (if any), bound to it."""
        out: dict[str, PythonJourney] = {}
        for journey_id, test in self.tests.items():
            configured = settings.journeys.get(journey_id)
            spec = configured if isinstance(configured, PythonJourney) else PythonJourney()
            out[journey_id] = spec.found(test)
        return out

    def notes(self) -> list[str]:
        """What a person should know before the run: a conftest's `base_url` override (the
        contexts go to the environment's target; the fixture's own value is the conftest's)."""
        from prodsmoke.suite import base_url

        seen: set[str] = set()
        for item in self.items:
            defs = item._fixtureinfo.name2fixturedefs.get("base_url") or ()
            last = defs[-1] if defs else None
            if last is None or getattr(last.func, "__module__", "") == base_url.__name__:
                continue
            code = getattr(last.func, "__code__", None)
            where = f"{code.co_filename}:{code.co_firstlineno}" if code else str(last.baseid)
            if where not in seen and "pytest_playwright" not in where:
                seen.add(where)
        return [
            f"{where}: overrides the base_url fixture; prodsmoke's browser contexts go to the "
            "environment's base_url, and what a test sends to the fixture's own value is held "
            "to the guard (drop the override, or point it at the environment's target)"
            for where in sorted(seen)
        ]

    def start(self, selected: Iterable[str]) -> None:
        """Prepare the run of the selected tests: pytest's set-up state for running them at
        once, and one at a time if their wider-scoped fixtures are parametrized."""
        items = [self.tests[i].item for i in selected if i in self.tests]
        self.state = concurrency.ConcurrentSetupState(items)
        self.session._setupstate = self.state
        self.gate = asyncio.Semaphore(1) if concurrency.needs_one_at_a_time(items) else None

    async def release(self, test: Test) -> None:
        """`test` is over for good: tear down what only it needed (module, class fixtures)."""
        if self.state is not None:
            await _in_greenlet(self.state.release, test.item)

    async def finish(self) -> None:
        """After the last test, while the browser is still up: the session's own fixtures."""
        if self.state is not None:
            state, self.state = self.state, None
            await _in_greenlet(state.teardown_exact, None)

    def close(self) -> None:
        """End pytest's session (`smoke run`), once the run is over."""
        self._close()


async def _in_greenlet(fn: Callable[..., object], *args: object) -> None:
    """Teardown code is the team's: sealed, in a greenlet (it may call sync Playwright)."""
    with seal.sealed():
        context = contextvars.copy_context()
    # A teardown error is the team's to see in pytest's terms, not a check's verdict.
    with contextlib.suppress(Exception):
        await bridge.call_sync(fn, *args, context=context)


def _named(item: pytest.Function, session: pytest.Session) -> ids.Named:
    classes = tuple(node.name for node in item.listchain() if isinstance(node, pytest.Class))
    callspec = getattr(item, "callspec", None)
    params: tuple[str, ...] = ()
    if callspec is not None:
        params = tuple(str(p) for p in getattr(callspec, "_idlist", ()) or (callspec.id,))
    try:
        module = Path(item.path).relative_to(session.config.rootpath).as_posix()
    except ValueError:
        module = Path(item.path).name
    return ids.Named(item.nodeid, module, classes, item.originalname, params)


def _check_fixtures(items: Iterable[pytest.Function]) -> None:
    """A test asking for a fixture nothing defines is a configuration error, found now."""
    for item in items:
        info = item._fixtureinfo
        missing = [
            n for n in info.names_closure if n != "request" and n not in info.name2fixturedefs
        ]
        if missing:
            path, line, _ = item.location
            raise ConfigError(
                f"{Path(item.session.config.rootpath, path)}:{(line or 0) + 1}",
                "",
                f"{item.originalname} asks for fixture {missing[0]!r}, which no conftest, plugin "
                f"or module defines (available: {', '.join(_visible(item))})",
            )


def _visible(item: pytest.Function) -> list[str]:
    """The fixtures `item` could ask for (pytest's own and private ones left out)."""
    manager = item.session._fixturemanager
    names = set(getattr(manager, "_arg2node2fixturedefs", {}))
    names |= set(getattr(manager, "_arg2nodeid2fixturedefs", {}))
    visible = [n for n in names if not n.startswith("_") and manager.getfixturedefs(n, item)]
    return sorted(visible)
