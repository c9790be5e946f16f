"""Fault injection for the demo target: parse `--fault` text into a typed, frozen `Faults` value."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

DEFAULT_SLOW_HOMEPAGE_MS = 4000
DEFAULT_SLOW_API_MS = 600
DEFAULT_SLOW_ASSETS_MS = 20  # about a CDN's answer: what the guard-overhead bench compares with
# The Web Vitals faults (issue 14) default to just past the published "good" limits, so each one
# trips its vital's default warning: LCP 2.5 s, CLS 0.1, TTFB 0.8 s, INP 200 ms.
DEFAULT_LATE_HERO_MS = 2600
DEFAULT_LAYOUT_SHIFT = 0.25
# Pushing every box of the homepage out of the viewport scores about 0.5: the most one shift can.
MAX_LAYOUT_SHIFT = 0.5
DEFAULT_SLOW_FIRST_BYTE_MS = 1000
DEFAULT_SLOW_CLICK_MS = 300
# A delay longer than this is a typo, not a test; `hang` exists for "forever".
MAX_DELAY_MS = 600_000
ALL = 100  # percent

# Every fault: its name, how it takes a value, and the Faults field it sets. The order is the
# canonical order of str(faults) and of the "expected one of" list in error messages.
_Kind = Literal["flag", "ms", "percent", "score"]
_SPECS: tuple[tuple[str, _Kind, str], ...] = (
    ("slow-homepage", "ms", "slow_homepage_ms"),
    ("slow-api", "ms", "slow_api_ms"),
    ("slow-assets", "ms", "slow_assets_ms"),
    ("console-error", "flag", "console_error"),
    ("missing-element", "flag", "missing_element"),
    ("degraded-redis", "flag", "degraded_redis"),
    ("health-down", "flag", "health_down"),
    ("enhance-error", "flag", "enhance_error"),
    ("login-broken", "flag", "login_broken"),
    ("flaky", "percent", "flaky_percent"),
    ("jitter", "percent", "jitter_percent"),
    ("hang", "flag", "hang"),
    ("rate-limit-tight", "flag", "rate_limit_tight"),
    ("beacon", "flag", "beacon"),
    ("endless-body", "flag", "endless_body"),
    ("basic-auth", "flag", "basic_auth"),
    ("pricing-broken", "flag", "pricing_broken"),
    ("examples-empty", "flag", "examples_empty"),
    ("dashboard-broken", "flag", "dashboard_broken"),
    ("late-hero", "ms", "late_hero_ms"),
    ("layout-shift", "score", "layout_shift"),
    ("slow-first-byte", "ms", "slow_first_byte_ms"),
    ("slow-click", "ms", "slow_click_ms"),
    ("nav-missing-item", "flag", "nav_missing_item"),
    ("pricing-restyle", "flag", "pricing_restyle"),
    ("banner-over-button", "flag", "banner_over_button"),
    # Issue 21: the second factors.
    ("totp-broken", "flag", "totp_broken"),
    ("passkey-broken", "flag", "passkey_broken"),
)
_DEFAULT_MS = {
    "slow-homepage": DEFAULT_SLOW_HOMEPAGE_MS,
    "slow-api": DEFAULT_SLOW_API_MS,
    "slow-assets": DEFAULT_SLOW_ASSETS_MS,
    "late-hero": DEFAULT_LATE_HERO_MS,
    "slow-first-byte": DEFAULT_SLOW_FIRST_BYTE_MS,
    "slow-click": DEFAULT_SLOW_CLICK_MS,
}


def _usage(name: str, kind: _Kind) -> str:
    return {
        "flag": name,
        "ms": f"{name}[:ms]",
        "percent": f"{name}:<percent>",
        "score": f"{name}[:score]",
    }[kind]


EXPECTED = ", ".join(_usage(name, kind) for name, kind, _ in _SPECS)


class FaultError(ValueError):
    """A `--fault` value is unknown or malformed; the message is one line with an example."""


@dataclass(frozen=True, slots=True)
class Faults:
    """The faults a demo target injects; the default value injects none."""

    slow_homepage_ms: int | None = None
    slow_api_ms: int | None = None
    slow_assets_ms: int | None = None
    console_error: bool = False
    missing_element: bool = False
    degraded_redis: bool = False
    health_down: bool = False
    enhance_error: bool = False
    login_broken: bool = False
    flaky_percent: float | None = None
    jitter_percent: float | None = None
    hang: bool = False
    rate_limit_tight: bool = False
    beacon: bool = False
    endless_body: bool = False
    basic_auth: bool = False
    pricing_broken: bool = False  # /pricing shows 2 plans instead of 3
    examples_empty: bool = False  # /examples finds nothing
    dashboard_broken: bool = False  # /dashboard answers 500 after a login
    # Web Vitals (issue 14): each moves one vital of the homepage (or of every page) on purpose.
    late_hero_ms: int | None = None  # LCP: a hero image that arrives this late
    layout_shift: float | None = None  # CLS: a banner that shifts the page by about this score
    slow_first_byte_ms: int | None = None  # TTFB: every HTML document's headers this late
    slow_click_ms: int | None = None  # INP: a long task after a click on #enhance-button
    # Baselines (issue 23): each moves one thing a baseline sees, and nothing a journey asserts.
    nav_missing_item: bool = False  # ARIA: the header's nav has no Examples link
    pricing_restyle: bool = False  # pixels: the pricing cards restyled (same DOM, same text)
    banner_over_button: bool = False  # pixels: a banner covers #enhance-button (clicks go through)
    # Second factors (issue 21): every TOTP code is refused (a server clock gone wrong), and every
    # passkey assertion fails verification (a server that lost the enrolled public key).
    totp_broken: bool = False
    passkey_broken: bool = False

    @classmethod
    def parse(cls, text: str | None) -> Faults:
        """Parse comma-separated fault text, e.g. "slow-homepage:300,flaky:20"; "" means none."""
        values: dict[str, object] = {}
        seen: set[str] = set()
        for raw_item in (text or "").split(","):
            item = raw_item.strip().lower()
            if not item:
                continue
            name, sep, raw = item.partition(":")
            name, raw = name.strip(), raw.strip()
            spec = next((s for s in _SPECS if s[0] == name), None)
            if spec is None:
                raise FaultError(f"unknown fault {name!r}; expected one of: {EXPECTED}")
            if name in seen:
                raise FaultError(f"fault {name!r} is given more than once; give it once")
            seen.add(name)
            _, kind, field = spec
            values[field] = _parse_value(name, kind, raw if sep else None)
        return cls(**values)  # type: ignore[arg-type]  # fields and types come from _SPECS

    @property
    def names(self) -> tuple[str, ...]:
        """The active faults' names, in canonical order."""
        return tuple(name for name, _, field in _SPECS if _active(getattr(self, field)))

    def __str__(self) -> str:
        """Canonical comma-separated form; `Faults.parse(str(f)) == f`."""
        parts = []
        for name, kind, field in _SPECS:
            value = getattr(self, field)
            if not _active(value):
                continue
            parts.append(name if kind == "flag" else f"{name}:{_number(value)}")
        return ",".join(parts)


