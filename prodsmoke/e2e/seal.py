"""The seal around a team's journey code: nothing it runs may send what the guard cannot see.

A Python journey gets a page in a guarded context. What would get round that guard is refused
while journey code runs (a context variable marks it; the engine's own work, leases and route
handlers run outside it):

- a new browser context, page of a new context, browser launch or connection
  (`browser.new_context`, `browser.new_page`, `browser_type.launch` / `connect` / …);
- `page.request` / `context.request` / `playwright.request` calls, which Playwright never routes;
- any socket connection or name lookup from Python (an httpx/requests/urllib client), and
  starting a process, caught by an audit hook (PEP 578).

Each refusal raises `JourneyViolation` where the journey made the call and is also recorded, so
a journey that swallows the exception still fails, as `infrastructure`, saying why.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from prodsmoke.errors import JourneyViolation

_SEALED: contextvars.ContextVar[list[JourneyViolation] | None] = contextvars.ContextVar(
    "prodsmoke_journey_sealed", default=None
)
_AUDITED = {
    "socket.connect": "opening a network connection from Python",
    "socket.getaddrinfo": "a DNS lookup from Python",
    "subprocess.Popen": "starting a process",
    "os.system": "starting a process",
    "os.exec": "starting a process",
    "os.posix_spawn": "starting a process",
}
_installed = False


def install() -> None:
    """Put the seal's checks on Playwright's entry points and the audit hook (idempotent)."""
    global _installed  # noqa: PLW0603 - one process-wide installation
    if _installed:
        return
    from playwright._impl.browser import Browser
    from playwright._impl.browser_type import BrowserType
    from playwright._impl.fetch import APIRequest, APIRequestContext

    refused: list[tuple[type, tuple[str, ...], str]] = [
        (Browser, ("new_context", "new_page"), "creating a browser context"),
        (
            BrowserType,
            ("launch", "launch_persistent_context", "connect", "connect_over_cdp"),
            "launching or connecting a browser",
        ),
        (APIRequest, ("new_context",), "an API request context (playwright.request)"),
        (
            APIRequestContext,
            ("fetch", "get", "post", "put", "patch", "delete", "head"),
            "page.request / context.request",
        ),
    ]
    for owner, names, what in refused:
        for name in names:
            setattr(owner, name, _refusing(getattr(owner, name), what))
    sys.addaudithook(_audit)
    _installed = True


def _refusing(method: Callable[..., Awaitable[Any]], what: str) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def sealed(*args: Any, **kwargs: Any) -> Any:
        refuse(what)
        return await method(*args, **kwargs)

    return sealed


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event in _AUDITED and _SEALED.get() is not None:
        refuse(_AUDITED[event])


def refuse(what: str) -> None:
    """Raise (and record) a violation when called from sealed journey code; else nothing."""
    violations = _SEALED.get()
    if violations is None:
        return
    violation = JourneyViolation(what)
    violations.append(violation)
    raise violation


@contextlib.contextmanager
def sealed() -> Iterator[list[JourneyViolation]]:
    """Mark the current context as journey code; yields the violations recorded in it.

    Use it around creating the journey's task or greenlet context (`contextvars.copy_context`),
    so everything that code starts inherits the mark.
    """
    violations: list[JourneyViolation] = []
    token = _SEALED.set(violations)
    try:
        yield violations
    finally:
        _SEALED.reset(token)


def unsealed_context() -> contextvars.Context:
    """A context without the mark, for work the engine does on a journey's behalf."""
    context = contextvars.copy_context()
    context.run(_SEALED.set, None)
    return context
