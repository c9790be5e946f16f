"""The run history's speed: a write on loopback PostgreSQL, `smoke report` and `smoke gate` over
30 days x 4 regions x 48 runs a day (5760 seeded runs), on PostgreSQL and SQLite.

    .venv/bin/python bench/history_speed.py [--writes 200] [--rounds 5]

A write is what the `history` reporter does after a run, on a connection the run already opened
(its background thread connects and checks the schema while the checks run): the run's row, its
checks, and the retention prune, in one transaction. Report and gate are whole `smoke` processes
(start-up included), run from an empty folder with only the database URL.
Targets: write p95 <= 50 ms, report <= 3 s, gate <= 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from benchlib import ROOT, SMOKE, machine, save, summary, timed, verdict

sys.path[:0] = [str(ROOT)]

from prodsmoke.history import History  # noqa: E402
from prodsmoke.results import CheckKind, Status  # noqa: E402
from tests.history.history_seed import NOW, result, run  # noqa: E402
from tests.pg_server import postgres_server  # noqa: E402

CHECKS = (
    ("health", CheckKind.HEALTH, "response_time_ms", 30),
    ("api_v1_health", CheckKind.HEALTH, "response_time_ms", 30),
    ("api_v1_status", CheckKind.HEALTH, "response_time_ms", 30),
    ("api_health", CheckKind.API, "response_time_ms", 140),
    ("homepage_load", CheckKind.JOURNEY, "page_load_ms", 650),
    ("anonymous_enhancement", CheckKind.JOURNEY, "enhancement_ms", 900),
    ("login_flow", CheckKind.JOURNEY, "login_ms", 420),
)
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "gha")


def seeded(days: int = 30, per_day: int = 48) -> list:
    """30 days of runs every 30 minutes from four regions, a few failures."""
    runs = []
    for step in range(days * per_day):
        at = NOW - timedelta(minutes=30 * step)
        for i, region in enumerate(REGIONS):
            bad = (step * 7 + i) % 97 == 0
            checks = tuple(
                result(c, Status.FAIL if bad and c == "login_flow" else Status.PASS, base,
                       kind=kind, key=key)
                for c, kind, key, base in CHECKS
            )  # fmt: skip
            runs.append(run(at + timedelta(seconds=11 * i), checks, region=region,
                            run_id=f"{at:%Y%m%dT%H%M}-{region}"))  # fmt: skip
    return runs


def write_latency(url: str, count: int) -> list[float]:
    history = History(url)
    history.migrate()  # what the run's background thread has done before the run ends
    samples = []
    for i in range(count):
        checks = tuple(result(c, Status.PASS, b, kind=k, key=key) for c, k, key, b in CHECKS)
        one = run(NOW - timedelta(seconds=i), checks, region="bench", run_id=f"w-{time.time_ns()}")
        started = time.perf_counter()
        history.append(one, "/results")
        samples.append((time.perf_counter() - started) * 1000)
    history.close()
    return samples


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    figures: dict = {"machine": machine()}
    runs = seeded()
    with postgres_server() as pg, tempfile.TemporaryDirectory() as tmp:
        if pg is None:
            print("no PostgreSQL server binaries (apt-get install postgresql)")
            return 2
        urls = {"postgresql": pg.create_database(), "sqlite": f"sqlite:///{tmp}/bench.sqlite"}
        rounds = [write_latency(pg.create_database(), args.writes) for _ in range(args.rounds)]
        p95s = [p95(r) for r in rounds]
        figures["write_ms"] = {
            "p50_per_round": [round(statistics.median(r), 2) for r in rounds],
            "p95_per_round": [round(x, 2) for x in p95s],
            "p95_median": round(statistics.median(p95s), 2),
        }
        p50 = statistics.median([statistics.median(r) for r in rounds])
        worst = statistics.median(p95s)
        print(f"history write on loopback PostgreSQL: p50 {p50:.1f} ms, p95 {worst:.1f} ms "
              f"(median of {args.rounds} rounds of {args.writes}); target <= 50 ms: "
              f"{verdict(worst <= 50)}")  # fmt: skip
        empty = Path(tmp) / "elsewhere"
        empty.mkdir()
        for engine, url in urls.items():
            seed = History(url)
            started = time.perf_counter()
            seed.extend(runs, "/results")
            seed.close()
            seeded_s = time.perf_counter() - started
            env = {"PATH": "/usr/bin:/bin", "PRODSMOKE_HISTORY_URL": url, "TMPDIR": tmp}
            commands = {
                "report": [str(SMOKE), "report"],
                "gate": [str(SMOKE), "gate", "--env", "production"],
            }
            for name, argv in commands.items():
                times = []
                for _ in range(args.rounds):
                    one = timed(argv, env=env, cwd=empty)
                    if one.returncode not in (0, 1):
                        print(one.output)
                        return 1
                    times.append(one.seconds)
                stats = summary(times)
                figures[f"{name}_{engine}_s"] = stats | {"runs": len(runs)}
                target = 3.0 if name == "report" else 1.0
                print(f"smoke {name} over {len(runs)} runs ({engine}, seeded in {seeded_s:.1f} s): "
                      f"median {stats['median']:.2f} s (min {stats['min']:.2f}, max "
                      f"{stats['max']:.2f}); target <= {target:g} s: "
                      f"{verdict(stats['median'] <= target)}")  # fmt: skip
    print(f"figures: {save('history_speed', figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
