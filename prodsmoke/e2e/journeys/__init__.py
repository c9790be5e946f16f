"""The browser journeys: what each kind's run receives (`JourneyRun`), the `smoke` handle of a
team's journeys (`handle.Smoke`), and one module per kind, `<kind>.py`, whose `run(j, spec)`
drives the page for one attempt.

Which kinds exist is `prodsmoke.config.kinds.KINDS`; each row names its run, and `runner_for`
finds it there. Every run is imported once, with this package, so the first journey of a run
pays no import in its timing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from prodsmoke.config.kinds import KINDS
from prodsmoke.e2e.journeys.base import JourneyRun

if TYPE_CHECKING:
    from prodsmoke.config.journeys import JourneySpec

S_contra = TypeVar("S_contra", bound="JourneySpec", contravariant=True)


class JourneyFn(Protocol[S_contra]):
    """What a kind's run looks like."""

    def __call__(self, j: JourneyRun, spec: S_contra, /) -> Awaitable[None]:
        """Drive `j.page` for one attempt; raise to fail it."""


def _runs() -> Mapping[str, JourneyFn[JourneySpec]]:
    return {
        kind.name: cast("JourneyFn[JourneySpec]", import_module(kind.run).run) for kind in KINDS
    }


RUNS = _runs()


def runner_for(spec: JourneySpec) -> JourneyFn[JourneySpec] | None:
    """The run of `spec`'s kind (None only for a model that is not in `KINDS`)."""
    return RUNS.get(spec.kind)


__all__ = ["RUNS", "JourneyFn", "JourneyRun", "runner_for"]
