"""Which checks a run will execute, in order, from the settings and the `--check` selection.

Journeys come from two places: `journeys:` in the environment file (any of `config.kinds`) and the
pytest tests in the files `journey_paths` names (collected by `prodsmoke.suite`, which hands the
plan each one as a `PythonJourney` bound to its test, by id; optional settings under
`journeys: {<id>: {max_ms: …}}`). Every id is unique across health checks, API checks and both
kinds of journey; anything that does not add up is a `ConfigError` before anything is sent.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from prodsmoke.config.journeys import JourneySpec
from prodsmoke.config.kinds import built_in_kinds, claimed_id_hint
from prodsmoke.config.kinds.python import BoundTest, PythonJourney
from prodsmoke.config.models import HttpCheck, Settings
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
    def test(self) -> BoundTest | None:
        """The pytest test of a Python journey, else None."""
        return self.spec.bound if isinstance(self.spec, PythonJourney) else None


Found = Mapping[str, PythonJourney]  # the collected tests, by journey id (`prodsmoke.suite`)


def all_checks(
    settings: Settings, found: Found | None = None, *, partial: bool = False
) -> list[PlannedCheck]:
    """Every enabled check: health, then API, then journeys (config order, then the tests).

    `found` None: the tests were not collected (the settings of Python journeys are left out);
    else every Python journey the environment configures must be among them, unless `partial`.
    """
    checks = [PlannedCheck(c.id, CheckKind.HEALTH, c) for c in settings.health_checks if c.enabled]
    checks += [PlannedCheck(c.id, CheckKind.API, c) for c in settings.api_checks if c.enabled]
    checks += [
        PlannedCheck(journey_id, CheckKind.JOURNEY, spec)
        for journey_id, spec in journeys(
            settings, found or {}, partial=partial or found is None
        ).items()
        if spec.enabled
    ]
    return checks


def journeys(settings: Settings, found: Found, *, partial: bool = False) -> dict[str, JourneySpec]:
    """Every journey by id: the configured ones, with Python journeys bound to their test
    (`partial`: settings of a test that was not collected are left out, not an error)."""
    file = settings.file
    paths = [Path(p) for p in settings.journey_paths or ()]
    sources = dict(found)
    out: dict[str, JourneySpec] = {}
    for journey_id, spec in settings.journeys.items():
        key = f"journeys.{journey_id}"
        if isinstance(spec, PythonJourney):
            if journey_id not in sources:
                if partial:
                    continue
                raise ConfigError(file, key, _not_found(journey_id, paths))
            out[journey_id] = sources.pop(journey_id)
        elif journey_id in sources:
            bound = sources[journey_id].bound
            raise ConfigError(
                file,
                key,
                f"journey id {journey_id!r} is also the id of the pytest test at "
                f"{bound.where() if bound else '?'}; ids must be unique",
            )
        else:
            out[journey_id] = spec
    out.update(sources)
    http_ids = {c.id for c in settings.http_checks}
    for journey_id, spec in out.items():
        if journey_id in http_ids:
            bound = spec.bound if isinstance(spec, PythonJourney) else None
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
        f"{hint}no pytest test with journey id {journey_id!r} in {where}, and the entry gives no "
        f"kind: or steps:; expected a test test_{journey_id} in a test_*.py file there, kind: "
        f"(one of {built_in}), or steps: [...]"
    )


def plan(
    settings: Settings,
    only: Sequence[str] = (),
    found: Found | None = None,
    *,
    partial: bool = False,
) -> list[PlannedCheck]:
    """The checks to run: all enabled ones, or exactly those named (unknown names are an error)."""
    checks = all_checks(settings, found, partial=partial)
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
