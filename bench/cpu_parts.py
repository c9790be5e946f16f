"""What each piece of a journey's browser context costs in CPU, process by process.

    .venv/bin/python bench/cpu_parts.py [--loads 20] [--rounds 5] [--remote]

One browser (launched as prodsmoke launches it), one Python process. A block is `--loads`
journeys, each in a new context: open a page, load /pricing, then /examples (as the generated
scale journeys do), close. The modes add one piece at a time, from a bare context (what a plain
pytest-playwright test gets) to everything prodsmoke puts on a first attempt:

    bare         browser.new_context()
    route        + route("**/*") -> continue_()      (Chromium's and the driver's interception)
    guard        prodsmoke's new_context: the guard's route handler, its events, its init script
    observer     + the page observer (console, errors, request/response events)
    vitals       + the Web Vitals collector (init script, console reports)
    trace        + the light trace of a first attempt (actions, console; started, stopped)
    har          + its HAR (prodsmoke's `ArtifactPolicy.start`/`finish`, as a passing attempt)
    har-minimal  the trace with a HAR in Playwright's "minimal" mode instead (no timings, sizes)

Blocks alternate over `--rounds` rounds (rotating who goes first); the CPU seconds of every
process of the tree (from /proc, by role) are read around each block. Printed: per-load CPU
medians by role, and each mode's cost over the one before it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchlib import DEMO_CONFIG, REMOTE, DemoTarget, load1, machine, save
from cpu_profile import Sampler
from playwright.async_api import Browser, BrowserContext, async_playwright

from prodsmoke.config import load_settings
from prodsmoke.e2e.artifacts import ArtifactPolicy
from prodsmoke.e2e.browser import launch, new_context
from prodsmoke.e2e.guard import Guard
from prodsmoke.e2e.observe import PageObserver
from prodsmoke.e2e.vitals import VitalsCollector

MODES = ("bare", "route", "guard", "observer", "vitals", "trace", "har", "har-minimal")


async def one_load(browser: Browser, mode: str, guard: Guard, url: str, out: Path) -> None:
    level = MODES.index(mode)
    context: BrowserContext
    if level >= MODES.index("guard"):
        context = await new_context(browser, guard, "cpu_parts")
    else:
        context = await browser.new_context()
        if mode == "route":
            await context.route("**/*", lambda route: route.continue_())
    observer = PageObserver()
    if level >= MODES.index("observer"):
        observer.attach(context)
    if level >= MODES.index("vitals"):
        await VitalsCollector(url).install(context)
    policy = ArtifactPolicy(out, "cpu-parts")
    if mode == "trace":
        await context.tracing.start(screenshots=False, snapshots=False)
    elif mode == "har":
        await policy.start(context, "cpu_parts", 1)
    elif mode == "har-minimal":
        await context.tracing.start(screenshots=False, snapshots=False)
        await context.tracing.start_har(out / "minimal.har", content="omit", mode="minimal")
    try:
        page = await context.new_page()
        await page.goto(url + "/pricing", wait_until="load")
        await page.goto(url + "/examples", wait_until="load")
        if mode == "trace":
            await context.tracing.stop()
        elif mode == "har-minimal":
            await context.tracing.stop()
            await context.tracing.stop_har()
        elif mode == "har":  # closes the context
            await policy.finish(context, page, observer, check="cpu_parts", attempt=1, failed=False)
    finally:
        await context.close()


async def measure(
    loads: int, rounds: int, remote: bool, modes: tuple[str, ...], chromium_args: list[str]
) -> dict[str, object]:
    info = machine()
    per_load: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
    with (
        DemoTarget(faults=REMOTE if remote else "", rate_limit=100_000) as target,
        tempfile.TemporaryDirectory() as tmp,
    ):
        settings = load_settings(DEMO_CONFIG, "demo", environ=target.env())
        async with async_playwright() as pw:
            browser, label = await launch(
                pw,
                settings.browser.executable_path,
                extra_args=[*settings.browser.args, *chromium_args],
            )
            print(f"demo target {target.url}{' (remote-like)' if remote else ''} · {label}")
            for mode in modes:  # warm-up
                await one_load(browser, mode, Guard(settings), target.url, Path(tmp))
            for r in range(rounds):
                order = modes[r % len(modes) :] + modes[: r % len(modes)]
                for mode in order:
                    sampler = Sampler(os.getpid())
                    sampler.poll()
                    before = sampler.by_role()
                    began = time.monotonic()
                    for _ in range(loads):
                        await one_load(browser, mode, Guard(settings), target.url, Path(tmp))
                        sampler.poll()  # catch renderers before they exit
                    sampler.poll()
                    after = sampler.by_role()
                    row = {k: (after.get(k, 0) - before.get(k, 0)) / loads for k in after}
                    row["wall"] = (time.monotonic() - began) / loads
                    per_load[mode].append(row)
                print(f"  round {r + 1}/{rounds} done · load {load1():.1f}", flush=True)
            await browser.close()
    roles = sorted({k for rows in per_load.values() for row in rows for k in row} - {"wall"})
    table = {
        mode: {k: statistics.median(row.get(k, 0.0) for row in rows) for k in [*roles, "wall"]}
        for mode, rows in per_load.items()
    }
    for mode in modes:
        table[mode]["total"] = statistics.median(
            sum(v for k, v in row.items() if k != "wall") for row in per_load[mode]
        )
    return {
        "machine": info,
        "loads": loads,
        "rounds": rounds,
        "remote": remote,
        "chromium_args": chromium_args,
        "table": table,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--remote", action="store_true", help="a remote-like target")
    parser.add_argument("--modes", nargs="+", choices=MODES, help="only these modes")
    parser.add_argument(
        "--chromium-arg", action="append", default=[], help="one more Chromium switch (repeat)"
    )
    args = parser.parse_args()
    modes = tuple(args.modes or MODES)
    figures = asyncio.run(measure(args.loads, args.rounds, args.remote, modes, args.chromium_arg))
    table = figures["table"]
    assert isinstance(table, dict)
    roles = [k for k in table[modes[0]] if k not in ("wall", "total")]
    print(f"\nCPU ms per journey (median of {args.rounds} blocks of {args.loads}):")
    print(f"{'mode':10} " + " ".join(f"{r[:18]:>18}" for r in roles) + "     total  +prev   wall")
    previous = None
    for mode in modes:
        row = table[mode]
        step = "" if previous is None else f"{(row['total'] - previous) * 1000:+6.0f}"
        print(
            f"{mode:10} "
            + " ".join(f"{row[r] * 1000:18.1f}" for r in roles)
            + f"  {row['total'] * 1000:8.1f} {step:>6} {row['wall'] * 1000:6.0f}"
        )
        previous = row["total"]
    print(f"figures: {save('cpu_parts' + ('-remote' if args.remote else ''), figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
