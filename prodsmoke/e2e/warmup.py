"""Start Playwright's driver before anything else: it boots slower than our imports load.

The driver is a Node process that takes a few hundred milliseconds to answer; nothing about it
depends on the configuration. So the `smoke` commands that run the suite start it first, on the
engine's own loop thread, and load config, imports and the demo target while it boots.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from playwright.async_api import async_playwright

from prodsmoke.e2e.loop import LoopThread

if TYPE_CHECKING:
    from concurrent.futures import Future

    from playwright.async_api import Playwright


class Warmup:
    """A loop thread with Playwright's driver starting on it."""

    def __init__(self) -> None:
        self.thread = LoopThread()
        self._driver: Future[Playwright] = self.thread.submit(_start())
        self._taken = False

    async def playwright(self) -> Playwright:
        """The started driver, now the caller's to stop (awaited on the loop it started on)."""
        self._taken = True
        return await asyncio.wrap_future(self._driver)

    def close(self) -> None:
        """Stop the driver if nobody took it, then the loop thread. Idempotent."""
        if not self._taken and not self._driver.cancelled():
            self._taken = True
            # A driver that failed to start needs no stopping.
            with contextlib.suppress(Exception):
                playwright = self._driver.result(timeout=30)
                self.thread.submit(playwright.stop()).result(timeout=10)
        self.thread.close()


async def _start() -> Playwright:
    return await async_playwright().start()
