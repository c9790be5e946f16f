"""`smoke maintenance start|end|list`: maintenance windows, kept in the run history (SPEC §12).

`start` stores the window, then silences the environment's alerting where it is configured (a
Datadog downtime; the CloudWatch alarms' actions off) and records what it silenced; `end` closes
the window and gives exactly that back. A run inside a window still runs and is kept, marked
`maintenance`; its failures exit 0 and count in no pass rate and no gate.
"""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from prodsmoke import redact
from prodsmoke.commands.history import history_flags, open_history
from prodsmoke.errors import UsageError

if TYPE_CHECKING:
    from prodsmoke.history import History
    from prodsmoke.maintenance.providers import Providers


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke maintenance`."""
    maintenance = sub.add_parser("maintenance", help="maintenance windows: start, end, list")
    actions = maintenance.add_subparsers(dest="action", required=True, metavar="ACTION")
    start = actions.add_parser("start", help="open a window (silences configured alerting)")
    start.add_argument("--env", required=True, help="the environment under maintenance")
    start.add_argument(
        "--for", dest="duration", required=True, metavar="DURATION", help="e.g. 45m, 2h"
    )
    start.add_argument("--reason", required=True, help="what is being done (shown everywhere)")
    end = actions.add_parser("end", help="close the environment's open window; restore alerting")
    end.add_argument("--env", required=True, help="the environment")
    listing = actions.add_parser("list", help="open and coming windows (--all: past ones too)")
    listing.add_argument("--env", help="only this environment")
    listing.add_argument("--all", action="store_true", help="include windows that are over")
    for parser in actions.choices.values():
        history_flags(parser)
        parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Start, end or list windows."""
    from prodsmoke.maintenance.providers import Providers

    monitoring, history = open_history(args)
    now = datetime.now(UTC).replace(microsecond=0)
    try:
        if args.action == "list":
            return _list(history, args.env, None if args.all else now)
        providers = Providers.configured(monitoring, os.environ)
        for note in providers.notes:
            print(f"note: {note}")
        if args.action == "start":
            return _start(args, history, providers, now)
        return _end(args.env, history, providers, now)
    finally:
        history.close()


def _start(args: argparse.Namespace, history: History, providers: Providers, now: datetime) -> int:
    from prodsmoke.config.monitoring import format_duration, parse_duration
    from prodsmoke.history.windows import MaintenanceLog

    try:
        seconds = parse_duration(args.duration)
    except ValueError as exc:
        raise UsageError(f"--for: got {args.duration!r}, {exc}") from None
    if not args.reason.strip():
        raise UsageError("--reason: expected a few words saying what is being done")
    ends = now + timedelta(seconds=seconds)
    log = MaintenanceLog(history)
    window = log.add(
        args.env, starts_at=now, ends_at=ends, reason=args.reason.strip(), created_by=_who()
    )
    silenced, problems = providers.silence(args.env, start=now, end=ends, reason=window.reason)
    if silenced:
        log.record_silenced(window, silenced)
    print(
        f"maintenance window #{window.id} for {args.env}: {now:%Y-%m-%d %H:%M} to "
        f"{ends:%Y-%m-%d %H:%M} UTC ({format_duration(seconds)}): {window.reason}"
    )
    for line in _silenced_lines(silenced):
        print(f"  {line}")
    if not providers.names:
        print(
            "  no alerting provider configured here (DD_API_KEY + DD_APP_KEY, AWS): runs are "
            "still marked and left out of the gate"
        )
    for problem in problems:
        print(f"smoke: {redact.redact(problem)}", file=sys.stderr)
    return 1 if problems else 0


def _end(env: str, history: History, providers: Providers, now: datetime) -> int:
    from prodsmoke.history.windows import MaintenanceLog
    from prodsmoke.maintenance.restore import restore_closed

    ended = MaintenanceLog(history).end(env, now)
    for window in ended:
        print(f"maintenance window #{window.id} for {env} ended: {window.reason}")
    done, problems = restore_closed(history, env, providers, now)
    for line in done:
        print(line)
    if not ended and not done and not problems:
        print(f"no open maintenance window for {env}")
    for problem in problems:
        print(f"smoke: {redact.redact(problem)}", file=sys.stderr)
    return 1 if problems else 0


def _list(history: History, env: str | None, since: datetime | None) -> int:
    from prodsmoke.history.windows import MaintenanceLog

    windows = MaintenanceLog(history).find(env=env, since=since)
    if not windows:
        print("no maintenance windows" + (" open or coming" if since else ""))
        return 0
    now = datetime.now(UTC)
    for w in windows:
        state = "open" if w.covers(now) else "coming" if w.starts_at > now else "over"
        restored = "" if not w.silenced else " (restored)" if w.restored_at else " (silenced)"
        print(
            f"#{w.id}  {w.env}  {w.starts_at:%Y-%m-%d %H:%M} to {w.end:%Y-%m-%d %H:%M} UTC  "
            f"{state}{restored}  {w.reason}  by {w.created_by}"
        )
    return 0


def _silenced_lines(silenced: dict[str, object]) -> list[str]:
    lines = []
    datadog = silenced.get("datadog")
    if isinstance(datadog, dict):
        lines.append(f"datadog: downtime {datadog.get('downtime_id')} on the prodsmoke monitors")
    cloudwatch = silenced.get("cloudwatch")
    if isinstance(cloudwatch, dict):
        alarms = cloudwatch.get("alarms") or []
        lines.append(
            f"cloudwatch: actions of {len(alarms)} alarm(s) disabled in {cloudwatch.get('region')}"
        )
    return lines


def _who() -> str:
    actor = os.environ.get("GITHUB_ACTOR")
    if actor:
        return f"{actor} (GitHub Actions)"
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"
