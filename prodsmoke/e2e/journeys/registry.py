"""The journey registry: each kind's config model and the coroutine that runs it, in one place.

`@register(Spec)` on `async def run(j: JourneyRun, spec: Spec) -> None` is all a new kind needs:
defining `Spec` (a `JourneySpec` subclass) made `journeys:` accept it, and this makes the
engine, the plan and `smoke check-config` know how to run and describe it. A configured kind
with no implementation is a configuration error when the run is planned, never a KeyError later.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from prodsmoke.config.journeys import JourneySpec

if TYPE_CHECKING:
    from prodsmoke.e2e.journeys.base import JourneyRun

S = TypeVar("S", bound=JourneySpec)
S_contra = TypeVar("S_contra", bound=JourneySpec, contravariant=True)


class JourneyFn(Protocol[S_contra]):
    """What a kind's implementation looks like."""

    def __call__(self, j: JourneyRun, spec: S_contra, /) -> Awaitable[None]:
        """Drive `j.page` for one attempt; raise to fail it."""


_RUNNERS: dict[type[JourneySpec], JourneyFn[JourneySpec]] = {}


def register(spec: type[S]) -> Callable[[JourneyFn[S]], JourneyFn[S]]:
    """Make `run` the implementation of the kind `spec` defines."""

    def decorate(run: JourneyFn[S]) -> JourneyFn[S]:
        _RUNNERS[spec] = run  # type: ignore[assignment]  # keyed by the very type it accepts
        return run

    return decorate


def runner_for(spec: JourneySpec) -> JourneyFn[JourneySpec] | None:
    """The implementation of `spec`'s kind, or None when nothing registered one."""
    return _RUNNERS.get(type(spec))


def implemented() -> frozenset[str]:
    """The kinds that can run."""
    return frozenset(str(s.model_fields["kind"].default) for s in _RUNNERS)
