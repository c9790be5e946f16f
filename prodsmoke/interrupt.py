"""SIGTERM and SIGINT during a run: interruption is an outcome, not a lost run (issue 9).

Kubernetes (`activeDeadlineSeconds`, a node drain), a CI job's cancel button and a person's
Ctrl-C all end a run with a signal. `smoke run`, `smoke demo` and `smoke repro` install
`handle()` for both, and then:

- **before the engine starts** (config loading, the demo target starting): the signal is noted,
  and `check()`, called where the run is about to start, raises `Interrupted`, so every `with`
  block unwinds (the demo target stops) and the command exits 128 + the signal number: 143 for
  SIGTERM, 130 for SIGINT. (Never raised from the handler itself: an exception thrown into
  whatever the main thread was doing, an import say, can leave a lock held for ever);
- **while the engine runs**: the run's `stop` callback is called (`runner.Started.interrupt`): the
  checks in flight stop, the unfinished ones become `skip` ("interrupted by SIGTERM"), and
  results.json, junit.xml, the history row and every reporter are written as for any run, within
  what is left of the run deadline; the exit code is then 143 / 130;
- **a second signal** exits at once, after killing the child processes the command started (the
  demo target). Chromium goes with Playwright's driver, which closes every browser when its pipe
  to us closes.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess
    from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGINT)
REASON_PREFIX = "interrupted by "  # + the signal's name: the skip reason of what it stopped


class Interrupted(BaseException):  # a BaseException, like KeyboardInterrupt: not an error
    """A signal came before there was a run to stop; unwinds like KeyboardInterrupt."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(reason(signum))

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as a shell reports a process the signal ended."""
        return 128 + self.signum


class _State:
    """What the handler needs: the signal seen, the run to stop, the children to kill."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.stop: Callable[[str], None] | None = None
        self.children: list[subprocess.Popen[str]] = []
        self.lock = threading.Lock()


_state = _State()


def install() -> None:
    """Handle SIGTERM and SIGINT in this (the main) thread from now on."""
    for signum in SIGNALS:
        signal.signal(signum, handle)


def handle(signum: int, frame: FrameType | None) -> None:
    """The signal handler (see the module docstring)."""
    if _state.received is not None:
        _exit_now(signum)
    _state.received = signum
    if _state.stop is not None:
        _state.stop(reason(signum))


def request(why: str) -> None:
    """Stop the run in progress as a signal would, from any thread (e.g. a timer that sees the
    Lambda function's timeout coming); the exit code is not changed."""
    if _state.stop is not None:
        _state.stop(why)


def check() -> None:
    """Raise `Interrupted` if a signal has come (call where a run is about to start)."""
    if _state.received is not None:
        raise Interrupted(_state.received)


def reason(signum: int) -> str:
    """E.g. 'interrupted by SIGTERM': the `skip` reason of the checks it stopped."""
    return f"{REASON_PREFIX}{signal.Signals(signum).name}"


def received() -> int | None:
    """The signal that interrupted this process, if one did."""
    return _state.received


def exit_code(default: int) -> int:
    """128 + the signal when one interrupted the run, else `default`."""
    return default if _state.received is None else 128 + _state.received


def set_stop(stop: Callable[[str], None] | None) -> None:
    """From now on a signal also calls `stop(reason)` (it must be quick and thread-safe);
    `None`: it is only noted, for `check()`."""
    _state.stop = stop


def ignore(reason: str) -> None:
    """A `stop` for after the engine: the run is reported as it is, the exit code says why."""


def add_child(proc: subprocess.Popen[str]) -> None:
    """Kill `proc` should a second signal make this process exit at once."""
    with _state.lock:
        _state.children.append(proc)


def forget_child(proc: subprocess.Popen[str]) -> None:
    """`proc` has been stopped the orderly way."""
    with _state.lock, contextlib.suppress(ValueError):
        _state.children.remove(proc)


def _exit_now(signum: int) -> None:
    # No lock here: the main thread, which runs this handler, may be holding it.
    children = list(_state.children)
    for proc in children:
        with contextlib.suppress(OSError):
            proc.kill()
    with contextlib.suppress(OSError):  # os.write: sys.stderr may be mid-write in this thread
        os.write(2, f"smoke: second {signal.Signals(signum).name}; exiting now\n".encode())
    os._exit(128 + signum)
