"""Which checks a run will execute, in order, from the settings and the `--check` selection."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from prodsmoke.config.models import (
    EnhancementJourney,
    HomepageJourney,
    HttpCheck,
    LoginJourney,
    Settings,
)
from prodsmoke.errors import UsageError
from prodsmoke.results import CheckKind

JourneySpec = HomepageJourney | EnhancementJourney | LoginJourney


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


def all_checks(settings: Settings) -> list[PlannedCheck]:
    """Every enabled check: health, then API, then journeys (config order)."""
    checks = [PlannedCheck(c.id, CheckKind.HEALTH, c) for c in settings.health_checks if c.enabled]
    checks += [PlannedCheck(c.id, CheckKind.API, c) for c in settings.api_checks if c.enabled]
    for name in type(settings.journeys).model_fields:
        spec = getattr(settings.journeys, name)
        if spec is not None and spec.enabled:
            checks.append(PlannedCheck(name, CheckKind.JOURNEY, spec))
    return checks


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
