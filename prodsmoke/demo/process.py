"""The demo target in a child process, as a real target would be: for `smoke demo`.

A run's timings then measure the product and the network, never contention with the demo server
for our own interpreter. Control goes through the target's `/__demo__/` endpoints.

The child runs in a session of its own, so a Ctrl-C at the terminal reaches only `smoke`, which
reports the interrupted run and then stops the target itself; and it watches its parent, so it
stops when `smoke` is gone however `smoke` ended (killed included): never an orphan.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from typing import TYPE_CHECKING, Any

import httpx

from prodsmoke import interrupt

if TYPE_CHECKING:
    from types import TracebackType

    from prodsmoke.demo.faults import Faults

START_TIMEOUT_S = 20.0
BANNER = "BetterPrompts demo target at "


class DemoProcess:
    """`smoke serve-demo --port 0` in a child process; a context manager."""

    def __init__(self, *, faults: Faults, password: str, assets: int = 10) -> None:
        self._argv = [
            sys.executable, "-m", "prodsmoke", "serve-demo", "--port", "0", "--quiet",
            "--fault", str(faults), "--assets", str(assets), "--parent", str(os.getpid()),
        ]  # fmt: skip
        self._env = {**os.environ, "SMOKE_TEST_PASSWORD": password}
        self._proc: subprocess.Popen[str] | None = None
        self._stopped = False
        self.url = ""

    def start(self) -> DemoProcess:
        """Start the child and wait for the line that says where it listens."""
        self._errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in stop()
        self._proc = subprocess.Popen(
            self._argv,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            text=True,
            env=self._env,
            start_new_session=True,
        )
        interrupt.add_child(self._proc)
        assert self._proc.stdout is not None
        started = time.monotonic()
        try:
            for line in self._proc.stdout:
                if line.startswith(BANNER):
                    self.url = line[len(BANNER) :].split()[0]
                    return self
                if time.monotonic() - started > START_TIMEOUT_S:
                    break
        except BaseException:  # a signal while it starts: stop it, then go on unwinding
            self.stop()
            raise
        self.stop()
        self._errors.seek(0)
        reason = (self._errors.read().strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"the demo target did not start: {reason}")

    def audit(self) -> dict[str, Any]:
        """The target's audit document."""
        response = httpx.get(f"{self.url}/__demo__/audit", timeout=10)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def stop(self) -> None:
        """Interrupt the child as Ctrl-C would, and wait for it (killing it if it will not go).

        Idempotent."""
        proc = self._proc
        if proc is None or self._stopped:
            return
        self._stopped = True
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        interrupt.forget_child(proc)
        if proc.stdout is not None:
            proc.stdout.close()
        self._errors.close()

    def __enter__(self) -> DemoProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
