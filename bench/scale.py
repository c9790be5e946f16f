"""Scale: the demo suite plus N generated journeys, prodsmoke against the peers, N = 0, 10, 30.

    bench/scale [--rounds 5] [--n 0 --n 10 --n 30] [--memory-runs 3] [--skip PART]... [--remote]
                [--variant trace-off|async|peer-floor|slots=K]...

Three parts in one command, each printed with the 1-minute load average beside its figures:

speed   For every N, rounds of whole processes in a rotating order (target reset before each):
        prodsmoke (`smoke run` on a generated environment whose journey_paths add the N journeys),
        Playwright Test (workers = cores), pytest-playwright (serial, and `-n cores` with
        pytest-xdist). Journeys: bench/scale_journeys.py, regenerated into a temp folder each run.
        A run counts only if it exits 0 and every one of the 11 + N checks/tests passed. The
        target is started with a raised limit (`serve-demo --rate-limit`) and the generated
        environment's rate budget is raised to match, so the budget never holds a journey back.
memory  At the largest N, each contender's peak memory (whole process tree, PSS;
        bench/peak_memory.py), runs alternating.
budget  At the largest N, prodsmoke with the demo environment's own rate budget (20% of the
        target's default 600/min) against a target with its default limit: the checks past the
        budget must `skip` with a rate-budget reason, none may fail, the target must have answered
        no 429 and seen no more than the budget in any minute (its /__demo__/audit traffic).

`--variant` adds prodsmoke variants to speed and memory, as evidence for tuning (never counted as
prodsmoke's figure): `trace-off` (`--trace off`), `async` (every generated journey async, no sync
bridge), `slots=K` (`journeys_at_once: K` in the generated environment; give `slots=3` too, as
the control), and one peer variant, `peer-floor`: pytest-playwright doing what prodsmoke's safety
and artifact properties need of every journey with no prodsmoke code (every request routed and
continued, the first attempt's light trace and HAR; bench/peers/pytest-playwright/conftest.py), as
the CPU floor those properties set. Beside each wall time: the CPU time
(user + sys) of the contender's whole process tree, from the kernel's accounting of reaped children
(this process adopts the tree's orphans, e.g. Chromium's helpers once the browser has gone, and
reaps them before it reads the total).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from benchlib import (
    BENCH,
    DEMO_CONFIG,
    REMOTE,
    ROOT,
    SMOKE,
    WORK,
    DemoTarget,
    Timed,
    byte_compiled,
    chromium_from,
    load1,
    machine,
    save,
    summary,
    timed,
    verdict,
)
from peak_memory import adopt_orphans, children, measure, reap_orphans
from scale_journeys import REQUESTS, Layout, layout

# The demo project's demo.yaml, as the peers do it: 4 HTTP checks and 6 journeys. Its baseline
# comparisons (homepage_looks, and the screenshots in e2e/, issue 23) have no peer counterpart, so
# the generated environment leaves them out (`_peer_work`): every contender does the same work.
DEMO_CHECKS = 10
BASELINE_CALLS = ("smoke.expect_aria(", "smoke.expect_screenshot(")
TARGET_RATIO = 0.8  # issue 24: wall / fastest peer on loopback
TARGET_RATIO_REMOTE = 0.55  # and on the remote-like target
TARGET_MB = 600
SPEED_LIMIT = 6000  # the speed target's API limit per minute (serve-demo --rate-limit)
SPEED_BUDGET = 1200  # 20% of it: the generated environment's max_requests_per_minute
CORES = os.cpu_count() or 2
PEERS = ("playwright-test", "pytest-playwright", f"pytest-playwright -n {CORES}")
FLOOR = "pytest-playwright + floor"  # the `peer-floor` variant: not a peer, a measuring stick
TIMEOUT_S = 300


@dataclass(frozen=True, slots=True)
class Contender:
    """One way of running the suite at one N: the process and how to count what passed."""

    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    passed: Callable[[Timed], int]  # tests/checks that passed (0 when unknown)


@dataclass(frozen=True, slots=True)
class Run:
    """One timed run: its wall time, passes and the load average when it started."""

    seconds: float
    returncode: int
    passed: int
    expected: int
    load: float
    cpu: float  # user + sys seconds of the whole process tree
    output: str

    @property
    def counts(self) -> bool:
        """Exit 0 and every check/test passed."""
        return self.returncode == 0 and self.passed == self.expected


# -- the generated environment ------------------------------------------------------------------


def environment(
    root: Path,
    where: Layout,
    *,
    budget: dict[str, Any] | None,
    declare: bool,
    python_dir: Path | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """A config root holding `scale.yaml`: demo.yaml plus the generated journeys.

    `budget`: the rate_budget to use (None: demo.yaml's own). `declare`: give every generated
    journey its real cost as `expected_requests` (else the default, 15, is reserved).
    `python_dir`: where the generated Python journeys are (default: `where.python_dir`).
    """
    doc = yaml.safe_load((DEMO_CONFIG / "environments" / "demo.yaml").read_text())
    doc["name"] = "scale"
    # The deadline is a safety cap, not a speed setting: room for N = 30 on a loaded machine.
    doc["deadline_s"] = 120
    doc["journey_paths"] = [str(_peer_work(root, doc)), str(python_dir or where.python_dir)]
    if budget is not None:
        doc["safety"]["rate_budget"] = budget
    doc.update(extra or {})
    if declare:
        for j in where.journeys:
            doc["journeys"][j.id] = {"expected_requests": REQUESTS[j.shape]}
    folder = root / "config" / "environments"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scale.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return root / "config"


def _peer_work(root: Path, doc: dict[str, Any]) -> Path:
    """Drop the demo's baseline comparisons from `doc` and from a copy of its e2e/ files (the
    peers compare no baselines); returns the copy's folder."""
    doc["journeys"].pop("homepage_looks", None)
    folder = root / "demo-e2e"
    folder.mkdir(parents=True, exist_ok=True)
    for source in (DEMO_CONFIG.parent / "e2e").glob("*.py"):
        lines = source.read_text().splitlines(keepends=True)
        kept = [
            x
            for x in lines
            if not x.lstrip().startswith(
                tuple(f"await {c}" for c in BASELINE_CALLS) + BASELINE_CALLS
            )
        ]
        (folder / source.name).write_text("".join(kept))
    return folder


