"""The browser journeys, by check id.

To add one: write `async def run(j: JourneyRun, spec) -> None` in a module here, add its spec
model to `prodsmoke.config.models.Journeys`, and register it below.
"""

from __future__ import annotations

from prodsmoke.e2e.journeys import enhancement, homepage, login
from prodsmoke.e2e.journeys.base import Journey, JourneyRun

JOURNEYS: dict[str, Journey] = {
    "homepage_load": homepage.run,
    "anonymous_enhancement": enhancement.run,
    "login_flow": login.run,
}

__all__ = ["JOURNEYS", "Journey", "JourneyRun"]
