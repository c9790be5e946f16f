"""`smoke gate`: a release guard from recent history, as a deploy step.

`smoke gate --env E` judges the last window of scheduled runs; `--version V` (or `--commit SHA`)
judges one deploy's runs against the version before (`history.compare`, SPEC §17).

Exit codes: 0 the release may go, 1 blocked (violations printed), 2 usage or configuration error
(an unknown environment among them), 3 the gate cannot be evaluated (the history is unreadable
or unreachable). A gate that cannot read the history never answers "pass".
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from prodsmoke import redact
from prodsmoke.commands.history import history_flags, open_history
from prodsmoke.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from prodsmoke.history import History
    from prodsmoke.history.compare import Key, VersionVerdict
    from prodsmoke.history.gate import Verdict


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke gate`."""
    gate = sub.add_parser(
        "gate", help="release guard: recent history against the alert rules and SLOs"
    )
    gate.add_argument("--env", required=True, help="the environment whose history to judge")
    gate.add_argument(
        "--window",
        metavar="DURATION",
        help="how much recent history to judge, e.g. 30m (default: gate.window, else 30m; "
        "with --version or --commit: how far back runs are read, default 30d)",
    )
    which = gate.add_mutually_exclusive_group()
    which.add_argument(
        "--version",
        dest="release_version",
        metavar="V",
        help="judge this version's runs against the previous version's",
    )
    which.add_argument(
        "--commit", metavar="SHA", help="judge this commit's runs against the previous commit's"
    )
    history_flags(gate)
    gate.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print `{"pass": …, "violations": […]}`; 0 when clear, 1 when blocked."""
    from prodsmoke.config.alert_file import load_alert_rules
    from prodsmoke.config.monitoring import parse_duration
    from prodsmoke.history.gate import evaluate

    window = None
    if args.window:
        try:
            window = parse_duration(args.window)
        except ValueError as exc:
            raise UsageError(f"--window: got {args.window!r}, {exc}") from None
    key, value = _release(args)
    monitoring, history = open_history(args)
    try:
        rules_file = load_alert_rules(args.config, monitoring)
        if args.env not in rules_file.names:  # a name the rules do not know: is it right?
            _known(args.env, args.config, history)
        rules = rules_file.for_env(args.env)
        verdict: Verdict | VersionVerdict
        if key is not None:
            from prodsmoke.history.compare import evaluate_version

            verdict = evaluate_version(
                history, rules, monitoring, env=args.env, key=key, value=value, window_s=window
            )
            if not verdict.this.runs and not verdict.excluded:
                _known(args.env, args.config, history)
        else:
            verdict = evaluate(history, rules, monitoring, env=args.env, window_s=window)
            if verdict.runs == 0 and not verdict.excluded:  # nothing recent: is the name right?
                _known(args.env, args.config, history)
    finally:
        history.close()
    print(redact.redact(json.dumps(verdict.to_dict(), indent=2)))
    return 0 if verdict.passed else 1


def _release(args: argparse.Namespace) -> tuple[Key | None, str]:
    """Which version or commit `--version` / `--commit` name, checked like `smoke run`'s."""
    from prodsmoke.commands.release import SHA, VERSION

    if args.release_version is not None:
        if not VERSION.match(args.release_version):
            raise UsageError(
                f"--version: got {args.release_version!r}, expected a version label (letters, "
                "digits and ._+/-, at most 64), e.g. 1.4.2"
            )
        return "version", args.release_version
    if args.commit is not None:
        if not SHA.match(args.commit):
            raise UsageError(
                f"--commit: got {args.commit!r}, expected a git commit SHA (7-64 hex digits)"
            )
        return "commit", args.commit
    return None, ""


def _known(env: str, config: Path, history: History) -> None:
    """A usage error, listing what exists, for an environment neither config nor history has."""
    from prodsmoke.config.loader import available_environments

    configured = available_environments(config) if (config / "environments").is_dir() else []
    if env in configured:
        return
    recorded = history.envs()
    if env in recorded:
        return
    known = sorted({*configured, *recorded})
    listing = f"environments: {', '.join(known)}" if known else "no environments known"
    raise UsageError(
        f"no such environment {env!r} ({listing}; configured in {config}/environments, "
        f"recorded in the history at {history.display})"
    )
