"""`smoke check-config`: validate config and secret references; show what would run."""

from __future__ import annotations

import argparse

from prodsmoke.commands.common import config_flag
from prodsmoke.errors import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke check-config`."""
    check = sub.add_parser(
        "check-config", help="validate config and secret references; show what would run"
    )
    check.add_argument("--env", help="one environment (default: every file under DIR/environments)")
    config_flag(check)
    check.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Load one or every environment; print a description or a line each."""
    from prodsmoke.config import available_environments
    from prodsmoke.describe import describe
    from prodsmoke.e2e.environment import load as load_settings

    envs = [args.env] if args.env else available_environments(args.config)
    if not envs:
        raise UsageError(f"no environment files under {args.config}/environments")
    for env in envs:
        settings = load_settings(args.config, env)
        print(describe(settings) if args.env else f"ok  {env}: {settings.base_url}")
    return 0