# -- counting passes ----------------------------------------------------------------------------


def _count(pattern: str, text: str) -> int:
    found = re.findall(pattern, text)
    return int(found[-1]) if found else 0


def _pytest_passed(t: Timed) -> int:
    return _count(r"(\d+) passed", t.output)


def _playwright_passed(t: Timed) -> int:
    # A test that passed on a retry is `flaky` (prodsmoke's equivalent is pass with flaky: true).
    return _count(r"(\d+) passed", t.output) + _count(r"(\d+) flaky", t.output)


def _smoke_passed(results: Path) -> Callable[[Timed], int]:
    def passed(_: Timed) -> int:
        try:
            doc = json.loads(results.read_text())
        except (OSError, ValueError):
            return 0
        return sum(c["status"] in ("pass", "warn") for c in doc["checks"])

    return passed


def contenders(
    where: Layout, root: Path, env: dict[str, str], variants: list[str]
) -> list[Contender]:
    """Every contender at one N (its files under `root`), then the prodsmoke variants."""
    budget = {"share_of_limit": 0.2, "max_requests_per_minute": SPEED_BUDGET}
    config = environment(root / "speed", where, budget=budget, declare=False)
    pytest = str(WORK / "venv" / "bin" / "pytest")
    table = [
        _prodsmoke("prodsmoke", [str(SMOKE), "run"], config, root / "out" / "prodsmoke", env),
        Contender(
            "playwright-test",
            [
                str(BENCH / "node_modules" / ".bin" / "playwright"),
                "test",
                "-c",
                str(where.playwright_config),
            ],
            where.playwright_config.parent,
            {**env, "BENCH_PW_WORKERS": str(CORES)},
            _playwright_passed,
        ),
        Contender(
            "pytest-playwright",
            [pytest, "-q", "-p", "no:xdist"],
            where.pytest_dir,
            env,
            _pytest_passed,
        ),
        Contender(
            f"pytest-playwright -n {CORES}",
            [pytest, "-q", "-n", str(CORES)],
            where.pytest_dir,
            env,
            _pytest_passed,
        ),
    ]
    for variant in variants:
        out = root / "out" / variant.replace("=", "")
        if variant == "trace-off":
            c = _prodsmoke(
                "prodsmoke --trace off", [str(SMOKE), "run"], config, out, env, "--trace", "off"
            )
        elif variant == "peer-floor":
            c = Contender(
                FLOOR,
                [pytest, "-q", "-p", "no:xdist"],
                where.pytest_dir,
                {**env, "BENCH_PEER_FLOOR": "1"},
                _pytest_passed,
            )
        elif variant == "async":
            async_config = environment(
                root / "async",
                where,
                budget=budget,
                declare=False,
                python_dir=where.python_async_dir,
            )
            c = _prodsmoke("prodsmoke all-async", [str(SMOKE), "run"], async_config, out, env)
        else:
            slots = int(variant.removeprefix("slots="))
            slotted = environment(
                root / f"slots{slots}",
                where,
                budget=budget,
                declare=False,
                extra={"journeys_at_once": slots},
            )
            c = _prodsmoke(f"prodsmoke slots={slots}", [str(SMOKE), "run"], slotted, out, env)
        table.append(c)
    return table


