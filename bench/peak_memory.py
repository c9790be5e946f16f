"""Peak memory of a command's whole process tree (Chromium, the Playwright driver, children).

Samples every process in the tree every ~20 ms and keeps the largest sum. PSS (proportional set
size, from /proc/<pid>/smaps_rollup) is the honest total: pages shared between Chromium's
processes are counted once, split among them. The RSS sum, which counts shared pages once per
process, is reported beside it as an upper bound.

    python bench/peak_memory.py -- .venv/bin/smoke demo
    python bench/peak_memory.py --exclude 'serve-demo' --json -- .venv/bin/smoke demo

As a library (other benchmarks reuse it):

    from bench.peak_memory import measure
    peak = measure(["smoke", "run", "--env", "demo"], env=environ)
    print(peak.pss_mib, peak.exit_code)

Processes that a child orphans are kept in the tree: this process becomes a child subreaper
(prctl PR_SET_CHILD_SUBREAPER), so a double-forked helper is re-parented to us, not to init.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

PROC = Path("/proc")
PR_SET_CHILD_SUBREAPER = 36
MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Peak:
    """The largest whole-tree memory seen while a command ran."""

    pss_bytes: int  # max over samples of the tree's summed PSS
    rss_bytes: int  # max over samples of the tree's summed RSS (upper bound)
    processes: int  # the most processes alive in one sample
    samples: int
    wall_s: float
    exit_code: int
    at_peak: Mapping[str, int] = field(default_factory=dict)  # PSS by process name, peak sample

    @property
    def pss_mib(self) -> float:
        """Peak PSS in MiB."""
        return self.pss_bytes / MIB

    @property
    def rss_mib(self) -> float:
        """Peak RSS sum in MiB."""
        return self.rss_bytes / MIB

    def describe(self) -> str:
        """One line for a person, plus the breakdown at the peak."""
        parts = ", ".join(f"{name} {size / MIB:.0f}" for name, size in self.at_peak.items())
        return (
            f"peak PSS {self.pss_mib:.1f} MiB (RSS sum {self.rss_mib:.1f} MiB) · "
            f"{self.processes} processes at most · {self.samples} samples over {self.wall_s:.1f} s"
            f" · exit {self.exit_code}\n  at the peak, PSS MiB by process: {parts}"
        )


def measure(
    argv: Sequence[str],
    *,
    interval_s: float = 0.02,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    exclude: str | None = None,
    timeout_s: float | None = None,
    stdout: int | None = subprocess.DEVNULL,
) -> Peak:
    """Run `argv` to completion and return the peak memory of its process tree.

    `exclude` is a regular expression matched against each process's command line; matching
    processes (e.g. a demo server the command starts) are left out of the sums.
    """
    _become_subreaper()
    skip = re.compile(exclude) if exclude else None
    # Our children from before (e.g. a demo server the caller started) are not the command's.
    others = frozenset(_children_of(os.getpid()))
    started = time.monotonic()
    proc = subprocess.Popen(
        list(argv),
        env=dict(env) if env is not None else None,
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.STDOUT if stdout is not None else None,
    )
    best = _Sample()
    count = 0
    done = threading.Event()
    waiter = threading.Thread(target=lambda: (proc.wait(), done.set()), daemon=True)
    waiter.start()
    try:
        while not done.is_set():
            sample = _sample(proc.pid, skip, others)
            count += 1
            best = best.merge(sample)
            if timeout_s is not None and time.monotonic() - started > timeout_s:
                proc.kill()
                break
            done.wait(interval_s)
    finally:
        waiter.join(timeout=30)
        _reap_orphans()
    return Peak(
        pss_bytes=best.pss,
        rss_bytes=best.rss,
        processes=best.processes,
        samples=count,
        wall_s=time.monotonic() - started,
        exit_code=proc.returncode if proc.returncode is not None else -9,
        at_peak=dict(sorted(best.by_name.items(), key=lambda kv: -kv[1])),
    )


@dataclass(frozen=True, slots=True)
class _Sample:
    pss: int = 0
    rss: int = 0
    processes: int = 0
    by_name: Mapping[str, int] = field(default_factory=dict)

    def merge(self, other: _Sample) -> _Sample:
        """Keep the sample with the larger PSS; the largest RSS and process count separately."""
        top = other if other.pss > self.pss else self
        return _Sample(
            pss=top.pss,
            rss=max(self.rss, other.rss),
            processes=max(self.processes, other.processes),
            by_name=top.by_name,
        )


def _sample(root: int, skip: re.Pattern[str] | None, others: frozenset[int]) -> _Sample:
    pss = rss = n = 0
    by_name: dict[str, int] = {}
    for pid in _tree(root, others):
        if skip is not None and skip.search(_cmdline(pid)):
            continue
        sizes = _rollup(pid)
        if sizes is None:
            continue  # exited between listing and reading
        pss += sizes[0]
        rss += sizes[1]
        n += 1
        name = _name(pid)
        by_name[name] = by_name.get(name, 0) + sizes[0]
    return _Sample(pss, rss, n, by_name)


def _tree(root: int, others: frozenset[int]) -> list[int]:
    """`root`, its descendants, and orphans of theirs that were re-parented to us."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parent_map().items():
        children.setdefault(ppid, []).append(pid)
    orphans = [p for p in children.get(os.getpid(), []) if p != root and p not in others]
    stack = [root, *orphans]
    seen: set[int] = set()
    while stack:
        pid = stack.pop()
        if pid not in seen:
            seen.add(pid)
            stack.extend(children.get(pid, []))
    return sorted(seen)


