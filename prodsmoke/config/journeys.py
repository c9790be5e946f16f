"""What every journey accepts, whatever its kind: the base of each kind's config model.

`journeys:` in an environment file maps a journey id to the settings of one *kind*; the kinds,
and which one an entry is, are `prodsmoke.config.kinds`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from prodsmoke.config.vitals import VitalLimits


class JourneySpec(BaseModel):
    """What every journey accepts, whatever its kind."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    # Ids that mean this kind when an entry gives no `kind:` (the built-ins' historical ids).
    claims_ids: ClassVar[tuple[str, ...]] = ()
    # Journeys of a kind that times a page load go first; the others wait for their timing.
    leads: ClassVar[bool] = False
    # The attempt opens a page before the kind runs (a Python journey's fixtures open theirs).
    opens_page: ClassVar[bool] = True
    # A page action's own timeout ends this long before the attempt's: its error (which locator,
    # what it waited for) is the verdict, not "did not finish".
    action_lead_s: ClassVar[float] = 0.25

    kind: str
    enabled: bool = True
    timeout_s: float = Field(
        15.0, gt=0, le=900, description="seconds one attempt may take, a number > 0"
    )
    expected_requests: int = Field(
        15,
        ge=1,
        le=10_000,
        description="requests one attempt sends (reserved from the rate budget before it starts)",
    )
    # Web Vitals thresholds for every page the journey loads (SPEC §13, `config.vitals`).
    vitals: VitalLimits = Field(default_factory=VitalLimits)

    def summary(self) -> str:
        """One line for `smoke check-config`: what the journey does and its limits."""
        return ""

    async def after_check(self) -> None:
        """Called once the check is over (every attempt done, or none run); nothing by default."""

    def step_names(self) -> frozenset[str] | None:
        """The names of the steps this journey reports, when known before a run (else None)."""
        return None

    def urls(self) -> Iterator[tuple[str, str]]:
        """(key, URL) for each place the journey navigates to that its config names, so
        `check-config` can hold them to the guard's hosts; a kind's `url` by default."""
        url = getattr(self, "url", None)
        if isinstance(url, str):
            yield "url", url

    def metric_names(self) -> frozenset[str]:
        """The metrics this journey reports (as `smoke_test.journey.<name>`)."""
        return frozenset({"console_errors"})

    def _attempt_fits(self, limit_ms: int | None) -> None:
        """Let one attempt last the journey's own limit plus a margin, unless set by hand."""
        if limit_ms is not None and "timeout_s" not in self.model_fields_set:
            object.__setattr__(self, "timeout_s", max(self.timeout_s, limit_ms / 1000 + 3))
