"""The `smoke` command (SPEC §3). Exit codes: 0 pass/warn, 1 a check failed, 2 usage or
configuration error (one line on stderr), 3 the suite itself could not run."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, NoReturn

from prodsmoke import __version__, redact
from prodsmoke.commands import register_all
from prodsmoke.errors import SmokeError, UsageError
from prodsmoke.timeline import mark

if TYPE_CHECKING:
    from collections.abc import Sequence


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    """All subcommands and their flags."""
    parser = _Parser(prog="smoke", description="Production smoke suite: real journeys, safely.")
    parser.add_argument("--version", action="version", version=f"prodsmoke {__version__}")
    register_all(parser.add_subparsers(dest="command", required=True, parser_class=_Parser))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `smoke` console script."""
    try:
        args = build_parser().parse_args(argv)
        code = int(args.handler(args))
        mark(f"{args.command} done, exit code {code}")
        return code
    except SmokeError as error:
        print(f"smoke: {redact.redact(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("smoke: interrupted", file=sys.stderr)
        return 130


def entry() -> NoReturn:
    """The `smoke` console script: `main()`, then a fast exit.

    Everything a command writes is written and closed when `main()` returns; what is left is the
    interpreter's teardown of every imported module (~80 ms after Playwright, pydantic, httpx and
    pytest), which a scheduled smoke run has no use for.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
