"""Signal quality: many scheduled runs against faulty demo targets — false alarms and misses.

    .venv/bin/python bench/signal_quality.py [--runs 300] [--jobs 1] [--condition C]...

Transient conditions (`flaky:2`, `jitter:2`): a run that ends `fail` is a false alarm. Persistent
conditions (`health-down`, `login-broken`, `hang`): each run is the first run after the outage
began, and it must end `fail`. Every run is a real `smoke run --env demo` process; before each
one the target's audit, sessions, lockouts and rate limiter are reset (POST /__demo__/reset) so
nothing leaks from one run into the next. `--jobs J` runs J workers, each with its own demo target
(use it for `hang`, whose runs mostly wait for the deadline; keep 1 for transient faults, whose
timing conditions CPU contention would disturb).

Per condition: the share of runs ending fail/warn/pass, per check its failures with their texts
(digits folded, so similar texts group), how often retries were refused for lack of rate budget
or deadline, run durations. Every run's summary goes to bench/.peers/signal/<condition>.jsonl.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from benchlib import RUN_DEMO, WORK, DemoTarget, machine, save, summary, timed, verdict

TRANSIENT = ("flaky:2", "jitter:2")
PERSISTENT = ("health-down", "login-broken", "hang")
BUDGET_NOTE = "not retried: the rate budget"
DEADLINE_NOTE = "not retried: the run deadline"
RUN_TIMEOUT_S = 90


def one_run(target: DemoTarget, out: Path) -> dict[str, Any]:
    """Reset the target, run the suite once, and summarise its results.json."""
    target.reset()
    results = out / "results.json"
    results.unlink(missing_ok=True)
    shutil.rmtree(out / "artifacts", ignore_errors=True)  # each run keeps only its own
    argv = [*RUN_DEMO, "--output", str(out)]
    run = timed(argv, env=target.env(), timeout=RUN_TIMEOUT_S)
    record: dict[str, Any] = {"exit": run.returncode, "wall_s": round(run.seconds, 3)}
    if run.returncode not in (0, 1) or not results.exists():
        record["invalid"] = run.output.strip().splitlines()[-1:] or ["no output"]
        return record
    doc = json.loads(results.read_text(encoding="utf-8"))
    record["status"] = doc["status"]
    record["requests"] = doc["safety"]["requests"]
    record["checks"] = {
        c["id"]: {
            "status": c["status"],
            "attempts": c["attempts"],
            "flaky": c["flaky"],
            "error": c["error"],
            "class": c["failure_class"],
        }
        for c in doc["checks"]
    }
    return record


def simulate(condition: str, runs: int, jobs: int) -> list[dict[str, Any]]:
    """`runs` runs of the suite under `condition`, spread over `jobs` workers."""
    records: list[dict[str, Any]] = []
    lock = threading.Lock()
    todo = iter(range(runs))
    log = WORK / "signal" / f"{condition.replace(':', '-')}.jsonl"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    started = time.monotonic()

    def worker(n: int) -> None:
        # Per condition and worker: two simulations running at once must not share a folder.
        out = WORK / "out" / "signal" / f"{condition.replace(':', '-')}-{n}"
        with DemoTarget() as target:
            target.set_faults(condition)
            while True:
                with lock:
                    i = next(todo, None)
                if i is None:
                    return
                record = one_run(target, out)
                with lock:
                    records.append(record)
                    with log.open("a") as f:
                        f.write(json.dumps(record) + "\n")
                    done = len(records)
                    if done % 25 == 0 or done == runs:
                        rate = (time.monotonic() - started) / done
                        print(f"  {condition}: {done}/{runs} runs ({rate:.1f} s/run)", flush=True)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return records


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a share k/n: what 300 runs can and cannot show."""
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def fold(text: str) -> str:
    """A failure text with numbers folded, so texts that differ only in timings group."""
    return re.sub(r"\b\d+(\.\d+)?\b", "N", text)