def _prodsmoke(
    name: str, command: list[str], config: Path, out: Path, env: dict[str, str], *extra: str
) -> Contender:
    argv = [*command, "--config", str(config), "--env", "scale", "--output", str(out), *extra]
    return Contender(name, argv, ROOT, env, _smoke_passed(out / "results.json"))


def _variant(text: str) -> str:
    """`--variant`'s type: trace-off, async, peer-floor or slots=K."""
    if text in ("trace-off", "async", "peer-floor") or re.fullmatch(r"slots=[1-9]\d*", text):
        return text
    raise argparse.ArgumentTypeError(
        f"got {text!r}, expected trace-off, async, peer-floor or slots=K"
    )


def run_once(c: Contender, expected: int, target: DemoTarget) -> Run:
    """Reset the target, run the contender, count its passes and its whole tree's CPU time."""
    target.reset()
    load = load1()
    keep = children()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = timed(c.argv, env=c.env, cwd=c.cwd, timeout=TIMEOUT_S)
    if left := reap_orphans(keep):
        print(f"  ({left} process(es) of {c.name} still running 5 s after it exited)")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Run(t.seconds, t.returncode, c.passed(t), expected, load, cpu, t.output)


# -- the three parts ----------------------------------------------------------------------------


def speed(
    sizes: list[int], rounds: int, work: Path, target: DemoTarget, variants: list[str]
) -> tuple[dict[int, list[Contender]], dict[int, dict[str, list[Run]]]]:
    """Alternating rounds over every N and contender; returns the contenders and their runs."""
    env = target.env()
    table: dict[int, list[Contender]] = {}
    for n in sizes:
        where = layout(work / f"n{n}" / "journeys", n)
        table[n] = contenders(where, work / f"n{n}", env, variants)
    # Warm-up (not counted): file caches, compiled specs, and which Chromium prodsmoke picks.
    first = table[sizes[0]][0]
    warm = run_once(first, DEMO_CHECKS + sizes[0], target)
    results = Path(first.argv[first.argv.index("--output") + 1]) / "results.json"
    chromium = (
        chromium_from(results) if warm.returncode == 0 else "/usr/bin/chromium-headless-shell"
    )
    print(f"chromium: {chromium}", flush=True)
    for n in sizes:
        for c in table[n]:
            c.env["BENCH_CHROMIUM"] = chromium
            w = run_once(c, DEMO_CHECKS + n, target)
            print(
                f"  warm-up N={n} {c.name}: {w.seconds:.2f}s {w.passed}/{w.expected} passed",
                flush=True,
            )
    runs: dict[int, dict[str, list[Run]]] = {n: {c.name: [] for c in table[n]} for n in sizes}
    for r in range(rounds):
        for n in sizes:
            order = table[n][r % len(table[n]) :] + table[n][: r % len(table[n])]
            for c in order:
                run = run_once(c, DEMO_CHECKS + n, target)
                runs[n][c.name].append(run)
                if not run.counts:
                    print(
                        f"  round {r + 1} N={n}: {c.name} exited {run.returncode}, "
                        f"{run.passed}/{run.expected} passed (not counted)"
                    )
                    print("    " + run.output.strip().replace("\n", "\n    ")[-1500:])
            line = "  ".join(
                f"{c.name} {runs[n][c.name][-1].seconds:.2f}s (load {runs[n][c.name][-1].load:.1f})"
                for c in table[n]
            )
            print(f"round {r + 1} N={n}: {line}", flush=True)
    return table, runs


