"""Interruption: seconds from SIGTERM (or SIGINT) to the exit of a run that was mid-flight.

    .venv/bin/python bench/interrupt.py [--runs N] [--signal TERM|INT]

Each run is a real `smoke demo --fault hang` (the demo target never answers, so every check is
in flight until stopped; left alone the run would take its whole 30 s deadline). Once the demo
target has received the first request, plus a moment for the journeys to start, the signal is
sent and the time to the process's exit is taken; that time includes stopping the checks,
writing results.json, junit.xml and the history row, the console summary, closing Chromium and
stopping the demo target. A run counts when it exited 143 / 130 with a complete results.json.
Target: median <= 3 s (issue 9); the CronJob's terminationGracePeriodSeconds is set from this.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from benchlib import ROOT, SMOKE, machine, save, verdict

TARGET_S = 3.0
IN_FLIGHT_S = 0.5  # after the first request arrives: the journeys are at the target by then


def one(signum: signal.Signals) -> tuple[float, int, bool]:
    """(seconds from the signal to exit, exit code, results.json complete) of one run."""
    with tempfile.TemporaryDirectory(prefix="bench-interrupt-") as out:
        proc = subprocess.Popen(
            [str(SMOKE), "demo", "--fault", "hang", "--output", out],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        url = ""
        while not url:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("smoke demo ended before the demo target started")
            if match := re.match(r"demo target: (http://\S+)", line):
                url = match.group(1)
        while httpx.get(f"{url}/__demo__/audit", timeout=5).json()["traffic"]["total"] < 1:
            time.sleep(0.02)
        time.sleep(IN_FLIGHT_S)
        sent = time.perf_counter()
        proc.send_signal(signum)
        proc.stdout.read()  # keep the pipe drained
        code = proc.wait(timeout=60)
        seconds = time.perf_counter() - sent
        proc.stdout.close()
        results = Path(out) / "results.json"
        complete = results.is_file() and all(
            c["status"] == "skip" for c in json.loads(results.read_text())["checks"]
        )
        return seconds, code, complete


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs measured (default 5)")
    parser.add_argument("--signal", choices=("TERM", "INT"), default="TERM")
    args = parser.parse_args()
    signum = signal.Signals[f"SIG{args.signal}"]
    info = machine()
    times: list[float] = []
    for i in range(args.runs):
        seconds, code, complete = one(signum)
        ok = code == 128 + signum and complete
        print(f"run {i + 1}: {seconds:.2f} s to exit, exit {code}, results complete: {complete}")
        if ok:
            times.append(seconds)
    if not times:
        print("no run counted")
        return 1
    median = statistics.median(times)
    figures = {
        "machine": info,
        "signal": signum.name,
        "runs": len(times),
        "seconds_to_exit": {"median": median, "min": min(times), "max": max(times)},
    }
    spread = f"min {min(times):.2f}, max {max(times):.2f}, {len(times)} runs"
    print(
        f"{signum.name} to exit: median {median:.2f} s ({spread})  "
        f"(target <= {TARGET_S:g} s: {verdict(median <= TARGET_S)})"
    )
    print(f"figures: {save(f'interrupt_{signum.name.lower()}', figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
