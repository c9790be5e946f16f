"""Web Vitals (SPEC §13): their names, units, the published "good" limits, and a journey's
`vitals:` thresholds.

Every journey kind accepts `vitals: {lcp_ms: 2500, cls: 0.1, …}` (`JourneySpec.vitals`). A vital
given a limit fails its journey above it and warns above `thresholds.warn_ratio` of it, like any
timing. A vital not given keeps its default: the "good" limit Google publishes for it, warning
only (`requests` and `transfer_bytes` have none). `null` switches a vital's threshold off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# In the order results.json and the report show them.
VITALS = ("ttfb_ms", "fcp_ms", "lcp_ms", "cls", "inp_ms", "requests", "transfer_bytes")
Unit = Literal["ms", "ratio", "count", "bytes"]
UNITS: Mapping[str, Unit] = {
    "ttfb_ms": "ms",
    "fcp_ms": "ms",
    "lcp_ms": "ms",
    "cls": "ratio",  # a score without a unit
    "inp_ms": "ms",
    "requests": "count",
    "transfer_bytes": "bytes",
}
LABELS: Mapping[str, str] = {
    "ttfb_ms": "TTFB",
    "fcp_ms": "FCP",
    "lcp_ms": "LCP",
    "cls": "CLS",
    "inp_ms": "INP",
    "requests": "requests",
    "transfer_bytes": "transfer size",
}
# https://web.dev/articles/vitals, /articles/fcp, /articles/ttfb: the "good" end of each scale.
GOOD: Mapping[str, float] = {
    "ttfb_ms": 800,
    "fcp_ms": 1800,
    "lcp_ms": 2500,
    "cls": 0.1,
    "inp_ms": 200,
}


def shown(vital: str, value: float) -> str:
    """A value as people read it: `2630 ms`, `0.25`, `42`, `1.2 MB`."""
    unit = UNITS[vital]
    if unit == "ms":
        return f"{value:.0f} ms"
    if unit == "ratio":
        return f"{value:.3f}".rstrip("0").rstrip(".") if value else "0"
    if unit == "bytes":
        for size, suffix in ((1e6, "MB"), (1e3, "kB")):
            if value >= size:
                return f"{value / size:.1f} {suffix}"
        return f"{value:.0f} B"
    return f"{value:.0f}"


@dataclass(frozen=True, slots=True)
class Limit:
    """One vital's threshold for one journey."""

    vital: str
    value: float
    fails: bool  # False: a default "good" limit, which only warns


_MS = "milliseconds, a number > 0, or null for no limit"


class VitalLimits(BaseModel):
    """A journey's `vitals:` thresholds, applied to every page it loads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ttfb_ms: float | None = Field(None, gt=0, description=_MS)
    fcp_ms: float | None = Field(None, gt=0, description=_MS)
    lcp_ms: float | None = Field(None, gt=0, description=_MS)
    cls: float | None = Field(None, gt=0, description="a layout shift score > 0, e.g. 0.1")
    inp_ms: float | None = Field(None, gt=0, description=_MS)
    requests: int | None = Field(None, gt=0, description="a whole number > 0, or null")
    transfer_bytes: int | None = Field(None, gt=0, description="bytes, a whole number > 0")

    def limits(self) -> tuple[Limit, ...]:
        """The thresholds in force: those given (they fail), then the defaults (they warn)."""
        given = self.model_fields_set
        out = []
        for vital in VITALS:
            value = getattr(self, vital)
            if vital in given:
                if value is not None:  # null: no threshold for this vital, not even a default
                    out.append(Limit(vital, float(value), fails=True))
            elif vital in GOOD:
                out.append(Limit(vital, GOOD[vital], fails=False))
        return tuple(out)
