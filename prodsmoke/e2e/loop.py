"""The engine's event loop, on a thread of its own.

Timings are taken on this loop, so nothing the caller's thread does (pytest collecting, a
reporter writing) can stall it and inflate a measured response time.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Coroutine
    from concurrent.futures import Future

T = TypeVar("T")


class LoopThread:
    """An asyncio loop running on a daemon thread until `close()`."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="prodsmoke-engine", daemon=True
        )
        self._thread.start()

    def submit(self, coro: Coroutine[object, object, T]) -> Future[T]:
        """Schedule `coro` on the loop; the returned future is safe to wait on from any thread."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def close(self) -> None:
        """Cancel whatever is left, stop the loop and join the thread."""
        if self.loop.is_closed():
            return
        with contextlib.suppress(TimeoutError):  # a task that will not end must not hang us
            self.submit(_cancel_leftovers()).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


async def _cancel_leftovers() -> None:
    current = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    await asyncio.get_running_loop().shutdown_asyncgens()
