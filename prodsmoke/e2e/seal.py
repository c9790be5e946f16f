"""The seal around a team's journey code: nothing it runs may send what the guard cannot see.

A Python journey (a pytest test with its fixtures) runs sealed: a context variable marks its
code; the engine's own work, leases and route handlers run outside it. While sealed:

- a new browser context or page (`browser.new_context()`, `browser.new_page()`) is made by the
  journey's `Provider`: a guarded context, like the `context` fixture's;
- an API request (`page.request`, `context.request`, `playwright.request.new_context()`) goes
  through the guard too (`Provider.fetch`: methods, hosts, budget, marker);
- launching or connecting a browser (`browser_type.launch` / `connect` / …) is refused, and so
  is any socket connection or name lookup from Python (an httpx/requests/urllib client) and
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
from dataclasses import dataclass, field
from typing import Any, Protocol

from prodsmoke.e2e import _playwright_private as private
from prodsmoke.errors import JourneyViolation


class Provider(Protocol):
    """What a sealed journey's guarded calls are made by (its attempt)."""

    async def new_context(self, options: dict[str, Any]) -> Any:
        """A guarded `async_api` BrowserContext made with `options`."""

    async def new_api_context(
        self, create: Callable[..., Awaitable[Any]], options: dict[str, Any]
    ) -> Any:
        """`create(**options)` (Playwright's own), made safe; returns the implementation."""

    async def fetch(
        self, send: Callable[..., Awaitable[Any]], request_context: Any, bound: dict[str, Any]
    ) -> Any:
        """One API request through the guard; `send(**bound)` sends it unguarded."""


@dataclass
class _Seal:
    violations: list[JourneyViolation] = field(default_factory=list)
    provider: Provider | None = None


_SEALED: contextvars.ContextVar[_Seal | None] = contextvars.ContextVar(
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
    classes = private.impl_classes()
    browser_type = classes["BrowserType"]
    for name in ("launch", "launch_persistent_context", "connect", "connect_over_cdp"):
        setattr(browser_type, name, _refusing(getattr(browser_type, name), _LAUNCH))
    browser = classes["Browser"]
    browser.new_context = _guarded_context(browser.new_context)  # type: ignore[attr-defined]
    browser.new_page = _guarded_page(browser.new_page)  # type: ignore[attr-defined]
    api_request = classes["APIRequest"]
    api_request.new_context = _guarded_api_context(api_request.new_context)  # type: ignore[attr-defined]
    request_context = classes["APIRequestContext"]
    request_context._inner_fetch = _guarded_fetch(request_context._inner_fetch)  # type: ignore[attr-defined]
    sys.addaudithook(_audit)
    _installed = True


_LAUNCH = (
    "launching or connecting a browser (prodsmoke runs one guarded browser; use the `browser` "
    "or `page` fixture)"
)


def _refusing(method: Callable[..., Awaitable[Any]], what: str) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def sealed(*args: Any, **kwargs: Any) -> Any:
        refuse(what)
        return await method(*args, **kwargs)

    return sealed


def _provider(what: str) -> Provider | None:
    """The sealed journey's provider, None outside a journey; refuses when it has none."""
    seal = _SEALED.get()
    if seal is None:
        return None
    if seal.provider is None:
        refuse(what)
    return seal.provider


def _given(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is not None}


def _guarded_context(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def new_context(self: Any, *args: Any, **kwargs: Any) -> Any:
        provider = _provider("creating a browser context")
        if provider is None:
            return await method(self, *args, **kwargs)
        return private.impl_of(await provider.new_context(_given(kwargs)))

    return new_context


def _guarded_page(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def new_page(self: Any, *args: Any, **kwargs: Any) -> Any:
        provider = _provider("creating a browser context")
        if provider is None:
            return await method(self, *args, **kwargs)
        context = await provider.new_context(_given(kwargs))
        return private.impl_of(await context.new_page())

    return new_page


def _guarded_api_context(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def new_context(self: Any, *args: Any, **kwargs: Any) -> Any:
        provider = _provider("an API request context (playwright.request)")
        if provider is None:
            return await method(self, *args, **kwargs)

        async def create(**options: Any) -> Any:
            return await method(self, *args, **{**kwargs, **options})

        return await provider.new_api_context(create, _given(kwargs))

    return new_context


def _guarded_fetch(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    import inspect

    signature = inspect.signature(method)

    @functools.wraps(method)
    async def inner_fetch(self: Any, *args: Any, **kwargs: Any) -> Any:
        provider = _provider("page.request / context.request")
        if provider is None:
            return await method(self, *args, **kwargs)
        bound = signature.bind(self, *args, **kwargs).arguments
        bound.pop("self", None)

        async def send(**arguments: Any) -> Any:
            return await method(self, **arguments)

        return await provider.fetch(send, self, dict(bound))

    return inner_fetch


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event in _AUDITED and _SEALED.get() is not None:
        refuse(_AUDITED[event])


def refuse(what: str) -> None:
    """Raise (and record) a violation when called from sealed journey code; else nothing."""
    seal = _SEALED.get()
    if seal is None:
        return
    violation = JourneyViolation(what)
    seal.violations.append(violation)
    raise violation


def is_sealed() -> bool:
    """True in journey code."""
    return _SEALED.get() is not None


@contextlib.contextmanager
def sealed(provider: Provider | None = None) -> Iterator[list[JourneyViolation]]:
    """Mark the current context as journey code; yields the violations recorded in it.

    Use it around creating the journey's task or greenlet context (`contextvars.copy_context`),
    so everything that code starts inherits the mark. `provider` makes the guarded contexts and
    API requests the journey asks for itself.
    """
    seal = _Seal(provider=provider)
    token = _SEALED.set(seal)
    try:
        yield seal.violations
    finally:
        _SEALED.reset(token)


def unsealed_context() -> contextvars.Context:
    """A context without the mark, for work the engine does on a journey's behalf."""
    context = contextvars.copy_context()
    context.run(_SEALED.set, None)
    return context
