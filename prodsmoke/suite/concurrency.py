"""pytest's fixtures for tests that run at once: what its single-file runner takes for granted.

pytest runs one test at a time: its `SetupState` is a stack (session, module, class, item) torn
down to the next item's common prefix, and a function-scoped fixture caches its one value on its
one `FixtureDef`. prodsmoke runs several tests at once, each in a greenlet on the engine's loop
(a sync Playwright call yields to the loop, as in Playwright's own sync API). So, for one run:

- `ConcurrentSetupState` replaces the session's: collectors (session, package, module, class)
  are set up by the first test that needs them and torn down after the last one that needs
  them is over for good (`release`); a test's own finalizers run at its teardown, whatever else
  runs meanwhile. Which test is tearing down is the greenlet's (`running`).
- `fresh_fixtures(item)` gives each attempt of a test its own copy of every fixture that is
  function-scoped for it, so two tests never share (or tear down) each other's `page`.
- a fixture of a wider scope is set up once: a second test that asks for it while the first
  sets it up waits for it (`_locked`), then gets the cached value, as pytest would give it.

Tests whose wider-scoped fixtures are parametrized (one module fixture, two values) would tear
each other's instance down; `needs_one_at_a_time` finds them and the suite runs such tests one
at a time.

This leans on pytest internals (`SetupState`, `FixtureDef.cached_result`, `_arg2fixturedefs`,
`callspec._arg2scope`); `tests/suite/test_concurrency.py` pins each against the installed pytest.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import types
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import greenlet
import pytest
from _pytest.runner import SetupState
from _pytest.scope import Scope

from prodsmoke.e2e import bridge

if TYPE_CHECKING:
    from _pytest.fixtures import FixtureDef, SubRequest
    from _pytest.nodes import Node

TEST_OUTCOME = (pytest.fail.Exception, pytest.skip.Exception, Exception)
_RUNNING: dict[greenlet.greenlet, pytest.Item] = {}  # which test each greenlet runs
_LOCKED = "_prodsmoke_locked"


def running(item: pytest.Item) -> Callable[[], None]:
    """Say that this greenlet runs `item` (for its teardown); returns the undo."""
    me = greenlet.getcurrent()
    _RUNNING[me] = item

    def done() -> None:
        _RUNNING.pop(me, None)

    return done


class ConcurrentSetupState(SetupState):
    """A SetupState for tests that run at once (see the module docstring)."""

    def __init__(self, items: Iterable[pytest.Item]) -> None:
        super().__init__()
        self.remaining: collections.Counter[Node] = collections.Counter(
            node for item in items for node in item.listchain()[:-1]
        )

    def setup(self, item: pytest.Item) -> None:
        """Set up the collectors `item` needs that nobody set up yet, then `item`."""
        for node in item.listchain()[:-1]:
            if node in self.stack:
                failed = self.stack[node][1]
                if failed is not None:
                    raise failed[0].with_traceback(failed[1])
                continue
            self._push(node)
        self._push(item)

    def _push(self, node: Node) -> None:
        self.stack[node] = ([node.teardown], None)
        try:
            node.setup()
        except TEST_OUTCOME as exc:
            self.stack[node] = (self.stack[node][0], (exc, exc.__traceback__))
            raise

    def teardown_exact(self, nextitem: pytest.Item | None) -> None:
        """Tear down the test this greenlet runs (pytest calls this after every test); with no
        test running here (the session's end), everything still set up."""
        item = _RUNNING.get(greenlet.getcurrent())
        if item is not None:
            if item in self.stack:
                self._finish(item)
            return
        for node in reversed(list(self.stack)):
            self._finish(node)

    def release(self, item: pytest.Item) -> None:
        """`item` is over for good (no more attempts): tear down what only it still needed."""
        errors: list[BaseException] = []
        for node in reversed(item.listchain()[:-1]):
            self.remaining[node] -= 1
            if self.remaining[node] <= 0 and node in self.stack:
                try:
                    self._finish(node)
                except BaseException as exc:  # noqa: BLE001 - each collector is torn down
                    errors.append(exc)
        if errors:
            raise errors[0]

    def _finish(self, node: Node) -> None:
        finalizers, _ = self.stack.pop(node)
        errors: list[BaseException] = []
        while finalizers:
            try:
                finalizers.pop()()
            except TEST_OUTCOME as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise BaseExceptionGroup(f"errors tearing down {node.nodeid or 'the session'}", errors)


def effective_scope(fixturedef: FixtureDef[Any], item: pytest.Item, name: str) -> Scope:
    """The scope `fixturedef` is cached in for `item` (a parametrization can narrow it)."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and name in callspec.params:
        return callspec._arg2scope[name]  # type: ignore[no-any-return]
    return fixturedef._scope


def fresh_fixtures(item: pytest.Item) -> None:
    """Give `item`'s request (made anew for this attempt) its own function-scoped fixtures."""
    request = item._request  # type: ignore[attr-defined]
    fresh: dict[str, tuple[FixtureDef[Any], ...]] = {}
    for name, defs in request._arg2fixturedefs.items():
        fresh[name] = tuple(
            _copy(d) if effective_scope(d, item, name) is Scope.Function else _locked(d)
            for d in defs
        )
    request._arg2fixturedefs = fresh


def _copy(fixturedef: FixtureDef[Any]) -> FixtureDef[Any]:
    twin = copy.copy(fixturedef)
    twin.cached_result = None
    twin.__dict__["_finalizers"] = []  # Final in pytest's annotations: one list per instance
    return twin


def _locked(fixturedef: FixtureDef[Any]) -> FixtureDef[Any]:
    """`fixturedef`, whose set-up a second greenlet waits for rather than repeats."""
    if getattr(fixturedef, _LOCKED, False):
        return fixturedef
    execute = fixturedef.execute
    busy: dict[str, Any] = {}  # owner greenlet and the event that says it is done

    def locked_execute(self: FixtureDef[Any], request: SubRequest) -> Any:
        me = greenlet.getcurrent()
        while busy and busy["owner"] is not me:
            bridge.block_on(busy["done"].wait())
        if busy:  # our own nested request for it: pytest handles that itself
            return execute(request)
        busy.update(owner=me, done=asyncio.Event())
        try:
            return execute(request)
        finally:
            done = busy["done"]
            busy.clear()
            done.set()

    fixturedef.execute = types.MethodType(locked_execute, fixturedef)  # type: ignore[method-assign]
    setattr(fixturedef, _LOCKED, True)
    return fixturedef


def needs_one_at_a_time(items: Iterable[pytest.Item]) -> list[pytest.Item]:
    """The tests parametrized on a wider-scoped fixture (other than pytest-playwright's single
    browser name): with two of them at once, one would tear the other's instance down."""
    out = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is None:
            continue
        for name in callspec.params:
            if name == "browser_name":
                continue
            if callspec._arg2scope[name] is not Scope.Function:
                out.append(item)
                break
    return out
