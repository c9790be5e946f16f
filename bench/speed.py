"""Speed: `smoke run --env demo` against the peers and the floor, whole processes, alternating.

    bench/run [--rounds N] [--baseline DIR]

One demo target serves every contender. Each round runs every contender once, in an order that
rotates from round to round (so no contender always goes first or after the same neighbour); the
target's audit and rate limiter are reset before each process. A run that does not exit 0 does
not count. The floor is a minimal process per journey (bench/floor.py); the slowest journey's
median is the floor.

`--baseline DIR` (a checkout of an earlier commit, e.g. `git worktree add /tmp/before <commit>`,
with its own `.venv`): that commit's `smoke run --env demo` and its own peer suites join the same
rounds as `before:prodsmoke`, `before:playwright-test` and `before:pytest-playwright`, so a
before/after comparison shares the machine's moment. Its peers run with this bench's installs
(`DIR/bench/node_modules` is linked to this one's when missing).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from benchlib import (
    BENCH,
    PYTHON,
    ROOT,
    RUN_DEMO,
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

JOURNEYS = ("homepage_load", "anonymous_enhancement", "login_flow")
PEERS = ("playwright-test", "pytest-playwright")


def contenders(
    out: Path, *, variants: bool, baseline: Path | None = None
) -> dict[str, tuple[list[str], Path]]:
    """Name -> (argv, cwd) of every process timed."""
    smoke = [*RUN_DEMO, "--output", str(out / "smoke")]
    table: dict[str, tuple[list[str], Path]] = {
        "prodsmoke": (smoke, ROOT),
        "playwright-test": (
            [
                str(BENCH / "node_modules" / ".bin" / "playwright"),
                "test",
                "-c",
                str(BENCH / "peers" / "playwright-test" / "playwright.config.mjs"),
            ],
            BENCH,
        ),
        "pytest-playwright": (
            # pytest-xdist is installed for bench/scale; this suite runs without it, as before.
            [str(WORK / "venv" / "bin" / "pytest"), "-q", "-p", "no:xdist"],
            BENCH / "peers" / "pytest-playwright",
        ),
    }
    if baseline is not None:
        table.update(baseline_contenders(baseline, out))
    if variants:
        # Evidence for tuning, not a contender: the same run without trace recording.
        table["prodsmoke --trace off"] = ([*smoke, "--trace", "off"], ROOT)
    for journey in JOURNEYS:
        table[f"floor:{journey}"] = ([str(PYTHON), str(BENCH / "floor.py"), journey], ROOT)
    return table


def baseline_contenders(root: Path, out: Path) -> dict[str, tuple[list[str], Path]]:
    """An earlier checkout's prodsmoke and peer suites, as `before:` contenders."""
    smoke = root / ".venv" / "bin" / "smoke"
    if not smoke.exists():
        sys.exit(f"bench/run: --baseline {root} has no .venv (run `make .venv/.installed` there)")
    modules = root / "bench" / "node_modules"
    if not modules.exists():
        modules.symlink_to(BENCH / "node_modules")
    return {
        "before:prodsmoke": (
            [str(smoke), "run", "--env", "demo", "--output", str(out / "before-smoke")],
            root,
        ),
        "before:playwright-test": (
            [
                str(BENCH / "node_modules" / ".bin" / "playwright"),
                "test",
                "-c",
                str(root / "bench" / "peers" / "playwright-test" / "playwright.config.mjs"),
            ],
            root / "bench",
        ),
        "before:pytest-playwright": (
            [str(WORK / "venv" / "bin" / "pytest"), "-q", "-p", "no:xdist"],
            root / "bench" / "peers" / "pytest-playwright",
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--only", action="append", default=[], help="time only these contenders")
    parser.add_argument(
        "--variants", action="store_true", help="also time prodsmoke variants (--trace off)"
    )
    parser.add_argument(
        "--baseline", type=Path, metavar="DIR", help="an earlier checkout to time alongside"
    )
    args = parser.parse_args()
    byte_compiled()
    missing = [p for p in (BENCH / "node_modules", WORK / "venv") if not p.exists()]
    if missing:
        sys.exit(
            f"bench/run: peers not installed ({', '.join(map(str, missing))}); run bench/setup"
        )

    out = WORK / "out"
    table = contenders(out, variants=args.variants, baseline=args.baseline)
    if args.only:
        table = {k: v for k, v in table.items() if k in args.only}
    info = machine()
    with DemoTarget() as target:
        print(
            f"demo target {target.url} · {args.rounds} rounds · {info['cores']} cores", flush=True
        )
        env = target.env()
        # Warm-up (not counted): file caches, and which Chromium prodsmoke picks.
        target.reset()
        warm = timed(table["prodsmoke"][0], env=env) if "prodsmoke" in table else None
        if warm is not None and warm.passed:
            env["BENCH_CHROMIUM"] = chromium_from(out / "smoke" / "results.json")
        print(f"chromium: {env.get('BENCH_CHROMIUM', 'default')}", flush=True)
        for name, (argv, cwd) in table.items():
            if name != "prodsmoke":
                target.reset()
                timed(argv, env=env, cwd=cwd)
        runs: dict[str, list[Timed]] = {name: [] for name in table}
        loads: dict[str, list[float]] = {name: [] for name in table}
        names = list(table)
        for r in range(args.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                argv, cwd = table[name]
                target.reset()
                loads[name].append(load1())
                result = timed(argv, env=env, cwd=cwd)
                runs[name].append(result)
                if not result.passed:
                    print(f"  round {r + 1}: {name} exited {result.returncode} (not counted)")
                    print("    " + result.output.strip().replace("\n", "\n    ")[-1500:])
            line = "  ".join(f"{n} {runs[n][-1].seconds:.2f}" for n in names)
            print(f"round {r + 1} (load {loads[names[0]][-1]:.1f}): {line}", flush=True)

    figures = report(runs, loads, info, args.rounds)
    print(f"figures: {save('speed', figures)}")
    return 0


def report(
    runs: dict[str, list[Timed]],
    loads: dict[str, list[float]],
    info: dict[str, object],
    rounds: int,
) -> dict[str, object]:
    """Print medians, ratios and targets; return them as figures."""
    stats = {n: summary([t.seconds for t in ts if t.passed]) for n, ts in runs.items()}
    failed = {n: sum(not t.passed for t in ts) for n, ts in runs.items()}
    load = {n: statistics.median(ls) if ls else float("nan") for n, ls in loads.items()}
    print(f"\n{'contender':28} {'median':>8} {'min':>7} {'max':>7}  passed  load")
    for name, s in stats.items():
        print(
            f"{name:28} {s['median']:7.2f}s {s['min']:6.2f}s {s['max']:6.2f}s  "
            f"{s['n']}/{len(runs[name])}     {load[name]:.1f}"
        )
    figures: dict[str, object] = {
        "machine": info,
        "rounds": rounds,
        "stats_s": stats,
        "failed": failed,
        "load_median": load,
    }
    floors = {n: s["median"] for n, s in stats.items() if n.startswith("floor:") and s["n"]}
    peers = {n: stats[n]["median"] for n in PEERS if n in stats and stats[n]["n"]}
    ours = stats.get("prodsmoke", {}).get("median")
    if floors:
        slowest = max(floors, key=lambda n: floors[n])
        figures["floor"] = {"journey": slowest.removeprefix("floor:"), "median_s": floors[slowest]}
        print(
            f"\nfloor: Chromium launch + {slowest.removeprefix('floor:')} alone "
            f"(the slowest journey) {floors[slowest]:.2f} s"
        )
        if ours:
            ratio = ours / floors[slowest]
            figures["ratio_vs_floor"] = ratio
            print(f"prodsmoke / floor = {ratio:.2f}  (target <= 1.5: {verdict(ratio <= 1.5)})")
    if peers and ours:
        fastest = min(peers, key=lambda n: peers[n])
        ratio = ours / peers[fastest]
        below_all = all(ours < v for v in peers.values())
        figures.update(
            fastest_peer=fastest,
            ratio_vs_fastest_peer=ratio,
            ratios_vs_peers={n: ours / v for n, v in peers.items()},
            below_every_peer=below_all,
        )
        for name, value in peers.items():
            print(f"prodsmoke / {name} = {ours / value:.2f}")
        print(
            f"prodsmoke / fastest peer ({fastest}) = {ratio:.2f}  "
            f"(target <= 0.8: {verdict(ratio <= 0.8)}; below every peer: {verdict(below_all)})"
        )
    before = {
        n: stats[f"before:{n}"]["median"] for n in PEERS if stats.get(f"before:{n}", {}).get("n")
    }
    theirs = (
        stats.get("before:prodsmoke", {}).get("median") if "before:prodsmoke" in stats else None
    )
    if before and theirs:
        fastest = min(before, key=lambda n: before[n])
        ratio = theirs / before[fastest]
        figures["before"] = {
            "fastest_peer": fastest,
            "ratio_vs_fastest_peer": ratio,
            "ratios_vs_peers": {n: theirs / v for n, v in before.items()},
        }
        print(
            f"before:prodsmoke / its fastest peer (before:{fastest}) = {ratio:.2f}  "
            f"(target <= 0.8: {verdict(ratio <= 0.8)})"
        )
    return figures


if __name__ == "__main__":
    sys.exit(main())
