"""Bounded reads: peak RSS of a run whose health endpoints stream forever, against a normal run.

    .venv/bin/python bench/body_memory.py [--runs N]

Each round runs `smoke run --env demo` twice under `/usr/bin/time -v` against one demo target:
once as it is, once with the `endless-body` fault (`/health`, `/api/v1/health` and
`/api/v1/status` answer a JSON document that never ends). "Maximum resident set size" is the
`smoke` process's peak (the body is read there; Chromium and the driver are other processes).
Target: the endless run's median at most 1.2 x the normal run's (issue 9).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time

from benchlib import RUN_DEMO, WORK, DemoTarget, machine, save, verdict

TARGET_RATIO = 1.2
_MAXRSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def peak_rss_mib(env: dict[str, str], output: str) -> tuple[float, int, float]:
    """(peak RSS MiB, exit code, wall s) of one `smoke run --env demo` under /usr/bin/time -v."""
    argv = ["/usr/bin/time", "-v", *RUN_DEMO, "--output", output]
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    wall = time.perf_counter() - started
    match = _MAXRSS.search(proc.stderr)
    if match is None:
        raise RuntimeError(f"no /usr/bin/time figures: {proc.stderr[-2000:]}")
    return int(match.group(1)) / 1024, proc.returncode, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds measured (default 5)")
    args = parser.parse_args()
    info = machine()
    normal: list[float] = []
    endless: list[float] = []
    codes: dict[str, list[int]] = {"normal": [], "endless-body": []}
    with DemoTarget() as target:
        for i in range(args.runs):
            for name, faults, into in (
                ("normal", "", normal),
                ("endless-body", "endless-body", endless),
            ):
                target.reset()
                target.set_faults(faults)
                mib, code, wall = peak_rss_mib(target.env(), str(WORK / "out" / "body-memory"))
                into.append(mib)
                codes[name].append(code)
                print(
                    f"round {i + 1} {name:<13} peak RSS {mib:6.1f} MiB  exit {code}  {wall:.1f} s"
                )
    ratio = statistics.median(endless) / statistics.median(normal)
    figures = {
        "machine": info,
        "runs": args.runs,
        "normal_rss_mib": {"median": statistics.median(normal), "max": max(normal)},
        "endless_body_rss_mib": {"median": statistics.median(endless), "max": max(endless)},
        "ratio_of_medians": ratio,
        "exit_codes": codes,
    }
    print(
        f"peak RSS median: normal {statistics.median(normal):.1f} MiB, endless body "
        f"{statistics.median(endless):.1f} MiB (max {max(endless):.1f}); ratio {ratio:.2f} "
        f"(target <= {TARGET_RATIO}: {verdict(ratio <= TARGET_RATIO)})"
    )
    print(f"figures: {save('body_memory', figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