def _children_of(parent: int) -> list[int]:
    return [pid for pid, ppid in _parent_map().items() if ppid == parent]


def _parent_map() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid …": comm may contain spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def _rollup(pid: int) -> tuple[int, int] | None:
    """(PSS, RSS) in bytes from smaps_rollup; falls back to statm's RSS for both."""
    try:
        text = (PROC / str(pid) / "smaps_rollup").read_text()
    except OSError:
        text = ""
    pss = rss = None
    for line in text.splitlines():
        if line.startswith("Pss:"):
            pss = int(line.split()[1]) * 1024
        elif line.startswith("Rss:"):
            rss = int(line.split()[1]) * 1024
    if pss is not None and rss is not None:
        return pss, rss
    try:
        pages = int((PROC / str(pid) / "statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    size = pages * os.sysconf("SC_PAGE_SIZE")
    return size, size


def _cmdline(pid: int) -> str:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def _name(pid: int) -> str:
    try:
        return (PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return "?"


def adopt_orphans() -> None:
    """Become the reaper of our descendants' orphans, so their CPU time is counted as ours."""
    _become_subreaper()


def children() -> frozenset[int]:
    """Our child processes now (e.g. a demo target started before a measured command)."""
    return frozenset(_children_of(os.getpid()))


def reap_orphans(keep: frozenset[int], timeout_s: float = 5.0) -> int:
    """Wait (at most `timeout_s`) for our children not in `keep` to exit, and reap them.

    After `adopt_orphans()`, the helpers a command's process tree leaves behind (Chromium's
    renderers once the browser process is gone) are our children; reaping them adds their CPU
    time to `RUSAGE_CHILDREN`. Returns how many were still alive at the timeout.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        _reap_orphans()
        left = [p for p in _children_of(os.getpid()) if p not in keep]
        if not left or time.monotonic() > deadline:
            return len(left)
        time.sleep(0.02)


def _become_subreaper() -> None:
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _reap_orphans() -> None:
    """Wait for orphans re-parented to us so none is left a zombie."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: `peak_memory.py [--interval-ms N] [--exclude RE] [--json] -- COMMAND…`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--interval-ms", type=float, default=20.0, help="sampling period")
    parser.add_argument("--exclude", help="regex on command lines of processes to leave out")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--show-output", action="store_true", help="let the command print")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command after --")
    peak = measure(
        command,
        interval_s=args.interval_ms / 1000,
        exclude=args.exclude,
        stdout=None if args.show_output else subprocess.DEVNULL,
    )
    if args.json:
        doc = asdict(peak) | {"pss_mib": round(peak.pss_mib, 1), "rss_mib": round(peak.rss_mib, 1)}
        print(json.dumps(doc, indent=2))
    else:
        print(peak.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
