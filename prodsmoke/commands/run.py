"""`smoke run`: the suite against one environment."""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from typing import TYPE_CHECKING

from prodsmoke.commands.common import config_flag, config_suffix, default_region, output_flag
from prodsmoke.commands.release import is_adhoc, release, release_flags, retarget
from prodsmoke.errors import ConfigError
from prodsmoke.options import TraceMode

if TYPE_CHECKING:
    from prodsmoke.config.models import Settings
    from prodsmoke.e2e.warmup import Warmup
    from prodsmoke.options import RunOptions
    from prodsmoke.runner import Outcome


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
    release_flags(run)
    run.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Load the environment and run it."""
    from prodsmoke.e2e.warmup import Warmup

    warmup = Warmup()  # first: Playwright's driver boots while config and imports load
    from prodsmoke.config import load_settings

    try:
        deploy = release(args, os.environ)  # a bad flag: one line, before the config is read
        try:
            settings = load_settings(args.config, args.env)
        except ConfigError as exc:
            if exc.path != "base_url" or not args.base_url:
                raise
            # base_url: "${APP_URL}" unset, and --base-url given: the flag is the URL
            settings = load_settings(args.config, args.env, overrides={"base_url": args.base_url})
        settings, note = retarget(settings, args.base_url, args.allow_host)
        args.release = replace(deploy, target_note=note)
        return execute(settings, args, warmup=warmup)
    finally:
        warmup.close()


def execute(settings: Settings, args: argparse.Namespace, *, warmup: Warmup | None = None) -> int:
    """Run `settings` with the flags in `args`; the exit code."""
    return outcome(settings, args, run_options(settings, args), warmup=warmup).exit_code


def run_options(
    settings: Settings,
    args: argparse.Namespace,
    *,
    slow_mo_ms: float = 0,
    trace: TraceMode | None = None,
    headed: bool | None = None,
) -> RunOptions:
    """How the run runs, from `smoke run`'s flags (`smoke repro` overrides a few)."""
    from prodsmoke.options import Release, RunOptions

    return RunOptions(
        region=getattr(args, "region", None) or default_region(os.environ),
        output_dir=args.output,
        headed=args.headed if headed is None else headed,
        slow_mo_ms=slow_mo_ms,
        trace=trace or TraceMode(args.trace),
        repro=f"smoke repro --env {settings.name}{config_suffix(args.config)} {{check}}",
        release=getattr(args, "release", None) or Release(),
    )


def outcome(
    settings: Settings,
    args: argparse.Namespace,
    options: RunOptions,
    *,
    warmup: Warmup | None = None,
) -> Outcome:
    """`runner.prepare`, then `runner.run`; Chromium is launched as soon as the plan says
    journeys will run."""
    from prodsmoke import runner
    from prodsmoke.results import CheckKind

    prepared = runner.prepare(
        args.config,
        settings,
        options,
        only=args.check,
        # SPEC §12: `--check` subsets, `repro` and `--adhoc` are runs by hand (not a deploy's)
        adhoc=is_adhoc(args, options.release),
    )
    if warmup is not None and any(c.kind is CheckKind.JOURNEY for c in prepared.checks):
        # Chromium needs only the browser settings: it launches while the rest is set up.
        warmup.launch(settings.browser, headless=not options.headed, slow_mo_ms=options.slow_mo_ms)
    return runner.run(prepared, warmup=warmup)
