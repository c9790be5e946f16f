"""The engine on a plan, in the test's own event loop, with the team's pytest files collected
(what `runner.prepare` and `runner.execute` do around it, without the reporting)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from prodsmoke.config.models import Settings
from prodsmoke.e2e.engine import Engine
from prodsmoke.e2e.plan import plan
from prodsmoke.options import RunOptions
from prodsmoke.results import RunResult
from prodsmoke.suite import TeamSuite


async def run_engine(
    settings: Settings, tmp_path: Path, *checks: str, options: RunOptions | None = None
) -> RunResult:
    suite = await asyncio.to_thread(TeamSuite.collect, settings)
    try:
        planned = plan(settings, checks, suite.journeys(settings) if suite else {})
        if suite is not None:
            suite.start(c.id for c in planned)
        engine = Engine(
            settings,
            options or RunOptions(output_dir=tmp_path),
            planned,
            finishers=(suite.finish,) if suite is not None else (),
        )
        return await engine.run()
    finally:
        if suite is not None:
            await asyncio.to_thread(suite.close)
