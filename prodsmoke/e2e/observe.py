"""What a page did while a journey ran: console errors, uncaught errors, failed responses.

The guard's own refusals show up in Chromium's console as `net::ERR_BLOCKED_BY_CLIENT`; those are
ours, not the page's, and are never counted as the page's console errors. Neither are the Web
Vitals collector's marked reports (`e2e.vitals`), which are left out of console.log too.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from prodsmoke import redact
from prodsmoke.e2e.page_guard import is_guard_message
from prodsmoke.e2e.vitals import is_vitals_message

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, ConsoleMessage, Error, Page, Request, Response

_GUARD_CONSOLE = "ERR_BLOCKED_BY_CLIENT"
# A document the guard refused, or one the page itself navigated away from, is not a network fault.
_NOT_THE_NETWORK = ("ERR_BLOCKED_BY_CLIENT", "ERR_ABORTED")
_MAX_KEPT = 50
SETTLE_S = 1.0  # quiet after the last answer: the page has shown what the action led to
_POLL_S = 0.05
SETTLED = "the page settled"


@dataclass(frozen=True, slots=True)
class Mark:
    """Where the observer's counters stood when an action started."""

    failed_writes: int
    error_documents: int
    answers: int


@dataclass
class PageObserver:
    """Collects console errors and notable responses from every page of one context."""

    console_errors: list[str] = field(default_factory=list)
    console_lines: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)
    write_statuses: list[tuple[str, str, int]] = field(default_factory=list)
    failed_writes: int = 0
    # Documents (page and frame navigations): the ones without an answer yet, and the ones the
    # network failed. The evidence `e2e.failures` classifies a navigation error by.
    documents_in_flight: set[str] = field(default_factory=set)
    failed_documents: list[str] = field(default_factory=list)
    failed_api: list[str] = field(default_factory=list)  # API requests the network failed
    error_documents: int = 0  # documents answered >= 400
    answers: int = 0  # responses and network failures, of any request
    in_flight: int = 0
    last_activity: float = field(default_factory=time.monotonic)

    def attach(self, context: BrowserContext) -> None:
        """Watch every page the context opens from now on."""
        context.on("page", self._watch)
        for page in context.pages:
            self._watch(page)

    def _watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", self._page_error)
        page.on("response", self._response)
        page.on("request", self._request)
        page.on("requestfinished", self._request_finished)
        page.on("requestfailed", self._request_failed)

    def _request(self, request: Request) -> None:
        self.in_flight += 1
        self.last_activity = time.monotonic()
        if request.resource_type == "document":
            self.documents_in_flight.add(request.url)

    def _request_finished(self, request: Request) -> None:
        self._ended()

    def _ended(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.answers += 1
        self.last_activity = time.monotonic()

    def _request_failed(self, request: Request) -> None:
        self._ended()
        if request.resource_type == "document":
            self.documents_in_flight.discard(request.url)
            if request.failure and not any(x in request.failure for x in _NOT_THE_NETWORK):
                path = urlsplit(request.url).path or "/"
                self.failed_documents.append(f"{path}: {request.failure}")

    def _console(self, message: ConsoleMessage) -> None:
        if is_guard_message(message.text) or is_vitals_message(message.text):
            return  # the guard's or the Web Vitals collector's own report; not the page's output
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
        self.documents_in_flight.discard(request.url)
        path = urlsplit(response.url).path
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            self.write_statuses.append((request.method, path, response.status))
            if response.status >= 400:
                self.failed_writes += 1
        if response.status >= 400 and request.resource_type == "document":
            self.error_documents += 1
        if response.status >= 400:
            self.failed_responses.append(f"{request.method} {path} answered HTTP {response.status}")

    def mark(self) -> Mark:
        """The counters now, before an action whose outcome `failed_since` watches."""
        return Mark(self.failed_writes, self.error_documents, self.answers)

    async def failed_since(self, mark: Mark, *, settle_s: float = SETTLE_S) -> str:
        """Return (why) once the page shows that the action after `mark` did not succeed.

        That is: a write was answered >= 400, a document was answered >= 400, or something
        answered the action and then the page settled (nothing in flight for `settle_s`)
        without the caller's own success condition having been met first.
        """
        while True:
            if self.failed_writes > mark.failed_writes:
                return "a write was refused"
            if self.error_documents > mark.error_documents:
                return "an error page was shown"
            quiet = time.monotonic() - self.last_activity
            if self.answers > mark.answers and self.in_flight == 0 and quiet >= settle_s:
                return SETTLED
            await asyncio.sleep(_POLL_S)

    def network_error(self) -> str | None:
        """Why the network is to blame for a failure: a document it failed to deliver, or one
        still unanswered; None when every document was answered."""
        if self.failed_documents:
            return self.failed_documents[-1]
        if self.failed_api:
            return self.failed_api[-1]
        if self.documents_in_flight:
            path = urlsplit(sorted(self.documents_in_flight)[0]).path or "/"
            return f"{path}: no answer"
        return None

    def failures_hint(self) -> str:
        """A short suffix naming failed responses, for error messages ('' when none)."""
        if not self.failed_responses:
            return ""
        shown = "; ".join(dict.fromkeys(self.failed_responses[-3:]))
        return f" ({shown})"


def _short(text: str, limit: int = 160) -> str:
    text = redact.redact(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"
