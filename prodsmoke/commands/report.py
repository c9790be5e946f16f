"""`smoke report`: the run history as one static HTML page."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from prodsmoke.commands.common import config_flag, output_flag
from prodsmoke.errors import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke report`."""
    report = sub.add_parser("report", help="HTML report with trends from the run history")
    output_flag(report)
    config_flag(report)
    report.add_argument("--env", help="only this environment (default: every one in the history)")
    history_flag(report)
    report.set_defaults(handler=handle)


def history_flag(parser: argparse.ArgumentParser) -> None:
    """`--history FILE`: a history other than the configured one."""
    parser.add_argument(
        "--history",
        type=Path,
        metavar="FILE",
        help="history file (default: history.path in monitoring-integration.yaml, in --output)",
    )


def handle(args: argparse.Namespace) -> int:
    """Render DIR/report.html from the history; print where it is."""
    from prodsmoke.config.monitoring import load_monitoring
    from prodsmoke.history import open_history
    from prodsmoke.history.report import SPAN, render

    history = open_history(load_monitoring(args.config), args.output, args.history)
    runs = history.runs(env=args.env, since=datetime.now(UTC) - SPAN)
    if not runs:
        which = f" of env {args.env}" if args.env else ""
        raise UsageError(
            f"no runs{which} in the last 30 days in the history at {history.path}; "
            "run `smoke run` (or `smoke demo`) first, or point --history at one"
        )
    out = args.output / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(runs, out=out), encoding="utf-8")
    print(f"report: {out} ({len(runs)} run{'' if len(runs) == 1 else 's'})")
    return 0
