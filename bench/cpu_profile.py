"""Where the CPU of one run goes: prodsmoke next to pytest-playwright running the same journeys.

    .venv/bin/python bench/cpu_profile.py [--n 10] [--runs 3] [--rate 250] [--remote] [--no-spy]

For each contender (prodsmoke `smoke run` on the demo suite plus N generated journeys, and
pytest-playwright on the same, bench/scale_journeys.py), whole runs, alternating, are timed while
every process of the tree is sampled from /proc (user + system CPU per process, by role: the
Python process, Playwright's Node driver, Chromium's browser, renderer, GPU and utility
processes). prodsmoke's Python side is also sampled by py-spy (installed in .venv: `pip install
py-spy`; `--no-spy` leaves it out, for unperturbed per-role figures); its stacks are bucketed by
the first frame that names a part of the run (start-up and imports, config validation, pytest
collection, the guard's route handler, tracing and HAR, the page observer and Web Vitals,
pytest's protocol and fixtures, Playwright's client, history, reporting). `--remote` makes the
demo target answer like a remote site (HTML +150 ms, assets +50 ms, API +40 ms). The
figures go to bench/.peers/figures/cpu_profile.json; medians over `--runs`.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchlib import (
    REMOTE,
    ROOT,
    SMOKE,
    WORK,
    DemoTarget,
    byte_compiled,
    load1,
    machine,
    save,
)
from scale import SPEED_BUDGET, SPEED_LIMIT, environment
from scale_journeys import layout

TICK = os.sysconf("SC_CLK_TCK")
# Python frames that name a part of the run (first match from the leaf wins), as file fragments.
BUCKETS = (
    (
        "guard route handler",
        (
            "prodsmoke/e2e/intercept.py",
            "prodsmoke/e2e/guard.py",
            "prodsmoke/e2e/budget.py",
            "prodsmoke/e2e/api_guard.py",
        ),
    ),
    ("page observer + Web Vitals", ("prodsmoke/e2e/observe.py", "prodsmoke/e2e/vitals.py")),
    ("tracing, HAR, artifacts", ("prodsmoke/e2e/artifacts.py", "prodsmoke/e2e/scrub.py")),
    (
        "history write",
        ("prodsmoke/history/", "prodsmoke/reporters/history.py", "sqlalchemy/", "alembic/"),
    ),
    ("reporting", ("prodsmoke/reporters/", "rich/")),
    (
        "pytest collection",
        (
            "prodsmoke/suite/collect.py",
            "_pytest/main.py:perform_collect",
            "_pytest/python.py:collect",
            "_pytest/python.py:_genfunctions",
            "_pytest/assertion/rewrite.py",
        ),
    ),
    (
        "pytest protocol + fixtures",
        ("_pytest/runner.py", "_pytest/fixtures.py", "prodsmoke/suite/", "pluggy/", "_pytest/"),
    ),
    ("config validation", ("prodsmoke/config/", "pydantic", "yaml/")),
    ("imports", ("<frozen importlib._bootstrap", "importlib/")),
    ("journey kinds + engine", ("prodsmoke/e2e/",)),
    ("Playwright client", ("playwright/",)),
    ("asyncio + greenlet", ("asyncio/", "greenlet")),
)


def role(pid: int) -> str:
    """What a process of the tree is, from its command line."""
    try:
        cmd = (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return "gone"
    if "node" in cmd.split(" ", 1)[0] or "/driver/" in cmd:
        return "playwright driver (node)"
    if "chrom" in cmd or "headless_shell" in cmd:
        for kind in ("renderer", "gpu-process", "utility", "zygote"):
            if f"--type={kind}" in cmd:
                return f"chromium {kind}"
        return "chromium browser"
    if "python" in cmd or "smoke" in cmd or "pytest" in cmd:
        return "python"
    return cmd.split(" ", 1)[0].rsplit("/", 1)[-1] or "other"


def cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (stat fields 14, 15)


def children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            kids = (task / "children").read_text().split()
            out += [int(k) for k in kids]
    except OSError:
        return out
    return out


def tree(root: int) -> list[int]:
    seen, todo = [], [root]
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo += children(pid)
    return seen


class Sampler(threading.Thread):
    """Polls the tree of `root` and keeps each process's latest CPU time and role."""

    def __init__(self, root: int, skip: int | None = None) -> None:
        super().__init__(daemon=True)
        self.root, self.skip = root, skip
        self.latest: dict[int, tuple[str, float]] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.poll()
            time.sleep(0.05)

    def poll(self) -> None:
        """Read every process of the tree once."""
        for pid in tree(self.root):
            if pid == self.skip:
                continue
            used = cpu_s(pid)
            if used is not None:
                known = self.latest.get(pid)
                self.latest[pid] = (known[0] if known else role(pid), used)

    def by_role(self) -> dict[str, float]:
        out: dict[str, float] = collections.Counter()
        for kind, used in self.latest.values():
            out[kind] += used
        return dict(out)


