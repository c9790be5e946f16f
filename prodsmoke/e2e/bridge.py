"""Sync journeys on the engine's async loop: Playwright's own greenlet scheme, pointed at our loop.

A team writes `def test_x(page: Page, smoke)` with `playwright.sync_api`, as pytest-playwright
users do. The engine runs every journey on one asyncio loop, with one async Playwright
connection, so a sync journey must not start a second driver and browser. Playwright's sync API
is already a thin layer over the async implementation: each sync call creates a task on the
connection's loop and switches to the greenlet that runs the loop (the "dispatcher fiber") until
the task is done. `call_sync` runs the journey in a greenlet of its own on the loop's thread and
names that thread's loop greenlet as the dispatcher, so each sync call yields to the engine's
loop exactly as it would to Playwright's own — the other checks keep running meanwhile.

Two small adaptations of Playwright internals make that work, installed once by `install()`
(`e2e._playwright_private.adapt_sync_api`, where every private name prodsmoke uses is listed and
checked): if this Playwright's internals moved, sync journeys are refused with a clear reason
rather than run half-working.

A sync journey's plain Python runs on the loop thread, like a sync Playwright script runs on its
dispatcher: `time.sleep()` there stalls the run; `page.wait_for_timeout()` does not.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import greenlet

from prodsmoke.e2e import _playwright_private as private

T = TypeVar("T")

_FIBERS: dict[asyncio.AbstractEventLoop, greenlet.greenlet] = {}
_installed: str | None = None  # None: not tried; "": installed; else why it cannot be
STOP_GRACE_S = 1.0  # after `stop` is thrown into a greenlet: time to unwind (teardown) first


class BridgeUnavailable(RuntimeError):
    """This Playwright's internals differ from what the sync bridge adapts."""


def install() -> None:
    """Adapt Playwright's sync API to run on the engine's loop (idempotent)."""
    global _installed  # noqa: PLW0603 - one process-wide adaptation, applied once
    if _installed is None:
        _installed = private.adapt_sync_api(_FIBERS.get)
    if _installed:
        raise BridgeUnavailable(_installed)


def sync_wrapper(async_obj: Any) -> Any:
    """The `playwright.sync_api` object for an `async_api` one (a Page, a BrowserContext…)."""
    install()
    _FIBERS.setdefault(asyncio.get_running_loop(), greenlet.getcurrent())
    return private.sync_api(private.impl_of(async_obj))


def in_journey_greenlet() -> bool:
    """True inside a greenlet `call_sync` started (sync journey code), else False."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return False
    return _FIBERS.get(loop) not in (None, greenlet.getcurrent())


async def call_sync(
    fn: Callable[..., T],
    *args: Any,
    context: contextvars.Context,
    stop: Callable[[], BaseException] | None = None,
) -> T:
    """Run `fn(*args)` in a greenlet on this loop's thread; await its result.

    Every sync Playwright call `fn` makes yields to this loop until its task is done. If the
    awaiting task is cancelled (the journey's time is up), `fn` is ended where it waits: with
    `stop`, the exception it makes is raised there first (so `fn` can unwind: a pytest item
    tears its fixtures down) and `fn` gets STOP_GRACE_S to finish; then, or without `stop`, its
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
        return await asyncio.shield(outcome)
    except asyncio.CancelledError:
        if stop is not None and not runner.dead:
            runner.throw(stop())
            if not outcome.done():
                try:
                    await asyncio.wait_for(asyncio.shield(outcome), STOP_GRACE_S)
                except (TimeoutError, asyncio.CancelledError):
                    pass
                except BaseException:  # noqa: BLE001, S110 - `fn` ended: that is all we wait for
                    pass
        raise
    finally:
        if not runner.dead:
            runner.throw(greenlet.GreenletExit)


def block_on(awaitable: Awaitable[T], *, journey_context: bool = False) -> T:
    """Run `coro` to completion from inside a sync journey, yielding to the loop meanwhile.

    By default the coroutine runs as a task in the engine's own context (not the journey's), so
    what it does on the journey's behalf (leasing an account, making a guarded context) is not
    refused by the journey's seal; with `journey_context`, in a copy of the journey's own (an
    async test function or fixture: journey code, sealed like the rest).
    """
    loop = asyncio.get_running_loop()
    coro = awaitable if asyncio.iscoroutine(awaitable) else _awaited(awaitable)
    if _FIBERS.get(loop) in (None, greenlet.getcurrent()):
        coro.close()
        raise TypeError("this is an async journey: use `async with smoke.account(...)`")
    context = contextvars.copy_context() if journey_context else contextvars.Context()
    task = loop.create_task(coro, context=context)
    private.wait_for_future(loop, _FIBERS[loop], task)
    return task.result()


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable
