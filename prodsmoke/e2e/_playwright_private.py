"""Every use prodsmoke makes of Playwright's private internals (`playwright._impl`), in one place.

prodsmoke needs a few things Playwright's public API does not offer:

- the sync API running on *our* event loop (`e2e.bridge`): the sync wrappers' dispatcher
  greenlet, their wrapper cache, and the helper that waits for a future from a greenlet;
- the implementation classes whose methods the seal and the guard wrap (`e2e.seal`,
  `e2e.api_guard`): what a journey may not call (launching browsers) or may only call guarded
  (new contexts, API requests);
- the one error class that says "the browser or page went away" in every API flavour;
- `expect.soft()`'s scope, kept per test (per context variable) rather than in one module
  global: prodsmoke runs several tests at once, and pytest-playwright opens one per test.

`missing()` lists what an installed Playwright lacks of these; `tests/e2e/test_playwright_
private.py` fails loudly on an upgrade that moved any of them, and the bridge and the seal refuse
to run half-adapted (a clear reason, never an AttributeError inside a journey). The Playwright
versions this is tested with are pinned in pyproject.toml.
"""

from __future__ import annotations

import importlib
from typing import Any

# (module, attribute) pairs prodsmoke reads; `missing()` checks each.
USED = (
    ("playwright._impl._errors", "TargetClosedError"),
    ("playwright._impl._greenlets", "wait_for_future"),
    ("playwright._impl._sync_base", "mapping"),
    ("playwright._impl._sync_base", "SyncBase"),
    ("playwright._impl._async_base", "mapping"),
    ("playwright._impl._impl_to_api_mapping", "ImplToApiMapping"),
    ("playwright._impl.browser", "Browser"),
    ("playwright._impl.browser_type", "BrowserType"),
    ("playwright._impl.fetch", "APIRequest"),
    ("playwright._impl.fetch", "APIRequestContext"),
    ("playwright._impl._assertions", "_soft_scope"),
    ("playwright._impl._assertions", "_record_soft_or_raise"),
    ("playwright._impl.assertions", "_record_soft_or_raise"),
)
# Methods of the classes above that are wrapped, and the attributes the bridge relies on.
METHODS = (
    ("playwright._impl.browser", "Browser", "new_context"),
    ("playwright._impl.browser", "Browser", "new_page"),
    ("playwright._impl.browser_type", "BrowserType", "launch"),
    ("playwright._impl.browser_type", "BrowserType", "launch_persistent_context"),
    ("playwright._impl.browser_type", "BrowserType", "connect"),
    ("playwright._impl.browser_type", "BrowserType", "connect_over_cdp"),
    ("playwright._impl.fetch", "APIRequest", "new_context"),
    ("playwright._impl.fetch", "APIRequestContext", "_inner_fetch"),
    ("playwright._impl._impl_to_api_mapping", "ImplToApiMapping", "from_maybe_impl"),
)


def missing() -> list[str]:
    """What this Playwright lacks of what prodsmoke uses ('' entries never appear)."""
    gone: list[str] = []
    for module, name in USED:
        try:
            imported = importlib.import_module(module)
        except ImportError:
            gone.append(module)
            continue
        if not hasattr(imported, name):
            gone.append(f"{module}.{name}")
    for module, cls, method in METHODS:
        owner = getattr(_module(module), cls, None)
        if owner is None or not callable(getattr(owner, method, None)):
            gone.append(f"{module}.{cls}.{method}")
    sync = getattr(_module("playwright._impl._sync_base"), "mapping", None)
    if sync is not None and not hasattr(sync, "_mapping"):
        gone.append("playwright._impl._sync_base.mapping._mapping")
    return gone


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def target_closed_error() -> type[Exception]:
    """Playwright's TargetClosedError (not exported by its public API in every release)."""
    from playwright._impl._errors import TargetClosedError

    return TargetClosedError


def wait_for_future(loop: Any, dispatcher: Any, future: Any) -> None:
    """From a greenlet: let `dispatcher` (the loop's greenlet) run until `future` is done."""
    from playwright._impl._greenlets import wait_for_future as wait

    wait(loop, dispatcher, future)


def impl_of(api_object: Any) -> Any:
    """The implementation object behind a public (sync or async) API object."""
    return api_object._impl_obj


def async_api(impl: Any) -> Any:
    """The `playwright.async_api` object for an implementation object."""
    from playwright._impl._async_base import mapping

    return mapping.from_maybe_impl(impl)


def sync_api(impl: Any) -> Any:
    """The `playwright.sync_api` object for an implementation object (after `adapt_sync_api`)."""
    from playwright._impl._sync_base import mapping

    return mapping.from_maybe_impl(impl)


def impl_classes() -> dict[str, type]:
    """The implementation classes whose methods the seal and the guard wrap, by name."""
    from playwright._impl.browser import Browser
    from playwright._impl.browser_type import BrowserType
    from playwright._impl.fetch import APIRequest, APIRequestContext

    return {
        "Browser": Browser,
        "BrowserType": BrowserType,
        "APIRequest": APIRequest,
        "APIRequestContext": APIRequestContext,
    }


SYNC_CACHE = "_prodsmoke_sync_api_"


def adapt_sync_api(dispatcher_for: Any) -> str:
    """Make sync wrappers work for objects of an async connection; '' when done, else why not.

    Sync wrappers of objects of an async connection get `dispatcher_for(loop)` (the loop's own
    greenlet) as their dispatcher, which such a connection lacks; and the sync API caches its
    wrapper of an implementation object apart from the async API's (both would share one
    attribute, and prodsmoke wraps the same pages and responses for its own observers too).
    """
    gone = missing()
    if gone:
        return "this Playwright's internals moved (" + ", ".join(gone) + ")"
    from playwright._impl import _sync_base
    from playwright._impl._impl_to_api_mapping import ImplToApiMapping

    sync_mapping = _sync_base.mapping
    base_init = _sync_base.SyncBase.__init__

    def from_maybe_impl(obj: Any, visited: Any = None) -> Any:
        if obj and not isinstance(obj, dict | list):
            api_class = sync_mapping._mapping.get(getattr(obj, "_api_impl_class", type(obj)))
            if api_class is not None:
                wrapper = getattr(obj, SYNC_CACHE, None)
                if wrapper is None:
                    wrapper = api_class(obj)
                    setattr(obj, SYNC_CACHE, wrapper)
                return wrapper
        return ImplToApiMapping.from_maybe_impl(sync_mapping, obj, visited)

    def init(self: Any, impl_obj: Any) -> None:
        base_init(self, impl_obj)
        if self._dispatcher_fiber is None:  # an object of an async connection
            self._dispatcher_fiber = dispatcher_for(self._loop)

    sync_mapping.from_maybe_impl = from_maybe_impl  # type: ignore[method-assign]
    _sync_base.SyncBase.__init__ = init  # type: ignore[method-assign]
    return ""


_SOFT: Any = None  # the context variable of soft-assertion errors, once installed


def soft_assertions_per_test() -> None:
    """Keep `expect.soft()`'s errors per context (each running test has its own), idempotent."""
    global _SOFT  # noqa: PLW0603 - one process-wide adaptation
    if _SOFT is not None:
        return
    import contextlib
    import contextvars
    import sys

    from playwright._impl import _assertions, assertions

    errors_var: contextvars.ContextVar[list[AssertionError] | None] = contextvars.ContextVar(
        "prodsmoke_soft_errors", default=None
    )

    @contextlib.contextmanager
    def soft_scope() -> Any:
        if errors_var.get() is not None:
            raise AssertionError("nested soft assertion scopes are not supported")
        errors: list[AssertionError] = []
        token = errors_var.set(errors)
        try:
            yield errors
        finally:
            errors_var.reset(token)

    def record_soft_or_raise(error: AssertionError, is_soft: bool) -> None:
        __tracebackhide__ = True
        errors = errors_var.get()
        if is_soft and errors is not None:
            errors.append(error)
            return
        if is_soft:
            raise RuntimeError("expect.soft(...) needs a test's soft-assertion scope")
        raise error

    _assertions._soft_scope = soft_scope
    _assertions._record_soft_or_raise = record_soft_or_raise
    assertions._record_soft_or_raise = record_soft_or_raise  # type: ignore[attr-defined]
    plugin = sys.modules.get("pytest_playwright.pytest_playwright")
    if plugin is not None and getattr(plugin, "_soft_scope", None) is not None:
        setattr(plugin, "_soft_scope", soft_scope)  # noqa: B010 - a module's private name
    _SOFT = errors_var


def without_soft_scope(context: Any) -> None:
    """Clear any soft-assertion scope `context` inherited (a test's own scope starts empty)."""
    if _SOFT is not None:
        context.run(_SOFT.set, None)
