"""The command table `smoke` reads to import only the module of the command it was given."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from prodsmoke.cli import build_parser
from prodsmoke.commands import COMMANDS


def _registered(parser: argparse.ArgumentParser) -> list[str]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(actions[0].choices)


@pytest.mark.parametrize("module", sorted(COMMANDS))
def test_each_module_registers_the_commands_the_table_names(module: str) -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    importlib.import_module(f"prodsmoke.commands.{module}").register(sub)

    assert _registered(parser) == list(COMMANDS[module])


def test_help_and_an_unknown_command_see_every_command() -> None:
    every = [c for commands in COMMANDS.values() for c in commands]

    assert _registered(build_parser()) == every
    assert _registered(build_parser(["rnu", "--env", "x"])) == every


def test_a_command_imports_its_own_module_and_no_other() -> None:
    code = (
        "import sys; from prodsmoke.cli import build_parser; "
        "build_parser(['check-config', '--env', 'x']).parse_args(['check-config', '--env', 'x']); "
        "print(sorted(m for m in sys.modules if m.startswith('prodsmoke.commands.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "['prodsmoke.commands.common', 'prodsmoke.commands.config']"
