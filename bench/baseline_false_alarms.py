"""How often the demo's own baselines cry wolf (issue 23: 20 runs in a row, 0 differences).

    .venv/bin/python bench/baseline_false_alarms.py [--runs 20]

`--runs` whole `smoke demo` processes in a row, no fault, on the demo project as shipped (its
packaged baselines: homepage_looks' ARIA `main-nav` and screenshot `home-card`, pricing_plans'
screenshot `pricing`, dashboard_history's ARIA and screenshot `login-form`: 5 comparisons a run).
Each process starts its own demo target and Chromium, as a user's `smoke demo` does.

A false alarm is any check of a run whose message speaks of a baseline (a difference, a missing
baseline, a refused region) or that kept a difference's files (`*-diff.png`, `*-aria-diff.txt`,
or a lone `*-actual.png` of a missing baseline). A run that exits non-zero for another reason
(a timing over its limit on a busy machine) is counted apart, not as a baseline's false alarm.
The false-alarm rate is false alarms / comparisons; the figure is saved to
bench/.peers/figures/baseline_false_alarms.json. Quote the load average: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchlib import SMOKE, machine, save, summary, timed

COMPARISONS_PER_RUN = 5  # 2 ARIA snapshots + 3 screenshots (the docstring's list)
SAID = ("baseline", "ARIA snapshot", "screenshot")
KEPT = ("-diff.png", "-aria-diff.txt", "-actual.png", "-actual.aria.yml")


def alarms(results_json: Path) -> list[str]:
    """What the run's baselines said: one line per check that spoke or kept a baseline's file."""
    doc = json.loads(results_json.read_text(encoding="utf-8"))
    found = []
    for check in doc["checks"]:
        said = check["error"] or ""
        kept = [Path(a).name for a in check["artifacts"] if a.endswith(KEPT)]
        if any(s in said for s in SAID) or kept:
            found.append(f"{check['id']}: {check['status']}: {said[:160]} {kept}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="smoke demo runs in a row")
    args = parser.parse_args()
    figures: dict[str, Any] = {"machine": machine(), "runs": args.runs}
    print(f"load average at start: {figures['machine']['loadavg_at_start']}")
    seconds: list[float] = []
    false_alarms: list[str] = []
    other_failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(args.runs):
            out = Path(tmp) / f"run-{index}"
            run = timed([str(SMOKE), "demo", "--output", str(out)], env=dict(os.environ),
                        timeout=240)  # fmt: skip
            results = out / "results.json"
            if not results.is_file():
                raise SystemExit(f"run {index + 1}: no results.json (exit {run.returncode}):\n"
                                 f"{run.output}")  # fmt: skip
            said = alarms(results)
            false_alarms += [f"run {index + 1}: {line}" for line in said]
            if run.returncode != 0 and not said:
                other_failures.append(f"run {index + 1}: exit {run.returncode}")
            seconds.append(run.seconds)
            print(f"  run {index + 1}: exit {run.returncode}, {run.seconds:.2f} s, "
                  f"{len(said)} baseline differences, load {os.getloadavg()[0]:.2f}")  # fmt: skip
            for line in said:
                print(f"    {line}")
    comparisons = args.runs * COMPARISONS_PER_RUN
    rate = len(false_alarms) / comparisons
    figures.update(
        comparisons=comparisons,
        false_alarms=false_alarms,
        false_alarm_rate=rate,
        other_failures=other_failures,
        run_s=summary(seconds),
        loadavg_at_end=[round(x, 2) for x in os.getloadavg()],
    )
    print(
        f"{args.runs} smoke demo runs, {comparisons} baseline comparisons: {len(false_alarms)} "
        f"differences (false-alarm rate {rate:.2%}), {len(other_failures)} runs failed otherwise; "
        f"median run {figures['run_s']['median']:.2f} s"
    )
    print(f"load average at end: {figures['loadavg_at_end']}")
    print(f"figures: {save('baseline_false_alarms', figures)}")
    return 1 if false_alarms else 0


if __name__ == "__main__":
    sys.exit(main())
