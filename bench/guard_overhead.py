"""Guard overhead: the 100-asset demo homepage through prodsmoke's guarded context vs a bare one.

    .venv/bin/python bench/guard_overhead.py [--iterations N] [--assets 100] [--fault F]

One browser (launched as prodsmoke launches it). Each iteration loads the homepage once in a
context from `prodsmoke.e2e.browser.new_context` with a fresh `Guard` built from the demo
settings (fresh, as each run has its own, so the rate budget never refuses an asset), and once in
a bare `browser.new_context()`, alternating which goes first. Measured: the Navigation Timing load
time (what homepage_load reports) and the wall time from creating the context to the load event.
An iteration counts only when both loads fetched every asset and the guard refused nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

from benchlib import DEMO_CONFIG, DemoTarget, machine, save, summary, verdict
from playwright.async_api import Browser, BrowserContext, Request, Route, async_playwright

from prodsmoke.config import load_settings
from prodsmoke.e2e.browser import launch, new_context
from prodsmoke.e2e.guard import Guard
from prodsmoke.e2e.timing import navigation_timing

_RESOURCES = "() => performance.getEntriesByType('resource').length"
DECOMPOSE = ("route:continue", "route:continue+headers", "events:request")


Mode = str  # "guarded", "bare", or one of DECOMPOSE


async def probe_context(browser: Browser, mode: Mode, guard: Guard) -> BrowserContext:
    """A context for `mode`: prodsmoke's guarded one, a bare one, or one piece of the guard."""
    if mode == "guarded":
        return await new_context(browser, guard, "homepage_load")
    context = await browser.new_context()
    if mode == "route:continue":
        await context.route("**/*", lambda route: route.continue_())
    elif mode == "route:continue+headers":

        async def marked(route: Route, request: Request) -> None:
            await route.continue_(headers=guard.outgoing_headers(request.url, request.headers))

        await context.route("**/*", marked)
    elif mode == "events:request":
        context.on("request", lambda request: None)
    return context


async def load_once(
    browser: Browser, url: str, mode: Mode, guard: Guard
) -> tuple[float, float, int]:
    """(load_ms, wall_ms, resources) of one homepage load in a new context."""
    started = time.perf_counter()
    context = await probe_context(browser, mode, guard)
    try:
        page = await context.new_page()
        await page.goto(url + "/", wait_until="load")
        timing = await navigation_timing(page, timeout_ms=15_000)
        wall_ms = (time.perf_counter() - started) * 1000
        resources = int(await page.evaluate(_RESOURCES))
    finally:
        await context.close()
    return timing.load_ms, wall_ms, resources


async def measure(
    iterations: int, assets: int, decompose: bool, fault: str = ""
) -> dict[str, object]:
    """Alternate the modes' loads (rotating who goes first); return the figures."""
    info = machine()
    modes = ["guarded", "bare", *(DECOMPOSE if decompose else ())]
    samples: dict[Mode, list[tuple[float, float, int]]] = {m: [] for m in modes}
    skipped = 0
    with DemoTarget(assets=assets, faults=fault) as target:
        environ = target.env()
        settings = load_settings(DEMO_CONFIG, "demo", environ=environ)
        async with async_playwright() as pw:
            browser, label = await launch(
                pw, settings.browser.executable_path, extra_args=settings.browser.args
            )
            print(f"demo target {target.url} (--assets {assets}) · {label}", flush=True)
            for _ in range(2):  # warm-up: caches, JIT, the target's first responses
                for mode in modes:
                    await load_once(browser, target.url, mode, Guard(settings))
            for i in range(iterations):
                target.reset()
                order = modes[i % len(modes) :] + modes[: i % len(modes)]
                row: dict[Mode, tuple[float, float, int]] = {}
                ok = True
                for mode in order:
                    guard = Guard(settings)  # fresh per load, as each run has its own
                    row[mode] = await load_once(browser, target.url, mode, guard)
                    ok = ok and not guard.blocked() and row[mode][2] >= assets
                if not ok:
                    skipped += 1
                    continue
                for mode in modes:
                    samples[mode].append(row[mode])
            await browser.close()
    bare = samples["bare"]
    figures: dict[str, object] = {
        "machine": info,
        "assets": assets,
        "fault": fault,
        "iterations": iterations,
        "counted": len(bare),
        "skipped": skipped,
        "resources_per_load": bare[0][2] if bare else None,
        "modes": {},
    }
    for mode in modes:
        rows = samples[mode]
        figures["modes"][mode] = {  # type: ignore[index]
            "load_ms": summary([r[0] for r in rows]),
            "wall_ms": summary([r[1] for r in rows]),
            "median_load_ratio": _median_ratio(rows, bare, 0),
            "median_wall_ratio": _median_ratio(rows, bare, 1),
        }
    return figures


def _median_ratio(
    rows: list[tuple[float, float, int]], bare: list[tuple[float, float, int]], i: int
) -> float | None:
    ratios = [r[i] / b[i] for r, b in zip(rows, bare, strict=True)]
    return statistics.median(ratios) if ratios else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--assets", type=int, default=100)
    parser.add_argument(
        "--decompose",
        action="store_true",
        help="also time the guard's pieces alone (routing, header marking, request events)",
    )
    parser.add_argument(
        "--fault",
        default="",
        help="demo faults, e.g. slow-assets:20 to give each asset a CDN-like 20 ms",
    )
    args = parser.parse_args()
    figures = asyncio.run(measure(args.iterations, args.assets, args.decompose, args.fault))
    print(
        f"iterations counted {figures['counted']}/{args.iterations} "
        f"({figures['resources_per_load']} resources per load)"
    )
    print(f"{'mode':26} {'load ms':>8} {'wall ms':>8}  load/bare  wall/bare")
    for mode, m in figures["modes"].items():  # type: ignore[attr-defined]
        print(
            f"{mode:26} {m['load_ms']['median']:8.0f} {m['wall_ms']['median']:8.0f}  "
            f"{m['median_load_ratio']:9.2f}  {m['median_wall_ratio']:9.2f}"
        )
    guarded = figures["modes"]["guarded"]  # type: ignore[index]
    if guarded["median_load_ratio"] is not None:
        ratio = guarded["median_load_ratio"]
        print(
            f"guard overhead (median load ratio - 1): {ratio - 1:+.0%}  "
            f"(target <= 10%: {verdict(ratio <= 1.10)})"
        )
    name = "guard_overhead" + (f"-{args.fault.replace(':', '-')}" if args.fault else "")
    print(f"figures: {save(name, figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