def run_one(
    argv: list[str], cwd: Path, env: dict[str, str], *, spy: Path | None, rate: int
) -> dict:
    if spy is not None:
        argv = [
            str(ROOT / ".venv" / "bin" / "py-spy"),
            "record",
            "-r",
            str(rate),
            "--format",
            "raw",
            "-o",
            str(spy),
            "--nonblocking",
            "--",
            *argv,
        ]
    began = time.monotonic()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    sampler = Sampler(proc.pid, skip=proc.pid if spy is not None else None)  # not py-spy itself
    sampler.start()
    out, _ = proc.communicate(timeout=600)
    wall = time.monotonic() - began
    sampler.done.set()
    sampler.join()
    roles = sampler.by_role()
    return {
        "wall_s": wall,
        "returncode": proc.returncode,
        "roles": roles,
        "tail": out.decode(errors="replace")[-400:],
    }


def buckets(raw: Path) -> dict[str, int]:
    """py-spy raw (folded) stacks, as samples per bucket."""
    counts: dict[str, int] = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        frames = stack.split(";")
        name = "other Python"
        for frame in reversed(frames):
            hit = next((b for b, keys in BUCKETS if any(k in frame for k in keys)), None)
            if hit is not None:
                name = hit
                break
        counts[name] += int(n)
    return dict(counts)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--remote", action="store_true", help="a remote-like target")
    parser.add_argument(
        "--no-spy", action="store_true", help="no py-spy: CPU by process role only, unperturbed"
    )
    args = parser.parse_args()
    byte_compiled()
    root = Path(tempfile.mkdtemp(prefix="prodsmoke-cpu-"))
    where = layout(root, args.n)
    budget = {"share_of_limit": 0.2, "max_requests_per_minute": SPEED_BUDGET}
    config = environment(root / "speed", where, budget=budget, declare=False)
    pytest = str(WORK / "venv" / "bin" / "pytest")
    faults = REMOTE if args.remote else ""
    figures: dict = {"n": args.n, "remote": args.remote, "machine": machine(), "runs": {}}
    with DemoTarget(rate_limit=SPEED_LIMIT, faults=faults) as target:
        env = target.env()
        contenders = {
            "prodsmoke": (
                [
                    str(SMOKE),
                    "run",
                    "--env",
                    "scale",
                    "--config",
                    str(config),
                    "--output",
                    str(root / "out"),
                ],
                ROOT,
            ),
            "pytest-playwright": ([pytest, "-q", "-p", "no:xdist"], where.pytest_dir),
        }
        print(f"cpu_profile · N={args.n} · remote={args.remote} · load {load1():.2f}")
        for argv, cwd in contenders.values():  # warm-up
            target.reset()
            run_one(argv, cwd, env, spy=None, rate=args.rate)
        figures["runs"] = {name: [] for name in contenders}
        for i in range(args.runs):  # alternating, as the other benches do
            for name, (argv, cwd) in contenders.items():
                target.reset()
                spy = root / f"{name}-{i}.txt" if name == "prodsmoke" and not args.no_spy else None
                row = run_one(argv, cwd, env, spy=spy, rate=args.rate)
                if spy is not None and spy.exists():
                    row["python_buckets"] = buckets(spy)
                row["load"] = load1()
                figures["runs"][name].append(row)
                print(
                    f"  {name} run {i + 1}: {row['wall_s']:.2f} s rc={row['returncode']} "
                    f"cpu {sum(row['roles'].values()):.2f} s (load {row['load']:.1f})"
                )
    for name, rows in figures["runs"].items():
        roles = sorted({k for r in rows for k in r["roles"]})
        print(f"\n{name}: median CPU seconds by process role over {len(rows)} runs")
        for kind in roles:
            print(f"  {kind:<28} {statistics.median(r['roles'].get(kind, 0) for r in rows):6.2f}")
        print(f"  {'total':<28} {statistics.median(sum(r['roles'].values()) for r in rows):6.2f}")
        if rows and "python_buckets" in rows[0]:
            names = sorted({k for r in rows for k in r["python_buckets"]})
            total = statistics.median(sum(r["python_buckets"].values()) for r in rows)
            print(f"  python side by part (share of py-spy samples, {args.rate}/s):")
            for b in sorted(
                names, key=lambda b: -statistics.median(r["python_buckets"].get(b, 0) for r in rows)
            ):
                share = statistics.median(r["python_buckets"].get(b, 0) for r in rows) / total
                print(f"    {b:<30} {share:6.1%}")
    path = save("cpu_profile" + ("_remote" if args.remote else ""), figures)
    print(f"figures: {path}")
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    raise SystemExit(main())
