"""Sync journeys on the engine's async loop: Playwright's own greenlet scheme, pointed at our loop.

A team writes `def test_x(page: Page, smoke)` with `playwright.sync_api`, as pytest-playwright
users do. The engine runs every journey on one asyncio loop, with one async Playwright
connection, so a sync journey must not start a second driver and browser. Playwright's sync API
is already a thin layer over the async implementation: each sync call creates a task on the
connection's loop and switches to the greenlet that runs the loop (the "dispatcher fiber") until
the task is done. `call_sync` runs the journey in a greenlet of its own on the loop's thread and
names that thread's loop greenlet as the dispatcher, so each sync call yields to the engine's
loop exactly as it would to Playwright's own — the other checks keep running meanwhile.

Two small adaptations of Playwright internals make that work, installed once by `install()`:
sync wrappers made for objects of an async connection get the loop greenlet as their dispatcher
(that connection has none), and the sync API caches its wrapper of an implementation object
apart from the async API's (both share one cache attribute, and the engine wraps the same pages,
requests and responses for its own observers). Both are checked against the installed Playwright
when installed; if its internals moved, Python sync journeys are refused with a clear reason
rather than run half-working.

A sync journey's plain Python runs on the loop thread, like a sync Playwright script runs on its
dispatcher: `time.sleep()` there stalls the run; `page.wait_for_timeout()` does not.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import Any, TypeVar

import greenlet

T = TypeVar("T")

_SYNC_CACHE = "_prodsmoke_sync_api_"
_FIBERS: dict[asyncio.AbstractEventLoop, greenlet.greenlet] = {}
_installed: str | None = None  # None: not tried; "": installed; else why it cannot be


class BridgeUnavailable(RuntimeError):
    """This Playwright's internals differ from what the sync bridge adapts."""


def install() -> None:
    """Adapt Playwright's sync API to run on the engine's loop (idempotent)."""
    global _installed  # noqa: PLW0603 - one process-wide adaptation, applied once
    if _installed is None:
        _installed = _install()
    if _installed:
        raise BridgeUnavailable(_installed)


def _install() -> str:
    try:
        from playwright._impl import _sync_base
        from playwright._impl._impl_to_api_mapping import ImplToApiMapping
    except ImportError as exc:  # pragma: no cover - depends on the installed Playwright
        return f"Playwright's sync API layer is not where prodsmoke expects it ({exc})"
    sync_mapping = _sync_base.mapping
    base_init = _sync_base.SyncBase.__init__
    if not hasattr(sync_mapping, "_mapping") or not hasattr(_sync_base, "wait_for_future"):
        return "this Playwright's sync API is built differently; run Python journeys async"

    def from_maybe_impl(obj: Any, visited: Any = None) -> Any:
        if obj and not isinstance(obj, dict | list):
            api_class = sync_mapping._mapping.get(getattr(obj, "_api_impl_class", type(obj)))
            if api_class is not None:
                wrapper = getattr(obj, _SYNC_CACHE, None)
                if wrapper is None:
                    wrapper = api_class(obj)
                    setattr(obj, _SYNC_CACHE, wrapper)
                return wrapper
        return ImplToApiMapping.from_maybe_impl(sync_mapping, obj, visited)

    def init(self: Any, impl_obj: Any) -> None:
        base_init(self, impl_obj)
        if self._dispatcher_fiber is None:  # an object of an async connection
            self._dispatcher_fiber = _FIBERS.get(self._loop)

    sync_mapping.from_maybe_impl = from_maybe_impl  # type: ignore[method-assign]
    _sync_base.SyncBase.__init__ = init  # type: ignore[method-assign]
    return ""


def sync_wrapper(async_obj: Any) -> Any:
    """The `playwright.sync_api` object for an `async_api` one (a Page, a BrowserContext…)."""
    install()
    from playwright._impl._sync_base import mapping

    _FIBERS.setdefault(asyncio.get_running_loop(), greenlet.getcurrent())
    return mapping.from_maybe_impl(async_obj._impl_obj)


async def call_sync(fn: Callable[..., T], *args: Any, context: contextvars.Context) -> T:
    """Run `fn(*args)` in a greenlet on this loop's thread; await its result.

    Every sync Playwright call `fn` makes yields to this loop until its task is done. If the
    awaiting task is cancelled (the journey's time is up), `fn` is ended where it waits: its
    pending call is cancelled and GreenletExit unwinds it.
    """
    loop = asyncio.get_running_loop()
    _FIBERS.setdefault(loop, greenlet.getcurrent())
    outcome: asyncio.Future[T] = loop.create_future()

    def body() -> None:
        try:
            result = fn(*args)
        except greenlet.GreenletExit:
            raise
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task as it is
            if not outcome.done():
                outcome.set_exception(exc)
        else:
            if not outcome.done():
                outcome.set_result(result)

    runner = greenlet.greenlet(body)
    runner.gr_context = context
    runner.switch()  # runs `fn` until its first Playwright call (or to its end)
    try:
        return await outcome
    finally:
        if not runner.dead:
            runner.throw(greenlet.GreenletExit)


def block_on(coro: Any) -> Any:
    """Run `coro` to completion from inside a sync journey, yielding to the loop meanwhile.

    The coroutine runs as a task in the engine's own context (not the journey's), so what it
    does on the journey's behalf (leasing an account) is not refused by the journey's seal.
    """
    from playwright._impl._greenlets import wait_for_future

    loop = asyncio.get_running_loop()
    if _FIBERS.get(loop) in (None, greenlet.getcurrent()):
        coro.close()
        raise TypeError("this is an async journey: use `async with smoke.account(...)`")
    task = loop.create_task(coro, context=contextvars.Context())
    wait_for_future(loop, _FIBERS[loop], task)
    return task.result()
