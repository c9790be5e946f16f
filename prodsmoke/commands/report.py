"""`smoke report`: the run history as one static HTML page."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from prodsmoke.commands.history import history_flags, open_history
from prodsmoke.errors import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke report`."""
    report = sub.add_parser("report", help="HTML report with trends from the run history")
    history_flags(report)
    report.add_argument("--env", help="only this environment (default: every one in the history)")
    report.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Render DIR/report.html from the history; print where it is."""
    from prodsmoke.history.report import SPAN, render
    from prodsmoke.history.windows import MaintenanceLog

    _, history = open_history(args)
    since = datetime.now(UTC) - SPAN
    try:
        runs = history.runs(env=args.env, since=since)
        windows = MaintenanceLog(history).find(env=args.env, since=since) if runs else []
        first_seen = {  # "new" errors: judged on the whole history, not the 30 days shown
            env: history.first_seen(
                env, {fp for r in runs if r.env == env for fp in r.fingerprints.values()}
            )
            for env in {r.env for r in runs}
        }
    finally:
        history.close()
    if not runs:
        which = f" of env {args.env}" if args.env else ""
        raise UsageError(
            f"no runs{which} in the last 30 days in the history at {history.display}; "
            "run `smoke run` (or `smoke demo`) first, or point --history at one"
        )
    out = args.output / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(runs, out=out, windows=windows, first_seen=first_seen), encoding="utf-8")
    regions = len({r.region for r in runs})
    print(
        f"report: {out} ({len(runs)} run{'' if len(runs) == 1 else 's'}, "
        f"{regions} region{'' if regions == 1 else 's'})"
    )
    return 0
