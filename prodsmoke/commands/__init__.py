"""The `smoke` subcommands, one module per group.

Each module has `register(sub)`, which adds its parser(s) with `set_defaults(handler=...)`. A
handler takes the parsed arguments and returns the exit code; it imports what it needs lazily,
so `smoke --help` and the Lambda cold start stay fast. To add a command: write a module here and add
its name below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

MODULES = (
    "init",
    "run",
    "demo",
    "config",
    "browser",
    "repro",
    "accounts",
    "schedule",
    "report",
    "gate",
    "history",
    "maintenance",
    "alerts",
    "baseline",
)


def register_all(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add every command group's parsers to `sub`."""
    for name in MODULES:
        importlib.import_module(f"prodsmoke.commands.{name}").register(sub)
