"""Timing fidelity: what prodsmoke reports against a delay the demo target injects.

    .venv/bin/python bench/fidelity.py [--runs N]

Conditions, alternated run by run on one demo target (faults set via POST /__demo__/faults): none
(the baseline), slow-homepage:300, slow-homepage:1500, slow-api:300. Each run is a real
`smoke run --env demo`; read from its results.json: homepage_load `page_load_ms` and api_health
`response_time_ms`. Expected = baseline median + injected delay; error = reported median - expected.

The runs use a copy of config/ in which only the `[RESPONSE_TIME] < N` limits are raised (to
10000 ms): with `slow-api:300` the demo config's limits fail the HTTP checks, and a failed HTTP
check reports no metrics, so there would be nothing to compare. Everything else is the demo config.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
from pathlib import Path

from benchlib import (
    DEMO_CONFIG,
    SMOKE,
    WORK,
    DemoTarget,
    machine,
    save,
    summary,
    timed,
    verdict,
)

CONDITIONS = {  # fault -> (metrics it should move, injected ms)
    "": ((), 0),
    "slow-homepage:300": (("page_load_ms", "ttfb_ms"), 300),
    "slow-homepage:1500": (("page_load_ms", "ttfb_ms"), 1500),
    "slow-api:300": (("response_time_ms",), 300),
}
# metric -> check; ttfb_ms (also from Navigation Timing) isolates the document delay itself.
METRICS = {
    "page_load_ms": "homepage_load",
    "ttfb_ms": "homepage_load",
    "response_time_ms": "api_health",
}


def relaxed_config() -> Path:
    """The demo config root copied, every `[RESPONSE_TIME] < N` raised to 10000 in demo.yaml."""
    root = WORK / "fidelity-config"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(DEMO_CONFIG, root)
    demo = root / "environments" / "demo.yaml"
    text = re.sub(r"\[RESPONSE_TIME\] < \d+", "[RESPONSE_TIME] < 10000", demo.read_text())
    demo.write_text(text)
    return root


def reported(results: Path) -> dict[str, float]:
    """The two metrics from one results.json."""
    doc = json.loads(results.read_text(encoding="utf-8"))
    checks = {c["id"]: c for c in doc["checks"]}
    found: dict[str, float] = {}
    for metric, check in METRICS.items():
        value = checks.get(check, {}).get("metrics", {}).get(metric)
        if value is not None:
            found[metric] = float(value)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per condition (default 7)")
    parser.add_argument(
        "--isolated",
        action="store_true",
        help="run only homepage_load and api_health (no concurrent journeys to compete with)",
    )
    args = parser.parse_args()
    config = relaxed_config()
    out = WORK / "out" / "fidelity"
    info = machine()
    samples: dict[str, dict[str, list[float]]] = {c: {m: [] for m in METRICS} for c in CONDITIONS}
    failed = dict.fromkeys(CONDITIONS, 0)
    with DemoTarget() as target:
        env = target.env()
        argv = [str(SMOKE), "run", "--env", "demo", "--config", str(config), "--output", str(out)]
        if args.isolated:
            argv += ["--check", "homepage_load", "--check", "api_health"]
        target.reset()
        timed(argv, env=env)  # warm-up, not counted
        names = list(CONDITIONS)
        for r in range(args.runs):
            for condition in names[r % len(names) :] + names[: r % len(names)]:
                target.set_faults(condition)
                target.reset()
                run = timed(argv, env=env)
                if not run.passed:
                    failed[condition] += 1
                    print(f"  {condition or 'baseline'}: exit {run.returncode} (not counted)")
                    continue
                for metric, value in reported(out / "results.json").items():
                    samples[condition][metric].append(value)
            print(f"round {r + 1}/{args.runs} done", flush=True)
        target.set_faults("")

    base = {m: statistics.median(samples[""][m]) for m in METRICS if samples[""][m]}
    figures: dict[str, object] = {
        "machine": info,
        "runs": args.runs,
        "isolated": args.isolated,
        "failed": failed,
    }
    figures["baseline_ms"] = {m: summary(samples[""][m]) for m in METRICS}
    print("\nbaseline medians: " + ", ".join(f"{m} {v:.1f} ms" for m, v in base.items()))
    print(f"{'fault':20} {'metric':17} {'expected':>9} {'reported':>9} {'error':>8} {'error%':>7}")
    rows = {}
    for condition, (metrics, injected) in CONDITIONS.items():
        for metric in metrics:
            if not samples[condition][metric] or metric not in base:
                continue
            expected = base[metric] + injected
            median = statistics.median(samples[condition][metric])
            error = median - expected
            percent = error / expected * 100
            ok = abs(error) <= max(20.0, 0.05 * expected)
            rows[f"{condition} {metric}"] = {
                "fault": condition,
                "metric": metric,
                "injected_ms": injected,
                "expected_ms": expected,
                "reported": summary(samples[condition][metric]),
                "error_ms": error,
                "error_percent": percent,
                "met": ok,
            }
            print(
                f"{condition:20} {metric:17} {expected:9.1f} {median:9.1f} {error:+8.1f} "
                f"{percent:+6.1f}%  (target <= 5% or <= 20 ms: {verdict(ok)})"
            )
    figures["conditions"] = rows
    print(f"figures: {save('fidelity-isolated' if args.isolated else 'fidelity', figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