def analyse(condition: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures for one condition."""
    valid = [r for r in records if "status" in r]
    statuses = Counter(r["status"] for r in valid)
    n = len(valid)
    per_check: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"fail": 0, "warn": 0, "skip": 0, "flaky": 0, "retried": 0, "texts": Counter()}
    )
    notes = Counter()
    for r in valid:
        for check, c in r["checks"].items():
            row = per_check[check]
            if c["status"] in ("fail", "warn", "skip"):
                row[c["status"]] += 1
            row["flaky"] += bool(c["flaky"])
            row["retried"] += c["attempts"] > 1
            if c["status"] in ("fail", "skip") and c["error"]:
                row["texts"][f"[{c['class']}] {fold(c['error'])}"] += 1
            for note in (BUDGET_NOTE, DEADLINE_NOTE):
                if c["error"] and note in c["error"]:
                    notes[note] += 1
    persistent = condition in PERSISTENT
    fail_share = statuses["fail"] / n if n else float("nan")
    figures: dict[str, Any] = {
        "condition": condition,
        "kind": "persistent" if persistent else "transient",
        "runs": len(records),
        "valid": n,
        "invalid": [r.get("invalid") for r in records if "status" not in r][:5],
        "status_share": {s: statuses[s] / n for s in ("pass", "warn", "fail")} if n else {},
        "fail_share": fail_share,
        "fail_share_ci95": wilson(statuses["fail"], n),
        "target_met": (fail_share == 1.0) if persistent else (fail_share < 0.01),
        "wall_s": summary([r["wall_s"] for r in valid]),
        "requests": summary([float(r["requests"]) for r in valid]),
        "notes": {k: notes[k] for k in (BUDGET_NOTE, DEADLINE_NOTE)},
        "runs_with_budget_note": sum(
            any(c["error"] and BUDGET_NOTE in c["error"] for c in r["checks"].values())
            for r in valid
        ),
        "checks": {
            check: {
                **{k: v for k, v in row.items() if k != "texts"},
                "texts": row["texts"].most_common(6),
            }
            for check, row in sorted(per_check.items())
        },
    }
    return figures


def show(f: dict[str, Any]) -> None:
    """Print one condition's figures."""
    share = f["status_share"]
    what = "caught (fail in the first run)" if f["kind"] == "persistent" else "false alarms"
    target = "100%" if f["kind"] == "persistent" else "< 1%"
    print(f"\n== {f['condition']} ({f['kind']}): {f['valid']} valid runs of {f['runs']}")
    low, high = f["fail_share_ci95"]
    print(
        f"   {what}: {f['fail_share']:.1%} (95% interval {low:.1%}-{high:.1%})  "
        f"(target {target}: {verdict(f['target_met'])})"
    )
    print(
        f"   pass {share.get('pass', 0):.1%} · warn {share.get('warn', 0):.1%} · "
        f"fail {share.get('fail', 0):.1%} · run wall median {f['wall_s']['median']:.1f} s · "
        f"requests median {f['requests']['median']:.0f}"
    )
    print(
        f"   '{BUDGET_NOTE}': {f['notes'][BUDGET_NOTE]} check(s) in "
        f"{f['runs_with_budget_note']} run(s); '{DEADLINE_NOTE}': {f['notes'][DEADLINE_NOTE]}"
    )
    for check, row in f["checks"].items():
        if not (row["fail"] or row["warn"] or row["flaky"] or row["skip"]):
            continue
        print(
            f"   {check:22} fail {row['fail']:4} warn {row['warn']:4} skip {row['skip']:3} "
            f"flaky {row['flaky']:4} retried {row['retried']:4}"
        )
        for text, count in row["texts"]:
            print(f"      {count:4} x {text[:160]}")
    if f["invalid"]:
        print(f"   invalid runs (not counted), e.g.: {f['invalid'][0]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300, help="runs per condition (default 300)")
    parser.add_argument("--jobs", type=int, default=1, help="parallel workers, one target each")
    parser.add_argument(
        "--condition",
        action="append",
        choices=TRANSIENT + PERSISTENT,
        help="only these conditions (repeatable; default all)",
    )
    parser.add_argument(
        "--analyse-only",
        action="store_true",
        help="re-read bench/.peers/signal/<condition>.jsonl instead of running (--jobs: as run)",
    )
    args = parser.parse_args()
    info = machine()
    for condition in args.condition or (*TRANSIENT, *PERSISTENT):
        if args.analyse_only:
            log = WORK / "signal" / f"{condition.replace(':', '-')}.jsonl"
            records = [json.loads(line) for line in log.read_text().splitlines() if line]
            info = {**info, "date": f"{info['date']} (re-analysed; runs taken earlier)"}
        else:
            print(f"{condition}: {args.runs} runs, {args.jobs} worker(s)", flush=True)
            records = simulate(condition, args.runs, args.jobs)
        figures = analyse(condition, records) | {"machine": info, "jobs": args.jobs}
        show(figures)
        save(f"signal_{condition.replace(':', '-')}", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
