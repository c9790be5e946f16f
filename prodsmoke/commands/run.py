"""`smoke run`: the suite against one environment."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from prodsmoke.commands.common import config_flag, config_suffix, default_region, output_flag
from prodsmoke.options import TraceMode
from prodsmoke.timeline import mark

if TYPE_CHECKING:
    from prodsmoke.config.models import Settings
    from prodsmoke.e2e.warmup import Warmup


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke run`."""
    run = sub.add_parser("run", help="run the suite against an environment")
    run.add_argument("--env", required=True, help="environment name: DIR/environments/NAME.yaml")
    config_flag(run)
    run.add_argument(
        "--check",
        action="append",
        default=[],
        metavar="ID",
        help="run only this check (repeatable)",
    )
    run.add_argument("--region", help="region label for results and metrics (default: detected)")
    output_flag(run)
    run.add_argument("--headed", action="store_true", help="show the browser window")
    run.add_argument(
        "--trace",
        choices=[str(mode) for mode in TraceMode],
        default=str(TraceMode.RETAIN_ON_FAILURE),
        help="tracing",
    )
    run.add_argument(
        "--adhoc", action="store_true", help="a run by hand: kept, not counted in pass rates/gate"
    )
    run.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Load the environment and run it."""
    from prodsmoke.e2e.warmup import Warmup

    warmup = Warmup()  # first: Playwright's driver boots while config and imports load
    from prodsmoke.config import environment_file
    from prodsmoke.e2e.environment import load as load_settings

    try:
        settings = load_settings(args.config, args.env)
        mark("config loaded")
        env_file = environment_file(args.config, args.env)
        return execute(settings, args, env_file=env_file, warmup=warmup)
    finally:
        warmup.close()


def execute(
    settings: Settings,
    args: argparse.Namespace,
    *,
    env_file: Path,
    slow_mo_ms: float = 0,
    warmup: Warmup | None = None,
) -> int:
    """Run `settings` with the flags in `args`; report; return the exit code.

    Ordered for speed: everything a mistake could be found in (the plan, the monitoring file) is
    checked before anything is sent; then the engine starts; reporters, the console and the
    pytest frame are set up while it works (`runner.start`).
    """
    from prodsmoke.config.monitoring import load_monitoring
    from prodsmoke.e2e.plan import plan
    from prodsmoke.results import CheckKind

    checks = plan(settings, getattr(args, "check", []))
    headed = getattr(args, "headed", False)
    if warmup is not None and any(c.kind is CheckKind.JOURNEY for c in checks):
        # Chromium needs only the browser settings: launch it before the rest is imported.
        warmup.launch(settings.browser, headless=not headed, slow_mo_ms=slow_mo_ms)
    monitoring = load_monitoring(args.config)

    from prodsmoke import runner
    from prodsmoke.options import RunOptions, TraceMode

    options = RunOptions(
        region=getattr(args, "region", None) or default_region(os.environ),
        output_dir=args.output,
        headed=headed,
        slow_mo_ms=slow_mo_ms,
        trace=TraceMode(getattr(args, "trace", TraceMode.RETAIN_ON_FAILURE)),
        repro=f"smoke repro --env {settings.name}{config_suffix(args.config)} {{check}}",
    )
    request = runner.Request(
        config_dir=args.config,
        env_file=env_file,
        settings=settings,
        checks=checks,
        options=options,
        # SPEC §12: `--check` subsets, `repro` and `--adhoc` are runs by hand
        adhoc=bool(getattr(args, "check", [])) or getattr(args, "adhoc", False),
        monitoring=monitoring,
    )
    return runner.execute(request, warmup=warmup).exit_code
