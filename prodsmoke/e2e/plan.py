"""Which checks a run will execute, in order, from the settings and the `--check` selection.

Journeys come from two places: `journeys:` in the environment file (any registered kind) and the
Python files `journey_paths` names (`test_<id>` functions, with optional settings under
`journeys: {<id>: {max_ms: …}}`). Every id is unique across health checks, API checks and both
kinds of journey; anything that does not add up is a `ConfigError` before anything is sent.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from prodsmoke.config.journeys import JourneySpec, built_in_kinds, claimed_id_hint
from prodsmoke.config.models import HttpCheck, Settings
from prodsmoke.e2e.journeys import implemented
from prodsmoke.e2e.journeys.python import PythonJourney
from prodsmoke.e2e.journeys.sources import JourneySource, discover
from prodsmoke.errors import ConfigError, UsageError
from prodsmoke.results import CheckKind


@dataclass(frozen=True, slots=True)
class PlannedCheck:
    """One check the run will execute."""

    id: str
    kind: CheckKind
    spec: HttpCheck | JourneySpec

    @property
    def timeout_s(self) -> float:
        """The longest one attempt may take."""
        return self.spec.timeout_s

    @property
    def expected_requests(self) -> int:
        """What one attempt is expected to send (reserved from the rate budget first)."""
        return 1 if isinstance(self.spec, HttpCheck) else self.spec.expected_requests

    @property
    def leads(self) -> bool:
        """True for a journey whose kind times a page load (it navigates first)."""
        return isinstance(self.spec, JourneySpec) and type(self.spec).leads

    @property
    def source(self) -> JourneySource | None:
        """The Python function of a Python journey, else None."""
        return self.spec.source if isinstance(self.spec, PythonJourney) else None


def all_checks(settings: Settings) -> list[PlannedCheck]:
    """Every enabled check: health, then API, then journeys (config order, then Python files)."""
    checks = [PlannedCheck(c.id, CheckKind.HEALTH, c) for c in settings.health_checks if c.enabled]
    checks += [PlannedCheck(c.id, CheckKind.API, c) for c in settings.api_checks if c.enabled]
    checks += [
        PlannedCheck(journey_id, CheckKind.JOURNEY, spec)
        for journey_id, spec in journeys(settings).items()
        if spec.enabled
    ]
    return checks


def journeys(settings: Settings) -> dict[str, JourneySpec]:
    """Every journey by id: the configured ones, with Python journeys bound to their function."""
    file = settings.file
    paths = [Path(p) for p in settings.journey_paths or ()]
    sources = {s.id: s for s in discover(paths)}
    out: dict[str, JourneySpec] = {}
    runnable = implemented()
    for journey_id, spec in settings.journeys.items():
        key = f"journeys.{journey_id}"
        if spec.kind not in runnable:
            raise ConfigError(file, f"{key}.kind", f"no implementation for kind {spec.kind!r}")
        if isinstance(spec, PythonJourney):
            if journey_id not in sources:
                raise ConfigError(file, key, _not_found(journey_id, paths))
            out[journey_id] = spec.found(sources.pop(journey_id))
        elif journey_id in sources:
            raise ConfigError(
                file,
                key,
                f"journey id {journey_id!r} is also a Python journey at "
                f"{sources[journey_id].where()}; ids must be unique",
            )
        else:
            out[journey_id] = spec
    for journey_id, found in sources.items():
        out[journey_id] = PythonJourney().found(found)
    http_ids = {c.id for c in settings.http_checks}
    for journey_id, spec in out.items():
        if journey_id in http_ids:
            bound = spec.source if isinstance(spec, PythonJourney) else None
            where = bound.where() if bound is not None else file
            raise ConfigError(
                where, "", f"journey id {journey_id!r} is also the id of a health or API check"
            )
    return out


def _not_found(journey_id: str, paths: list[Path]) -> str:
    where = (
        ", ".join(str(p) for p in paths) or "journey_paths (none: e2e/ beside config/ is absent)"
    )
    hint = claimed_id_hint(journey_id)
    built_in = ", ".join(built_in_kinds())
    return (
        f"{hint}no Python journey test_{journey_id} in {where}, and the entry gives no kind: or "
        f"steps:; expected a function test_{journey_id} in a test_*.py file there, kind: (one "
        f"of {built_in}), or steps: [...]"
    )


def plan(settings: Settings, only: Sequence[str] = ()) -> list[PlannedCheck]:
    """The checks to run: all enabled ones, or exactly those named (unknown names are an error)."""
    checks = all_checks(settings)
    if not only:
        return checks
    known = {c.id: c for c in checks}
    for name in only:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = (
                f"did you mean {close[0]!r}?" if close else "expected one of: " + ", ".join(known)
            )
            raise UsageError(
                f"--check {name!r} is not a check of environment {settings.name!r}; {hint}"
            )
    return [c for c in checks if c.id in set(only)]
