"""The `smoke` subcommands, one module per group.

Each module has `register(sub)`, which adds its parser(s) with `set_defaults(handler=...)`. A
handler takes the parsed arguments and returns the exit code; it imports what it needs lazily,
so `smoke --help` and the Lambda cold start stay fast. To add a command: write a module here and add
its commands below. A command line naming one command imports only that command's module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

# module → the commands its `register` adds, in `smoke --help`'s order
COMMANDS = {
    "init": ("init",),
    "run": ("run",),
    "demo": ("demo", "serve-demo"),
    "config": ("check-config",),
    "browser": ("browser",),
    "repro": ("repro",),
    "accounts": ("accounts",),
    "schedule": ("schedule",),
    "report": ("report",),
    "gate": ("gate",),
    "history": ("history",),
    "maintenance": ("maintenance",),
    "alerts": ("alerts",),
    "baseline": ("baseline",),
}


def register_all(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], argv: Sequence[str] = ()
) -> None:
    """Add the command group's parsers `argv` names to `sub`, or every group's (`--help`, an
    unknown command: argparse lists them all)."""
    word = next((a for a in argv if not a.startswith("-")), None)
    named = [m for m, commands in COMMANDS.items() if word in commands]
    for name in named or COMMANDS:
        importlib.import_module(f"prodsmoke.commands.{name}").register(sub)
