"""What baseline comparisons cost a whole `smoke demo` (issue 23; target: <= 5% wall time).

    .venv/bin/python bench/baseline_overhead.py [--pairs 9]

Two copies of the demo project, run by `smoke demo --config …` in alternating order (with/without,
then without/with, ...) so that drift on a shared machine falls on both sides alike:

- without: every `expect_aria` / `expect_screenshot` step and `smoke.expect_*` call removed;
- with: the project as shipped (homepage_looks: an ARIA and a screenshot comparison; pricing_plans:
  a screenshot; dashboard_history: an ARIA and a screenshot of the typed login form) plus a
  screenshot of the results in example_search, so every journey that can compare one (the YAML and
  Python ones: the built-in kinds take no steps) compares at least one screenshot: 4 screenshots
  and 2 ARIA snapshots a run. Its baselines are recorded first with `smoke baseline update`.

Only exit-0 runs count; in each `with` run every comparison must have held (no baseline warning,
no diff kept), in each `without` run none ran. Figures: each side's median wall time and their
ratio, and per pair the median difference and relative difference; the target is met when both
ratios are within it. Quote the load average beside them: the machine is shared.

`--in-process N` adds N runs of the `with` project in this process (runner.prepare + run against
one demo target) with a clock around each comparison (`aria.expect_aria`,
`screenshot.expect_screenshot`): what the comparisons themselves take, per comparison and summed
per run, against the run's own duration. The sum is an upper bound of their share of the wall
time (journeys run three at a time, so a comparison overlaps other journeys' work), and far less
noisy than whole processes on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchlib import SMOKE, DemoTarget, machine, save, summary, timed, verdict

from prodsmoke.demo import PROJECT
from prodsmoke.e2e.baselines import aria, screenshot

TARGET = 0.05
EXTRA = '      - expect_screenshot: {selector: "#results", baseline: results}\n'
SAID = ("baseline", "ARIA snapshot", "screenshot")


def projects(root: Path) -> dict[bool, Path]:
    """The two config roots: True with the comparisons, False without."""
    found = {}
    for with_baselines in (True, False):
        folder = root / ("with" if with_baselines else "without")
        shutil.copytree(PROJECT, folder, ignore=shutil.ignore_patterns("__pycache__"))
        env = folder / "config" / "environments" / "demo.yaml"
        text = env.read_text(encoding="utf-8")
        if with_baselines:
            anchor = '      - expect_text: {"#results": "Summarise a meeting"}\n'
            text = text.replace(anchor, anchor + EXTRA, 1)
        else:
            text = re.sub(r"^\s*- expect_(aria|screenshot): .*\n", "", text, flags=re.M)
            for test in (folder / "e2e").glob("test_*.py"):
                code = test.read_text(encoding="utf-8")
                code = re.sub(r"^\s*(await )?smoke\.expect_\w+\(.*\)\n", "", code, flags=re.M)
                test.write_text(code, encoding="utf-8")
            shutil.rmtree(folder / "baselines", ignore_errors=True)
        env.write_text(text, encoding="utf-8")
        found[with_baselines] = folder / "config"
    return found


def record(config: Path, out: Path) -> None:
    """The `with` project's baselines, recorded on this machine's Chromium (as a team would)."""
    with DemoTarget() as target:
        env = {**os.environ, "SMOKE_DEMO_URL": target.url, "SMOKE_TEST_PASSWORD": target.password}
        argv = [str(SMOKE), "baseline", "update", "--env", "demo", "--config", str(config)]
        run = timed([*argv, "--output", str(out)], env=env, timeout=180)
    if not run.passed:
        raise SystemExit(f"smoke baseline update failed:\n{run.output}")
    print("  " + "\n  ".join(line for line in run.output.splitlines() if "baselines" in line))


def demo_once(config: Path, with_baselines: bool, out: Path) -> float:
    """One `smoke demo` of one project: wall seconds (checked: the comparisons held or none ran)."""
    argv = [str(SMOKE), "demo", "--config", str(config), "--output", str(out)]
    run = timed(argv, env=dict(os.environ), timeout=180)
    if not run.passed:
        raise SystemExit(f"smoke demo ({'with' if with_baselines else 'without'}):\n{run.output}")
    checks = json.loads((out / "results.json").read_text(encoding="utf-8"))["checks"]
    for check in checks:
        said = check["error"] or ""
        if any(s in said for s in SAID) or any("-diff." in a for a in check["artifacts"]):
            raise SystemExit(f"a baseline did not hold in {out}: {check['id']}: {said}")
    return run.seconds


def in_process(config: Path, runs: int, out: Path) -> dict[str, Any]:
    """`runs` runs of `config` in this process, each comparison timed (see the docstring)."""
    import contextlib
    import functools
    import io
    import time

    from prodsmoke import runner
    from prodsmoke.config import load_settings
    from prodsmoke.e2e.journeys import steps
    from prodsmoke.options import RunOptions

    took: list[float] = []

    def clocked(original: Any) -> Any:
        @functools.wraps(original)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                took.append(time.perf_counter() - started)

        return wrapper

    for module, name in ((aria, "expect_aria"), (screenshot, "expect_screenshot")):
        setattr(module, name, clocked(getattr(module, name)))
        setattr(steps, name, getattr(module, name))
    per_run, per_comparison, durations = [], [], []
    with DemoTarget() as target:
        environ = {"SMOKE_DEMO_URL": target.url, "SMOKE_TEST_PASSWORD": target.password}
        settings = load_settings(config, "demo", environ=environ)
        for index in range(runs + 1):  # the first warms up
            target.reset()
            took.clear()
            options = RunOptions(output_dir=out / f"in-process-{index}")
            with contextlib.redirect_stdout(io.StringIO()):
                done = runner.run(runner.prepare(config, settings, options))
            if done.exit_code != 0:
                raise SystemExit(f"in-process run {index} exited {done.exit_code}")
            if index:
                per_run.append(sum(took))
                per_comparison.extend(took)
                durations.append(done.result.duration_ms / 1000)
            print(f"  run {index}: {len(took)} comparisons, {sum(took) * 1000:.0f} ms in all, "
                  f"run {done.result.duration_ms} ms, load {os.getloadavg()[0]:.2f}")  # fmt: skip
    each, total, run = summary(per_comparison), summary(per_run), summary(durations)
    share = total["median"] / run["median"]
    print(
        f"in process: a comparison takes median {each['median'] * 1000:.1f} ms (max "
        f"{each['max'] * 1000:.1f}, {each['n']} comparisons); all of a run's "
        f"{total['median'] * 1000:.0f} ms (median), {share:.1%} of the run's median "
        f"{run['median']:.2f} s (an upper bound)"
    )
    return {"comparison_s": each, "per_run_s": total, "run_s": run, "share_upper_bound": share}


def pairs_of(configs: dict[bool, Path], count: int, tmp: Path) -> dict[str, Any]:
    """`count` alternating pairs of whole `smoke demo` processes, with and without."""
    for side in (True, False):  # first-run costs fall on neither side
        demo_once(configs[side], side, tmp / f"warm-{side}")
    found: dict[bool, list[float]] = {True: [], False: []}
    for pair in range(count):
        order = (True, False) if pair % 2 == 0 else (False, True)
        for side in order:
            found[side].append(demo_once(configs[side], side, tmp / f"{pair}-{side}"))
        print(f"  pair {pair + 1}: with {found[True][-1]:.3f} s, "
              f"without {found[False][-1]:.3f} s, load {os.getloadavg()[0]:.2f}")  # fmt: skip
    with_, without = summary(found[True]), summary(found[False])
    ratio = with_["median"] / without["median"] - 1
    pairs = list(zip(found[True], found[False], strict=True))
    paired = statistics.median(a - b for a, b in pairs)
    relative = statistics.median(a / b - 1 for a, b in pairs)
    print(
        f"smoke demo wall: with median {with_['median']:.3f} s (min {with_['min']:.2f}), without "
        f"median {without['median']:.3f} s (min {without['min']:.2f}); overhead of the medians "
        f"{ratio:+.1%}; per pair: median {paired * 1000:+.0f} ms, {relative:+.1%}; target <= "
        f"{TARGET:.0%}: {verdict(ratio <= TARGET and relative <= TARGET)}"
    )
    return {"with": with_, "without": without, "overhead": ratio, "paired_median_s": paired,
            "paired_relative": relative}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=9, help="alternating smoke demo pairs")
    parser.add_argument("--in-process", type=int, default=0, metavar="N", help="timed runs")
    args = parser.parse_args()
    figures: dict[str, Any] = {"machine": machine(), "pairs": args.pairs}
    print(f"load average at start: {figures['machine']['loadavg_at_start']}")
    with tempfile.TemporaryDirectory() as tmp:
        configs = projects(Path(tmp))
        print("recording the 'with' project's baselines:")
        record(configs[True], Path(tmp) / "record")
        if args.in_process:
            print(f"in process, {args.in_process} runs of the 'with' project:")
            figures["in_process"] = in_process(configs[True], args.in_process, Path(tmp))
        if args.pairs:
            figures.update(pairs_of(configs, args.pairs, Path(tmp)))
    figures["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average at end: {figures['loadavg_at_end']}")
    print(f"figures: {save('baseline_overhead', figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