def speed_report(runs: dict[int, dict[str, list[Run]]], *, remote: bool) -> dict[str, Any]:
    """Medians per N and contender, prodsmoke / fastest peer, the verdict."""
    figures: dict[str, Any] = {}
    target = TARGET_RATIO_REMOTE if remote else TARGET_RATIO
    print(
        f"\n{'N':>3} {'contender':26} {'median':>8} {'min':>7} {'max':>7}  counted {'cpu':>7}  load"
    )
    for n, by_name in runs.items():
        stats = {}
        for name, rs in by_name.items():
            good = [r for r in rs if r.counts]
            s = summary([r.seconds for r in good])
            s["cpu_median"] = statistics.median(r.cpu for r in good) if good else float("nan")
            s["load_median"] = statistics.median(r.load for r in rs) if rs else float("nan")
            stats[name] = s
            print(
                f"{n:>3} {name:26} {s['median']:7.2f}s {s['min']:6.2f}s {s['max']:6.2f}s  "
                f"{s['n']}/{len(rs)}    {s['cpu_median']:6.2f}s  {s['load_median']:.1f}"
            )
        peers = {p: stats[p]["median"] for p in PEERS if p in stats and stats[p]["n"]}
        ours = stats["prodsmoke"]["median"] if stats["prodsmoke"]["n"] else None
        entry: dict[str, Any] = {"stats_s": stats, "checks": DEMO_CHECKS + n}
        if peers and ours:
            fastest = min(peers, key=lambda p: peers[p])
            ratio = ours / peers[fastest]
            entry.update(fastest_peer=fastest, ratio_vs_fastest_peer=ratio, met=ratio <= target)
            print(
                f"    N={n}: prodsmoke / fastest peer ({fastest}) = {ratio:.2f}  "
                f"(target <= {target}: {verdict(ratio <= target)})"
            )
            variants = {
                name: stats[name]["median"] / peers[fastest]
                for name in stats
                if name.startswith("prodsmoke ") and stats[name]["n"]
            }
            for name, value in variants.items():
                print(f"    N={n}: {name} / {fastest} = {value:.2f}  (a variant, for tuning)")
            entry["variant_ratios"] = variants
        plain = stats.get("pytest-playwright", {})
        if plain.get("n"):
            cpu = {
                name: stats[name]["cpu_median"] / plain["cpu_median"]
                for name in stats
                if (name == "prodsmoke" or name.startswith("prodsmoke ") or name == FLOOR)
                and stats[name]["n"]
            }
            for name, value in cpu.items():
                print(f"    N={n}: CPU {name} / pytest-playwright = {value:.2f}")
            entry["cpu_ratios"] = cpu
        figures[str(n)] = entry
    return figures


def memory(
    n: int, table: list[Contender], runs: int, target: DemoTarget, work: Path
) -> dict[str, Any]:
    """Peak PSS of each contender's whole process tree at one N, runs alternating."""
    peaks: dict[str, list[float]] = {c.name: [] for c in table}
    loads: dict[str, list[float]] = {c.name: [] for c in table}
    log = work / "memory-output.txt"
    for r in range(runs):
        for c in table[r % len(table) :] + table[: r % len(table)]:
            target.reset()
            load = load1()
            with log.open("w+") as out:
                peak = measure(
                    c.argv, env=c.env, cwd=c.cwd, timeout_s=TIMEOUT_S, stdout=out.fileno()
                )
                out.seek(0)
                text = out.read()
            passed = c.passed(Timed(peak.wall_s, peak.exit_code, text[-8000:]))
            ok = peak.exit_code == 0 and passed == DEMO_CHECKS + n
            print(
                f"  memory N={n} {c.name}: {peak.pss_mib:.0f} MiB PSS (RSS sum "
                f"{peak.rss_mib:.0f}), {peak.processes} processes, {passed} passed, "
                f"load {load:.1f}{'' if ok else ' (not counted)'}",
                flush=True,
            )
            if ok:
                peaks[c.name].append(peak.pss_bytes / 1e6)
                loads[c.name].append(load)
    figures: dict[str, Any] = {}
    print(f"\nN={n} peak memory, whole process tree (PSS, MB = 10^6 bytes):")
    for name, values in peaks.items():
        if not values:
            print(f"  {name:26} no counted run")
            continue
        figures[name] = {"median_mb": statistics.median(values), "max_mb": max(values)}
        figures[name]["runs"] = len(values)
        print(
            f"  {name:26} median {statistics.median(values):5.0f} MB  max {max(values):5.0f} MB"
            f"  (load {statistics.median(loads[name]):.1f})"
        )
    ours = peaks.get("prodsmoke") or []
    if ours:
        met = figures["met"] = max(ours) <= TARGET_MB
        print(f"  prodsmoke max {max(ours):.0f} MB (target <= {TARGET_MB} MB: {verdict(met)})")
    return figures


