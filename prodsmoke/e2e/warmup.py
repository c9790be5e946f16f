"""Start Playwright's driver, then Chromium, as early as each can start.

The driver is a Node process that takes a few hundred milliseconds to answer and needs nothing
from the configuration, so the `smoke` commands that run the suite start it on their first line,
on the engine's own loop thread. Chromium needs only the browser settings, so it launches as soon
as the configuration is loaded. Imports, the rest of the set-up and the demo target all overlap.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from playwright.async_api import async_playwright

from prodsmoke.e2e.loop import LoopThread
from prodsmoke.timeline import mark

if TYPE_CHECKING:
    from concurrent.futures import Future

    from playwright.async_api import Browser, Playwright

    from prodsmoke.config.models import Browser as BrowserSettings

Launched = tuple["Playwright", "Browser", str]  # the driver, the browser, which Chromium it is


class Warmup:
    """A loop thread with Playwright's driver (and then Chromium) starting on it."""

    def __init__(self) -> None:
        mark("warm-up: starting the playwright driver")
        self.thread = LoopThread()
        self._driver: Future[Playwright] = self.thread.submit(async_playwright().start())
        self._launched: Future[Launched] | None = None
        self._taken = False

    def launch(self, browser: BrowserSettings, *, headless: bool, slow_mo_ms: float = 0) -> None:
        """Launch Chromium once the driver is up; idempotent."""
        if self._launched is None:
            self._launched = self.thread.submit(
                self._launch(browser.executable_path, headless, slow_mo_ms, browser.args)
            )

    async def launched(self) -> Launched:
        """The driver and browser, now the caller's to close (awaited on the warm loop)."""
        if self._launched is None:
            raise RuntimeError("Warmup.launch() must come before launched()")
        self._taken = True
        return await asyncio.wrap_future(self._launched)

    async def _launch(
        self, executable: str | None, headless: bool, slow_mo_ms: float, args: tuple[str, ...]
    ) -> Launched:
        # Imported here, not at the top: this module must load in no time (the guard and the
        # config models behind `browsers` import pydantic).
        from prodsmoke.e2e import browser as browsers

        playwright = await asyncio.wrap_future(self._driver)
        mark("playwright driver up")
        browser, label = await browsers.launch(
            playwright, executable, headless=headless, slow_mo_ms=slow_mo_ms, extra_args=args
        )
        mark("chromium launched")
        return playwright, browser, label

    def close(self) -> None:
        """Close what nobody took (a run that never started), then the loop thread. Idempotent."""
        if not self._taken:
            self._taken = True
            with contextlib.suppress(Exception):  # what failed to start needs no stopping
                self.thread.submit(self._stop()).result(timeout=15)
        self.thread.close()

    async def _stop(self) -> None:
        if self._launched is not None:
            with contextlib.suppress(Exception):
                _, browser, _ = await asyncio.wrap_future(self._launched)
                await browser.close()
        playwright = await asyncio.wrap_future(self._driver)
        await playwright.stop()
