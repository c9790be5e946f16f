"""What a page did while a journey ran: console errors, uncaught errors, failed responses.

The guard's own refusals show up in Chromium's console as `net::ERR_BLOCKED_BY_CLIENT`; those are
ours, not the page's, and are never counted as the page's console errors.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from prodsmoke import redact
from prodsmoke.e2e.page_guard import is_guard_message

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, ConsoleMessage, Error, Page, Response

_GUARD_CONSOLE = "ERR_BLOCKED_BY_CLIENT"
_MAX_KEPT = 50


@dataclass
class PageObserver:
    """Collects console errors and notable responses from every page of one context."""

    console_errors: list[str] = field(default_factory=list)
    console_lines: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)
    write_statuses: list[tuple[str, str, int]] = field(default_factory=list)
    failed_writes: int = 0
    _write_failed: asyncio.Event = field(default_factory=asyncio.Event)

    def attach(self, context: BrowserContext) -> None:
        """Watch every page the context opens from now on."""
        context.on("page", self._watch)
        for page in context.pages:
            self._watch(page)

    def _watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", self._page_error)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if is_guard_message(message.text):
            return  # the guard's own report, recorded by the guard; not the page's output
        line = f"[{message.type}] {redact.redact(message.text)}"
        if len(self.console_lines) < _MAX_KEPT * 4:
            self.console_lines.append(line)
        if message.type == "error" and _GUARD_CONSOLE not in message.text:
            self.console_errors.append(_short(message.text))

    def _page_error(self, error: Error) -> None:
        if is_guard_message(error.message or ""):
            return  # a refusal the guard made (e.g. WebRTC); not the page's error
        text = f"uncaught {error.name or 'Error'}: {error.message}"
        self.console_lines.append(f"[pageerror] {redact.redact(text)}")
        self.console_errors.append(_short(text))

    def _response(self, response: Response) -> None:
        request = response.request
        path = urlsplit(response.url).path
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            self.write_statuses.append((request.method, path, response.status))
            if response.status >= 400:
                self.failed_writes += 1
                self._write_failed.set()
        if response.status >= 400:
            self.failed_responses.append(f"{request.method} {path} answered HTTP {response.status}")

    async def write_fails_after(self, mark: int) -> None:
        """Return once more than `mark` writes have been answered >= 400."""
        while self.failed_writes <= mark:
            self._write_failed.clear()
            await self._write_failed.wait()

    def failures_hint(self) -> str:
        """A short suffix naming failed responses, for error messages ('' when none)."""
        if not self.failed_responses:
            return ""
        shown = "; ".join(dict.fromkeys(self.failed_responses[-3:]))
        return f" ({shown})"


def _short(text: str, limit: int = 160) -> str:
    text = redact.redact(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"
