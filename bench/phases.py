"""Where a `smoke run --env demo` spends its wall time: start-up, the engine, wind-down.

    .venv/bin/python bench/phases.py [--runs 5] [-- extra smoke run flags]

Start-up is spawn to the first line of output (the header, printed after imports and config
loading, just before the engine starts); the engine's own time is results.json `duration_ms`;
wind-down is the rest (pytest frame teardown, reporters, browser close, interpreter exit).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from benchlib import RUN_DEMO, WORK, DemoTarget, machine, save


def one(argv: list[str], env: dict[str, str]) -> dict[str, float] | None:
    """Phases of one run, in seconds; None when it did not pass."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = None
    for _ in proc.stdout:
        if first is None:
            first = time.perf_counter() - started
    proc.wait()
    wall = time.perf_counter() - started
    if proc.returncode != 0 or first is None:
        return None
    doc = json.loads((WORK / "out" / "phases" / "results.json").read_text())
    engine = doc["duration_ms"] / 1000
    journeys = {c["id"]: c["duration_ms"] for c in doc["checks"] if c["kind"] == "journey"}
    return {
        "startup_s": first,
        "engine_s": engine,
        "wind_down_s": wall - first - engine,
        "wall_s": wall,
        **{f"{k}_ms": float(v) for k, v in journeys.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("extra", nargs="*", help="extra `smoke run` flags, after --")
    args = parser.parse_args()
    argv = [*RUN_DEMO, "--output", str(WORK / "out" / "phases")]
    argv += args.extra
    rows = []
    with DemoTarget() as target:
        env = {**target.env(), "COLUMNS": "160", "PYTHONUNBUFFERED": "1"}
        target.reset()
        one(argv, env)  # warm-up
        for _ in range(args.runs):
            target.reset()
            if (row := one(argv, env)) is not None:
                rows.append(row)
    medians = {k: statistics.median(r[k] for r in rows) for k in rows[0]} if rows else {}
    for key, value in medians.items():
        unit = "s" if key.endswith("_s") else "ms"
        print(f"{key:28} {value:8.2f} {unit}" if unit == "s" else f"{key:28} {value:8.0f} ms")
    name = "phases" + ("-" + "-".join(a.strip("-") for a in args.extra) if args.extra else "")
    figures = {
        "machine": machine(),
        "argv_extra": args.extra,
        "runs": len(rows),
        "medians": medians,
    }
    print(f"figures: {save(name, figures)}")
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())
