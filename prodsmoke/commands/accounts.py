"""`smoke accounts check`: verify every test account's secret resolves, without logging in."""

from __future__ import annotations

import argparse
import os

from prodsmoke.commands.common import config_flag
from prodsmoke.errors import ConfigError, UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke accounts check`."""
    accounts = sub.add_parser("accounts", help="test accounts: check that their secrets resolve")
    actions = accounts.add_subparsers(dest="accounts_command", required=True)
    check = actions.add_parser(
        "check", help="resolve every account's secret (env, Secrets Manager, SSM); no login"
    )
    check.add_argument("--env", help="one environment (default: every file under DIR/environments)")
    config_flag(check)
    check.set_defaults(handler=handle_check)


def handle_check(args: argparse.Namespace) -> int:
    """One line per account: ok or FAIL, who, where the secret comes from, why not. Exit 0 or 2."""
    from prodsmoke import redact
    from prodsmoke.accounts.check import check_environment
    from prodsmoke.config import available_environments

    envs = [args.env] if args.env else available_environments(args.config)
    if not envs:
        raise UsageError(f"no environment files under {args.config}/environments")
    failed = False
    for env in envs:
        try:
            checks = check_environment(args.config, env, os.environ)
        except ConfigError as exc:
            print(redact.redact(f"FAIL  {env}: {exc}"))
            failed = True
            continue
        if not checks:
            print(f"-     {env}: no accounts configured")
        for c in checks:
            verdict = "ok  " if c.ok else "FAIL"
            line = f"{verdict}  {c.env}/{c.name}  {c.username}  from {c.source}"
            print(redact.redact(line if c.ok else f"{line}: {c.problem}"))
            failed = failed or not c.ok
    return 2 if failed else 0
