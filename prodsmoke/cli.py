"""The `smoke` command (SPEC §3). Exit codes: 0 pass/warn, 1 a check failed, 2 usage or
configuration error (one line on stderr), 3 the suite itself could not run (or its results could
not be written), 130 / 143 a run interrupted by SIGINT / SIGTERM (and reported as such)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from prodsmoke import interrupt, redact
from prodsmoke.commands import register_all
from prodsmoke.errors import SmokeError, UsageError
from prodsmoke.timeline import mark

if TYPE_CHECKING:
    from collections.abc import Sequence

# Commands that run the suite: a signal stops the run and it is still reported (interrupt.py).
INTERRUPTIBLE = frozenset({"run", "demo", "repro"})


class QuietPipe:
    """A standard stream that, once its reader has gone (`smoke run … | head -1`), quietly
    drops what is written instead of raising BrokenPipeError into the run: the run, its files
    and its exit code are the same as if the output had been read to the end."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        """Write through, or drop once the reader has gone."""
        if not self.gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._reader_gone()
        return len(text)

    def flush(self) -> None:
        """Flush through, or do nothing once the reader has gone."""
        if not self.gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._reader_gone()

    def _reader_gone(self) -> None:
        # What the stream still buffers goes to /dev/null, so no later flush (ours, or the
        # interpreter's at exit) meets the closed pipe again (Python docs, "Note on SIGPIPE").
        self.gone = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _Version(argparse.Action):
    """`--version`: prodsmoke, Playwright and the Chromium in use (one launch to ask it)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help=kwargs.get("help"))

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from prodsmoke.commands.browser import versions

        print(versions())
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The subcommand `argv` names with its flags, or all of them."""
    parser = _Parser(prog="smoke", description="Production smoke suite: real journeys, safely.")
    parser.add_argument(
        "--version", action=_Version, help="print the versions of prodsmoke, Playwright, Chromium"
    )
    register_all(parser.add_subparsers(dest="command", required=True, parser_class=_Parser), argv)
    return parser


def main(argv: Sequence[str] | None = None, *, handle_signals: bool = False) -> int:
    """Run one `smoke` command; `handle_signals` (the console script) lets SIGTERM and SIGINT
    stop a run that is then reported (never set in-process, e.g. by tests)."""
    try:
        given = sys.argv[1:] if argv is None else argv
        args = build_parser(given).parse_args(given)
        if handle_signals and args.command in INTERRUPTIBLE:
            interrupt.install()
        code = int(args.handler(args))
        mark(f"{args.command} done, exit code {code}")
        if (signum := interrupt.received()) is not None:
            print(f"smoke: {interrupt.reason(signum)}", file=sys.stderr)
        return code
    except SmokeError as error:
        print(f"smoke: {redact.redact(str(error))}", file=sys.stderr)
        return interrupt.exit_code(error.exit_code)
    except interrupt.Interrupted as stopped:
        print(f"smoke: {stopped} before the run started", file=sys.stderr)
        return stopped.exit_code
    except KeyboardInterrupt:
        print("smoke: interrupted", file=sys.stderr)
        return 130


def entry() -> NoReturn:
    """The `smoke` console script: `main()`, then a fast exit.

    Everything a command writes is written and closed when `main()` returns; what is left is the
    interpreter's teardown of every imported module (~80 ms after Playwright, pydantic, httpx and
    pytest), which a scheduled smoke run has no use for.
    """
    sys.stdout = QuietPipe(sys.stdout)
    sys.stderr = QuietPipe(sys.stderr)
    code = main(handle_signals=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
