"""What collecting Web Vitals costs a whole `smoke demo` (issue 14; target: <= 3% wall time).

    .venv/bin/python bench/vitals_overhead.py [--pairs 9] [--engine-pairs 9]

1. `smoke demo` pairs (the target's figure): each pair is two whole `smoke demo` processes (each
   starts its own demo target and Chromium), one with `PRODSMOKE_VITALS=off` and one with
   collection on, in alternating order (on/off, then off/on, ...) so that drift on a shared
   machine falls on both sides alike. Only exit-0 runs count, and each run's results.json is
   checked: pages for every journey with collection on, none off. Figures: each side's median
   wall time and their ratio, and per pair (on and off back to back) the median difference and
   the median relative difference; the target is met when both ratios are within it.
2. Engine pairs, in this process against one demo target (no process start-up, no target
   start-up in the measurement): the same alternation over `Engine.run()` of the demo suite,
   and, in the runs with collection on, the time the engine's Web Vitals hook itself took per
   journey attempt (`VitalsCollector.install` + `judge` or `read`, wrapped here with a clock):
   what collection adds to a journey's critical path, free of the machine's noise.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import DEMO_CONFIG, SMOKE, DemoTarget, machine, save, summary, timed, verdict

from prodsmoke.config import load_settings
from prodsmoke.e2e import vitals
from prodsmoke.e2e.engine import Engine
from prodsmoke.e2e.plan import plan
from prodsmoke.options import RunOptions

TARGET = 0.03
SWITCH = vitals.ENV_SWITCH


def demo_once(on: bool, out: Path) -> tuple[float, float]:
    """One `smoke demo`: (wall seconds, engine seconds)."""
    env = {**os.environ, SWITCH: "on" if on else "off"}
    run = timed([str(SMOKE), "demo", "--output", str(out)], env=env, timeout=180)
    if not run.passed:
        raise SystemExit(f"smoke demo (vitals {'on' if on else 'off'}) failed:\n{run.output}")
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    check_pages(document["checks"], on)
    return run.seconds, document["duration_ms"] / 1000


def check_pages(checks: list[dict[str, Any]], on: bool) -> None:
    journeys = [c for c in checks if c["kind"] == "journey"]
    with_pages = [c["id"] for c in journeys if c.get("pages")]
    without = [f"{c['id']} ({c['status']}: {c['error']})" for c in journeys if not c.get("pages")]
    if on and without:
        raise SystemExit(f"vitals on, but these journeys reported no pages: {without}")
    if not on and with_pages:
        raise SystemExit(f"vitals off, but {with_pages} reported pages")


def alternate(pairs: int, measure: Callable[[bool, str], float]) -> dict[bool, list[float]]:
    """`pairs` alternating on/off measurements (on/off, off/on, ...), printed as they come."""
    found: dict[bool, list[float]] = {True: [], False: []}
    for pair in range(pairs):
        order = (True, False) if pair % 2 == 0 else (False, True)
        for on in order:
            found[on].append(measure(on, f"{pair}-{'on' if on else 'off'}"))
        print(f"  pair {pair + 1}: on {found[True][-1]:.3f} s, off {found[False][-1]:.3f} s")
    return found


def compare(name: str, values: dict[bool, list[float]], target: float | None) -> dict[str, Any]:
    on, off = summary(values[True]), summary(values[False])
    ratio = on["median"] / off["median"] - 1
    pairs = list(zip(values[True], values[False], strict=True))
    paired = statistics.median(a - b for a, b in pairs)
    relative = statistics.median(a / b - 1 for a, b in pairs)  # each pair ran back to back
    line = (
        f"{name}: on median {on['median']:.3f} s (min {on['min']:.2f}, max {on['max']:.2f}), "
        f"off median {off['median']:.3f} s (min {off['min']:.2f}, max {off['max']:.2f}); "
        f"overhead of the medians {ratio:+.1%}; per pair: median {paired * 1000:+.0f} ms, "
        f"{relative:+.1%}"
    )
    if target is not None:
        line += f"; target <= {target:.0%}: {verdict(ratio <= target and relative <= target)}"
    print(line)
    return {
        "on": on,
        "off": off,
        "overhead": ratio,
        "paired_median_s": paired,
        "paired_relative": relative,
    }


class HookClock:
    """Wraps the Web Vitals hook's coroutines with a clock: seconds per attempt (a `read` inside
    `judge` is counted once, as part of it)."""

    def __init__(self) -> None:
        self.attempts: dict[int, float] = {}
        self._judging: set[int] = set()

    def install(self) -> None:
        for name in ("install", "judge", "read"):
            original = getattr(vitals.VitalsCollector, name)
            setattr(vitals.VitalsCollector, name, self._timed(name, original))

    def _timed(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        async def wrapper(collector: vitals.VitalsCollector, *args: Any, **kwargs: Any) -> Any:
            key = id(collector)
            if name == "read" and key in self._judging:
                return await original(collector, *args, **kwargs)
            if name == "judge":
                self._judging.add(key)
            started = time.perf_counter()
            try:
                return await original(collector, *args, **kwargs)
            finally:
                self._judging.discard(key)
                self.attempts[key] = self.attempts.get(key, 0.0) + time.perf_counter() - started

        return wrapper


def engine_pairs(pairs: int, out: Path) -> dict[str, Any]:
    clock = HookClock()
    clock.install()
    per_run: list[float] = []
    with DemoTarget() as target:
        environ = {"SMOKE_DEMO_URL": target.url, "SMOKE_TEST_PASSWORD": target.password}
        settings = load_settings(DEMO_CONFIG, "demo", environ=environ)

        def measure(on: bool, label: str) -> float:
            os.environ[SWITCH] = "on" if on else "off"
            target.reset()
            clock.attempts.clear()
            engine = Engine(settings, RunOptions(output_dir=out / label), plan(settings, ()))
            started = time.perf_counter()
            result = asyncio.run(engine.run())
            seconds = time.perf_counter() - started
            if result.status.value not in ("pass", "warn"):  # smoke demo exits 0 on both
                raise SystemExit(f"engine run {label} failed: {result.status}")
            check_pages([c.to_dict() for c in result.checks], on)
            if on:
                per_run.extend(clock.attempts.values())
            return seconds

        measure(True, "warm-up")
        per_run.clear()
        found = alternate(pairs, measure)
    figures = compare("engine runs (in process)", found, None)
    hook = summary([s * 1000 for s in per_run])
    figures["hook_ms_per_attempt"] = hook
    share = hook["median"] / 1000 / statistics.median(found[True])
    print(f"the hook itself: median {hook['median']:.1f} ms per journey attempt (min "
          f"{hook['min']:.1f}, max {hook['max']:.1f}, {hook['n']} attempts), "
          f"{share:.1%} of a run's median")  # fmt: skip
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=9, help="smoke demo pairs (>= 9)")
    parser.add_argument("--engine-pairs", type=int, default=9, help="in-process pairs (0: none)")
    args = parser.parse_args()
    figures: dict[str, Any] = {"machine": machine(), "pairs": args.pairs}
    print(f"load average at start: {figures['machine']['loadavg_at_start']}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.pairs:
            print(f"smoke demo, {args.pairs} alternating pairs:")
            demo_once(True, Path(tmp) / "warm-up")  # first-run costs fall on neither side
            engine_s: dict[bool, list[float]] = {True: [], False: []}

            def measure(on: bool, label: str) -> float:
                seconds, engine = demo_once(on, Path(tmp) / label)
                engine_s[on].append(engine)
                return seconds

            figures["wall"] = compare("smoke demo wall", alternate(args.pairs, measure), TARGET)
            figures["engine"] = compare("smoke demo engine (results.json)", engine_s, None)
        if args.engine_pairs:
            print(f"engine, in process, {args.engine_pairs} alternating pairs:")
            figures["in_process"] = engine_pairs(args.engine_pairs, Path(tmp) / "engine")
    end_load = [round(x, 2) for x in os.getloadavg()]
    figures["loadavg_at_end"] = end_load
    print(f"load average at end: {end_load}")
    print(f"figures: {save('vitals_overhead', figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