def _parse_value(name: str, kind: _Kind, raw: str | None) -> object:
    if kind == "flag":
        if raw is not None:
            raise FaultError(f"fault {name!r} takes no value; write just {name!r}")
        return True
    if kind == "ms":
        if raw is None:
            return _DEFAULT_MS[name]
        if not raw.isdigit() or int(raw) > MAX_DELAY_MS:
            raise FaultError(
                f"fault {name!r} needs a delay in milliseconds 0-{MAX_DELAY_MS}, e.g. {name}:300"
            )
        return int(raw)
    if kind == "score":
        return _score(name, raw)
    percent = _float(raw)
    if not 0 <= percent <= ALL:  # also rejects NaN
        raise FaultError(f"fault {name!r} needs a percent 0-100, e.g. {name}:20")
    return percent


def _score(name: str, raw: str | None) -> float:
    if raw is None:
        return DEFAULT_LAYOUT_SHIFT
    score = _float(raw)
    if not 0 < score <= MAX_LAYOUT_SHIFT:  # also rejects NaN
        raise FaultError(
            f"fault {name!r} needs a layout shift score over 0 and at most {MAX_LAYOUT_SHIFT}, "
            f"e.g. {name}:0.25"
        )
    return score


def _active(value: object) -> bool:
    # Identity, not equality: "flaky:0" or "slow-api:0" was asked for, so it is listed.
    return value is not None and value is not False


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _float(raw: str | None) -> float:
    """`raw` as a float; NaN (which no range admits) when it is missing or not a number."""
    try:
        return float(raw) if raw else math.nan
    except ValueError:
        return math.nan
