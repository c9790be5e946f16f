"""`smoke history latest|list|prune|migrate`: the run history from the command line (SPEC §12).

Also the flags and the opening every history command shares (`report`, `gate`, `maintenance`):
`--history URL|FILE` over `$PRODSMOKE_HISTORY_URL` over `history.url` in
monitoring-integration.yaml; a relative SQLite path is inside `--output`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from prodsmoke import redact
from prodsmoke.commands.common import config_flag, output_flag
from prodsmoke.errors import UsageError

if TYPE_CHECKING:
    from prodsmoke.config.monitoring import Monitoring
    from prodsmoke.history import History, StoredRun

FORMATS = ("table", "json", "csv")
STATUSES = ("pass", "warn", "fail", "skip")
COLUMNS = (
    "started_at",
    "env",
    "region",
    "status",
    "trigger",
    "version",
    "commit",
    "maintenance",
    "duration_ms",
    "failed",
    "run_id",
    "artifacts_url",
)


MAX_DAYS = 3650  # ten years: more is a typo


def history_flags(parser: argparse.ArgumentParser) -> None:
    """`--config`, `--output` and `--history URL|FILE`."""
    config_flag(parser)
    output_flag(parser)
    parser.add_argument(
        "--history",
        metavar="URL|FILE",
        help="history database (default: $PRODSMOKE_HISTORY_URL, else history.url in "
        "monitoring-integration.yaml, relative to --output)",
    )


def open_history(args: argparse.Namespace) -> tuple[Monitoring, History]:
    """The configured monitoring file and the history the flags name."""
    from prodsmoke.config.monitoring import load_monitoring
    from prodsmoke.history import History

    monitoring = load_monitoring(args.config, notifiers=False)
    return monitoring, History.configured(monitoring.history, args.output, override=args.history)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke history`."""
    history = sub.add_parser("history", help="the run history: latest, list, prune, migrate")
    actions = history.add_subparsers(dest="action", required=True, metavar="ACTION")
    latest = actions.add_parser("latest", help="the newest run per environment and region")
    latest.add_argument("--env", help="only this environment")
    latest.add_argument("--format", choices=FORMATS, default="table", help="output form")
    listing = actions.add_parser("list", help="runs in a window")
    listing.add_argument("--env", required=True, help="the environment")
    listing.add_argument("--days", type=_days, default=1, metavar="N", help="days back (1)")
    listing.add_argument("--status", choices=STATUSES, help="only runs with this status")
    listing.add_argument("--format", choices=FORMATS, default="table", help="output form")
    actions.add_parser("prune", help="drop runs older than history.retention_days")
    actions.add_parser("migrate", help="bring the schema to the current version (idempotent)")
    for parser in actions.choices.values():
        history_flags(parser)
        parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run one action; print what it found or did."""
    from prodsmoke.results import Status

    _, history = open_history(args)
    try:
        if args.action == "migrate":
            before, after = history.migrate()
            state = "already at" if before == after else f"migrated from {before or 'empty'} to"
            print(f"history {history.display}: {state} revision {after}")
        elif args.action == "prune":
            gone = history.prune()
            print(
                f"history {history.display}: dropped {gone} run{'' if gone == 1 else 's'} older "
                f"than {history.retention_days} days"
            )
        elif args.action == "latest":
            _print(history.latest(env=args.env), args.format)
        else:
            since = datetime.now(UTC) - timedelta(days=args.days)
            status = Status(args.status) if args.status else None
            _print(history.runs(env=args.env, since=since, status=status), args.format)
    finally:
        history.close()
    return 0


def row(run: StoredRun) -> dict[str, Any]:
    """A run as one flat record."""
    failed = [c.id for c in run.checks if str(c.status) == "fail"]
    return {
        "started_at": run.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "env": run.env,
        "region": run.region,
        "status": str(run.status),
        "trigger": str(run.trigger),
        "version": run.version or "",
        "commit": (run.commit or "")[:12],
        "maintenance": run.maintenance or "",
        "duration_ms": run.duration_ms,
        "failed": " ".join(failed),
        "run_id": run.run_id,
        "artifacts_url": run.artifacts_url or "",
    }


def _print(runs: list[StoredRun], form: str) -> None:
    records = [row(r) for r in runs]
    if form == "json":
        text = json.dumps(records, indent=2)
    elif form == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        text = buffer.getvalue().rstrip("\n")
    elif not records:
        text = "no runs"
    else:
        optional = ("artifacts_url", "version", "commit")  # shown when some run has one
        shown = [c for c in COLUMNS if c not in optional or any(r[c] for r in records)]
        widths = {c: max(len(c), *(len(str(r[c])) for r in records)) for c in shown}
        lines = ["  ".join(c.ljust(widths[c]) for c in shown).rstrip()]
        lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in shown).rstrip() for r in records]
        text = "\n".join(lines)
    print(redact.redact(text))


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_DAYS:
        raise UsageError(f"--days: got {text!r}, expected a whole number of days, 1-3650")
    return value