def budget(n: int, work: Path, *, declare: bool) -> dict[str, Any]:
    """prodsmoke at N with demo.yaml's own rate budget, against a target at its default limit."""
    where = layout(work / "budget" / "journeys", n)
    name = "declared" if declare else "default"
    config = environment(work / "budget" / name, where, budget=None, declare=declare)
    out = work / "budget" / name / "out"
    with DemoTarget() as target:
        env = target.env()
        load = load1()
        t = timed(
            [str(SMOKE), "run", "--config", str(config), "--env", "scale", "--output", str(out)],
            env=env,
            timeout=TIMEOUT_S,
        )
        audit = target.audit()
    doc = json.loads((out / "results.json").read_text())
    statuses: dict[str, int] = {}
    for c in doc["checks"]:
        statuses[c["status"]] = statuses.get(c["status"], 0) + 1
    skipped = [c for c in doc["checks"] if c["status"] == "skip"]
    reasons = sorted({re.sub(r"\d+", "N", c.get("error") or "") for c in skipped})
    allowed = doc["safety"]["budget"]["budget_per_minute"]
    traffic = audit["traffic"]
    holds = (
        t.returncode == 0
        and statuses.get("fail", 0) == 0
        and all("rate budget" in (c.get("error") or "") for c in skipped)
        and traffic["status_429"] == 0
        and traffic["max_in_any_60s"] <= allowed
        and doc["safety"]["budget"]["used"] <= allowed
    )
    costs = "their real costs declared" if declare else "default expected_requests (15)"
    print(
        f"\nbudget N={n}, generated journeys with {costs} (load {load:.1f}): exit "
        f"{t.returncode}; checks {statuses}; budget {allowed}/min, prodsmoke sent "
        f"{doc['safety']['budget']['used']}; target saw {traffic['total']} requests (at most "
        f"{traffic['max_in_any_60s']} in any 60 s), {traffic['status_429']} answered 429"
    )
    for reason in reasons:
        print(f"  skip reason: {reason}")
    print(f"  rate budget holds: {verdict(holds)}")
    return {
        "exit_code": t.returncode,
        "statuses": statuses,
        "skipped": [c["id"] for c in skipped],
        "skip_reasons": reasons,
        "budget_per_minute": allowed,
        "sent": doc["safety"]["budget"]["used"],
        "target_traffic": {k: traffic[k] for k in ("total", "max_in_any_60s", "status_429")},
        "load": load,
        "holds": holds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="speed rounds (default 5)")
    parser.add_argument("--n", type=int, action="append", help="journeys added (default 0 10 30)")
    parser.add_argument("--memory-runs", type=int, default=3, help="memory runs per contender")
    parser.add_argument(
        "--skip", action="append", default=[], choices=("speed", "memory", "budget")
    )
    parser.add_argument(
        "--variant",
        type=_variant,
        action="append",
        default=[],
        help="a variant to time too: trace-off, async, peer-floor, slots=K",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    parser.add_argument(
        "--remote",
        action="store_true",
        help=f"the target answers like a remote site ({REMOTE}); figures as scale_remote.json",
    )
    args = parser.parse_args()
    byte_compiled()
    sizes = args.n or [0, 10, 30]
    missing = [
        p for p in (BENCH / "node_modules", WORK / "venv" / "bin" / "pytest") if not p.exists()
    ]
    if missing:
        sys.exit(
            f"bench/scale: peers not installed ({', '.join(map(str, missing))}); run bench/setup"
        )
    info = machine()
    adopt_orphans()  # Chromium's orphaned helpers are reaped here: their CPU time is counted
    figures: dict[str, Any] = {
        "machine": info,
        "rounds": args.rounds,
        "sizes": sizes,
        "variants": args.variant,
    }
    work = Path(tempfile.mkdtemp(prefix="prodsmoke-scale-"))
    print(f"bench/scale · {info['cores']} cores · load {load1()} · generated under {work}")
    try:
        if "speed" not in args.skip or "memory" not in args.skip:
            faults = REMOTE if args.remote else ""
            with DemoTarget(rate_limit=SPEED_LIMIT, faults=faults) as target:
                where = f", faults {faults}" if faults else ""
                print(f"speed target {target.url} (--rate-limit {SPEED_LIMIT}{where})", flush=True)
                rounds = 0 if "speed" in args.skip else args.rounds
                table, runs = speed(sizes, rounds, work, target, args.variant)
                if "speed" not in args.skip:
                    figures["speed"] = speed_report(runs, remote=args.remote)
                if "memory" not in args.skip:
                    figures["memory"] = memory(
                        max(sizes), table[max(sizes)], args.memory_runs, target, work
                    )
        if "budget" not in args.skip:
            figures["budget"] = {
                "default_costs": budget(max(sizes), work, declare=False),
                "declared_costs": budget(max(sizes), work, declare=True),
            }
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    figures["remote"] = REMOTE if args.remote else None
    print(f"figures: {save('scale_remote' if args.remote else 'scale', figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
