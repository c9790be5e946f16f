"""Memory: peak memory of a full `smoke run --env demo`, every process of it together.

    .venv/bin/python bench/memory.py [--runs N]

The run's whole process tree (the smoke process, Playwright's driver, Chromium and its helpers)
is sampled by bench/peak_memory.py; the demo target, started here beforehand, is not part of it.
PSS counts pages shared between Chromium's processes once; the RSS sum is an upper bound.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from benchlib import RUN_DEMO, WORK, DemoTarget, machine, save, verdict
from peak_memory import measure

TARGET_MIB = 600


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs measured (default 5)")
    args = parser.parse_args()
    info = machine()
    argv = [*RUN_DEMO, "--output", str(WORK / "out" / "memory")]
    peaks = []
    with DemoTarget() as target:
        for i in range(args.runs):
            target.reset()
            peak = measure(argv, env=target.env(), timeout_s=90)
            if peak.exit_code != 0:
                print(f"run {i + 1}: exit {peak.exit_code} (not counted)")
                continue
            peaks.append(peak)
            print(f"run {i + 1}: {peak.describe()}", flush=True)
    if not peaks:
        print("no passing run")
        return 1
    pss = [p.pss_mib for p in peaks]
    rss = [p.rss_mib for p in peaks]
    top = max(peaks, key=lambda p: p.pss_bytes)
    figures = {
        "machine": info,
        "runs": len(peaks),
        "pss_mib": {"median": statistics.median(pss), "min": min(pss), "max": max(pss)},
        "rss_sum_mib": {"median": statistics.median(rss), "max": max(rss)},
        "processes_max": max(p.processes for p in peaks),
        "at_peak_mib": {k: round(v / 2**20, 1) for k, v in top.at_peak.items()},
    }
    median = statistics.median(pss)
    print(
        f"peak PSS median {median:.0f} MiB (max {max(pss):.0f}; RSS sum median "
        f"{statistics.median(rss):.0f} MiB)  (target <= {TARGET_MIB} MB: "
        f"{verdict(max(pss) <= TARGET_MIB)})"
    )
    print(f"figures: {save('memory', figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
