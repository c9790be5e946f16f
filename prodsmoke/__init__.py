"""prodsmoke: a production smoke suite that loads a web product the way a user does."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

from prodsmoke import timeline as _timeline  # noqa: F401 - starts the clock

if TYPE_CHECKING:
    from prodsmoke.e2e.journeys.handle import Smoke

__all__ = ["Smoke", "__version__"]


def __getattr__(name: str) -> object:
    """`from prodsmoke import Smoke` (a journey's `smoke` fixture, for its annotation), imported
    on first use: it brings Playwright, which `smoke --help` and most commands never need."""
    if name == "Smoke":
        from prodsmoke.e2e.journeys.handle import Smoke

        return Smoke
    raise AttributeError(f"module 'prodsmoke' has no attribute {name!r}")
