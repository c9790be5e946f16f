"""`smoke repro`: re-run one check for a person — headed when there is a display, slow motion,
tracing on — and say where the trace is and how to open it."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from prodsmoke.commands.common import config_flag
from prodsmoke.errors import UsageError

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
    from prodsmoke.commands.run import outcome, run_options
    from prodsmoke.config import load_settings
    from prodsmoke.config.models import Retry
    from prodsmoke.options import TraceMode

    settings = load_settings(args.config, args.env)
    # A person wants to watch it fail, not have it retried away.
    settings = settings.model_copy(update={"retry": Retry(attempts=1)})
    headed = has_display() and not args.headless
    wanted = argparse.Namespace(
        config=args.config,
        output=args.output,
        check=[args.check_id],
        adhoc=True,  # SPEC §12: kept in the history, counted in no pass rate or gate
        region=None,
    )
    options = run_options(
        settings, wanted, slow_mo_ms=args.slowmo, trace=TraceMode.ON, headed=headed
    )
    mode = "headed, slow motion" if headed else "headless (no display found), slow motion"
    print(f"reproducing {args.check_id} on {args.env}: {mode} {args.slowmo:g} ms, tracing on")
    try:
        done = outcome(settings, wanted, options)
    except UsageError as exc:  # the --check wording, for a person who typed CHECK_ID
        raise UsageError(str(exc).replace("--check ", "CHECK_ID ", 1)) from None
    check = next((c for c in done.result.checks if c.id == args.check_id), None)
    kept = list(check.artifacts) if check is not None else []
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
    return done.exit_code
