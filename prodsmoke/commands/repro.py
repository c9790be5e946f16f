"""`smoke repro`: re-run one check for a person — headed when there is a display, slow motion,
tracing on — and say where the trace is and how to open it."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from prodsmoke.commands.common import config_flag
from prodsmoke.errors import UsageError

if TYPE_CHECKING:
    from prodsmoke.config.models import Settings

DEFAULT_OUTPUT = Path("smoke-results") / "repro"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke repro`."""
    repro = sub.add_parser(
        "repro", help="re-run one check for a person: headed if possible, slow motion, tracing on"
    )
    repro.add_argument("--env", required=True, help="environment name: DIR/environments/NAME.yaml")
    repro.add_argument("check_id", metavar="CHECK_ID", help="the check to run, e.g. login_flow")
    config_flag(repro)
    repro.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, metavar="DIR", help="results folder"
    )
    repro.add_argument(
        "--slowmo", type=float, default=400, metavar="MS", help="pause between actions"
    )
    repro.add_argument("--headless", action="store_true", help="never open a window")
    repro.set_defaults(handler=handle)


def has_display(environ: os._Environ[str] | dict[str, str] | None = None) -> bool:
    """Whether a browser window can be shown here."""
    env = os.environ if environ is None else environ
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def handle(args: argparse.Namespace) -> int:
    """One attempt of one check, traced, then directions to the trace."""
    from prodsmoke.commands.run import execute
    from prodsmoke.config import environment_file
    from prodsmoke.config.models import Retry
    from prodsmoke.e2e.environment import load as load_settings
    from prodsmoke.options import TraceMode

    settings = load_settings(args.config, args.env)
    _known_check(settings, args.check_id)
    # A person wants to watch it fail, not have it retried away.
    settings = settings.model_copy(update={"retry": Retry(attempts=1)})
    args.check = [args.check_id]
    args.trace = TraceMode.ON
    args.headed = has_display() and not args.headless
    args.region = None
    args.adhoc = True  # SPEC §12: kept in the history, counted in no pass rate or gate
    mode = "headed, slow motion" if args.headed else "headless (no display found), slow motion"
    print(f"reproducing {args.check_id} on {args.env}: {mode} {args.slowmo:g} ms, tracing on")
    code = execute(
        settings, args, env_file=environment_file(args.config, args.env), slow_mo_ms=args.slowmo
    )
    kept = _artifacts(args.output, args.check_id)
    trace = next((args.output / a for a in kept if a.endswith("/trace.zip")), None)
    if trace is not None and trace.is_file():
        print(f"trace: {trace}")
        print(
            f"open it with: {shlex.quote(sys.executable)} -m playwright show-trace "
            f"{shlex.quote(str(trace))}"
        )
    else:
        where = f"{(args.output / kept[0]).parent}/" if kept else "none kept"
        print(f"no browser trace for {args.check_id} (not a journey); evidence: {where}")
    return code


def _known_check(settings: Settings, check_id: str) -> None:
    """CHECK_ID must name an enabled check of the environment (a usage error says which)."""
    import difflib

    from prodsmoke.e2e.plan import all_checks

    known = [c.id for c in all_checks(settings)]
    if check_id not in known:
        close = difflib.get_close_matches(check_id, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "expected one of: " + ", ".join(known)
        raise UsageError(
            f"CHECK_ID {check_id!r} is not a check of environment {settings.name!r}; {hint}"
        )


def _artifacts(output: Path, check_id: str) -> list[str]:
    """The artifacts results.json lists for `check_id` (relative to `output`), latest first."""
    try:
        doc = json.loads((output / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    for check in doc.get("checks", []):
        if check.get("id") == check_id:
            return [str(a) for a in check.get("artifacts", [])]
    return []
