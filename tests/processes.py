"""A `smoke` process under test, watched through /proc: its descendants and whether they are gone.

For the signal tests: start `smoke demo …` for real, wait until a check is in flight at the demo
target, send real signals, and afterwards prove that no process it started outlived it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path
from typing import IO, Any

import httpx

from tests.smoke_cli import REPO, SMOKE, clean_env

DEMO_LINE = re.compile(r"^demo target: (http://\S+)")


def parent_of(pid: int) -> int | None:
    """`pid`'s parent, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (a zombie has exited; only its entry is left
    for a parent that no longer reaps it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def descendants(root: int) -> dict[int, str]:
    """Every live process below `root`, with its command line."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (ppid := parent_of(int(entry.name))) is not None:
            parents[int(entry.name)] = ppid
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:
        current = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == current and pid not in found and alive(pid):
                try:
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    continue
                found[pid] = cmd.strip()
                frontier.append(pid)
    return found


def survivors(pids: dict[int, str], grace_s: float = 5.0) -> dict[int, str]:
    """Those of `pids` still alive after `grace_s` (processes take a moment to wind down)."""
    deadline = time.monotonic() + grace_s
    while True:
        left = {pid: cmd for pid, cmd in pids.items() if alive(pid)}
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


class SmokeDemo:
    """`smoke demo --fault F --output DIR`, running in the background."""

    def __init__(self, output: Path, *, fault: str = "hang", new_session: bool = False) -> None:
        self.output = output
        self._log = (output.parent / f"{output.name}.out").open("w+")
        self.proc = subprocess.Popen(
            [SMOKE, "demo", "--fault", fault, "--output", str(output)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            env=clean_env(),
            start_new_session=new_session,
        )
        self.url = ""
        self.lines: list[str] = []

    def wait_until_in_flight(self, timeout: float = 60) -> dict[int, str]:
        """Block until the demo target has received a request (a check is in flight) and
        Chromium is up; return the processes `smoke` has started by then."""
        deadline = time.monotonic() + timeout
        stdout: IO[str] | None = self.proc.stdout
        assert stdout is not None
        while not self.url:
            line = stdout.readline()
            assert line, f"smoke ended early: {self.stderr()}"
            self.lines.append(line)
            if match := DEMO_LINE.match(line):
                self.url = match.group(1)
        while httpx.get(f"{self.url}/__demo__/audit", timeout=5).json()["traffic"]["total"] < 1:
            assert time.monotonic() < deadline, "no check reached the demo target"
            time.sleep(0.05)
        while not any("chrom" in cmd for cmd in descendants(self.proc.pid).values()):
            assert time.monotonic() < deadline, "Chromium did not start"
            time.sleep(0.05)
        time.sleep(0.3)  # let the browser's journeys get going too
        return descendants(self.proc.pid)

    def finish(self, timeout: float = 60) -> int:
        """Wait for the exit code (reading the rest of stdout)."""
        assert self.proc.stdout is not None
        self.lines += self.proc.stdout.readlines()
        code = self.proc.wait(timeout=timeout)
        self.proc.stdout.close()
        return code

    def stdout(self) -> str:
        return "".join(self.lines)

    def stderr(self) -> str:
        self._log.seek(0)
        return self._log.read()

    def results(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads((self.output / "results.json").read_text())
        return doc

    def kill(self) -> None:
        """Make sure nothing is left running (test clean-up)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def signal_group(proc: subprocess.Popen[str], signum: int) -> None:
    """Send `signum` to the process group of `proc`, as a terminal's Ctrl-C does."""
    os.killpg(proc.pid, signum)
