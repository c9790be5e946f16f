"""`smoke baseline update`: record or refresh the project's baselines from one guarded run.

    smoke baseline update --env production [--check pricing_plans]…

The run is a run by hand (kept in the history as `adhoc`, counted in no pass rate or gate), under
the same guard, budget and deadline as any; its baseline steps record what the page shows
instead of comparing (SPEC §18). Only the attempts that passed are recorded, and only files that
changed are written: a baseline that still matches (an ARIA baseline loosened by hand with
regexes included) is left as it is. It prints each file it wrote, for the pull request. Nothing
else runs this: a scheduled run only ever compares.

`--env demo` with the demo project packaged with prodsmoke starts the embedded demo target first,
as `smoke demo` does, and records into that project.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from prodsmoke.commands.common import DEFAULT_CONFIG, DEFAULT_OUTPUT

if TYPE_CHECKING:
    from collections.abc import Iterator

    from prodsmoke.e2e.baselines.store import Changes

OUTPUT = DEFAULT_OUTPUT / "baselines"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `smoke baseline update`."""
    baseline = sub.add_parser("baseline", help="the project's ARIA and screenshot baselines")
    actions = baseline.add_subparsers(dest="action", metavar="ACTION", required=True)
    update = actions.add_parser(
        "update", help="record or refresh baselines from one guarded run; print what changed"
    )
    update.add_argument("--env", required=True, help="environment name: DIR/environments/NAME.yaml")
    update.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="DIR",
        help="config root (default: config; for --env demo, as smoke demo chooses)",
    )
    update.add_argument(
        "--check",
        action="append",
        default=[],
        metavar="ID",
        help="record only this check's baselines (repeatable)",
    )
    update.add_argument(
        "--output", type=Path, default=OUTPUT, metavar="DIR", help="results folder of the run"
    )
    update.set_defaults(handler=handle_update)


def handle_update(args: argparse.Namespace) -> int:
    """One run that records baselines, then the list of files it wrote."""
    from prodsmoke.commands.run import outcome, run_options
    from prodsmoke.config import load_settings
    from prodsmoke.e2e.baselines.store import BaselineStore, commit
    from prodsmoke.options import BaselineMode, TraceMode

    config, demo = _config_root(args)
    wanted = argparse.Namespace(
        config=config,
        output=args.output,
        check=list(args.check),
        adhoc=True,  # SPEC §12: a run by hand
        region=None,
        headed=False,
        trace=str(TraceMode.RETAIN_ON_FAILURE),
    )
    with _target(demo) as environ:
        settings = load_settings(config, args.env, environ=environ)
        options = replace(run_options(settings, wanted), baselines=BaselineMode.UPDATE)
        done = outcome(settings, wanted, options)
    store = BaselineStore.of(settings, options)
    changes = commit(store, done.result.checks)
    _print(changes, store.root, done.result.browser)
    return done.exit_code


def _config_root(args: argparse.Namespace) -> tuple[Path, bool]:
    """The config root, and whether it is the packaged demo project (the target is started)."""
    if args.env != "demo":
        return args.config or DEFAULT_CONFIG, False
    from prodsmoke.commands.demo import demo_config

    config, _ = demo_config(args.config)
    try:
        from prodsmoke.demo import PROJECT
    except ImportError:
        return config, False
    return config, config.resolve() == (PROJECT / "config").resolve()


@contextlib.contextmanager
def _target(demo: bool) -> Iterator[dict[str, str] | None]:
    """The environment variables to load the config with: the demo target's, while it runs."""
    if not demo:
        yield None
        return
    from prodsmoke.demo import Faults
    from prodsmoke.demo.process import DemoProcess

    password = os.environ.get("SMOKE_TEST_PASSWORD") or secrets.token_urlsafe(16)
    with DemoProcess(faults=Faults(), password=password) as server:
        print(f"demo target: {server.url}")
        yield {**os.environ, "SMOKE_DEMO_URL": server.url, "SMOKE_TEST_PASSWORD": password}


def _print(changes: Changes, root: Path, browser: str | None) -> None:
    written = [("new", f) for f in changes.new] + [("changed", f) for f in changes.changed]
    if not written and not changes.unchanged and not changes.not_recorded:
        print(f"no baselines recorded: no journey of this run compares one ({_shown(root)})")
        return
    where = f" ({browser})" if browser else ""
    print(f"baselines{where}: {len(written)} written, {len(changes.unchanged)} unchanged")
    for state, path in written:
        print(f"  {state:<8} {_shown(path)}")
    for check, why in changes.not_recorded:
        print(f"  not recorded: {check} did not pass: {why}")
    if written:
        print(f"review them (git status {_shown(root)}) and commit them with the change they show")


def _shown(path: Path) -> str:
    """`path` from the working folder when it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
