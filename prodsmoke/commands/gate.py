"""`smoke gate`: a release guard from recent history, as a deploy step (exit 1 when blocked)."""

from __future__ import annotations

import argparse
import json

from prodsmoke import redact
from prodsmoke.commands.common import config_flag, output_flag
from prodsmoke.commands.report import history_flag
from prodsmoke.errors import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke gate`."""
    gate = sub.add_parser(
        "gate", help="release guard: recent history against the alert rules and SLOs"
    )
    gate.add_argument("--env", required=True, help="the environment whose history to judge")
    gate.add_argument(
        "--window",
        metavar="DURATION",
        help="how much recent history to judge, e.g. 30m (default: gate.window, else 30m)",
    )
    config_flag(gate)
    output_flag(gate)
    history_flag(gate)
    gate.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print `{"pass": …, "violations": […]}`; 0 when clear, 1 when blocked."""
    import prodsmoke.e2e.journeys  # noqa: F401 - the journey kinds, before config is read
    from prodsmoke.config.alert_rules import load_alert_rules
    from prodsmoke.config.monitoring import load_monitoring, parse_duration
    from prodsmoke.history import open_history
    from prodsmoke.history.gate import evaluate

    window = None
    if args.window:
        try:
            window = parse_duration(args.window)
        except ValueError as exc:
            raise UsageError(f"--window: got {args.window!r}, {exc}") from None
    monitoring = load_monitoring(args.config)
    rules = load_alert_rules(args.config, monitoring).for_env(args.env)
    history = open_history(monitoring, args.output, args.history)
    verdict = evaluate(history, rules, monitoring, env=args.env, window_s=window)
    print(redact.redact(json.dumps(verdict.to_dict(), indent=2)))
    return 0 if verdict.passed else 1
