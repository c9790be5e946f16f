"""Journey overhead: what prodsmoke's per-journey machinery costs, one journey at a time.

    .venv/bin/python bench/journey_overhead.py [--iterations 30]

One browser (launched as prodsmoke launches it), one demo target. Each iteration runs the same
short journey (bench/scale's `plan` shape: pricing, a plan count, the Examples link, a count) once
per mode, in a rotating order, each in a new context that is closed at the end:

    bare                         browser.new_context(), as pytest-playwright's fixture makes it
    guard                        prodsmoke.e2e.browser.new_context with a fresh Guard
    guard+observer               ... plus the engine's PageObserver
    guard+observer+light-trace   ... plus a first attempt's light trace and HAR (ArtifactPolicy)
    guard+observer+full-trace    ... plus a retry's full trace instead

Printed per mode (medians, ms): the whole lifecycle, its parts (context and page set-up, the
journey, closing and saving) and this process's CPU time. One at a time, so the machine's other
load shifts every mode alike; the differences are the machinery's cost per journey.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from benchlib import DEMO_CONFIG, DemoTarget, load1, machine, save
from playwright.async_api import Browser, Page, async_playwright, expect

from prodsmoke.config import load_settings
from prodsmoke.e2e.artifacts import ArtifactPolicy
from prodsmoke.e2e.browser import launch, new_context
from prodsmoke.e2e.guard import Guard
from prodsmoke.e2e.observe import PageObserver

if TYPE_CHECKING:
    from prodsmoke.config.models import Settings

MODES = (
    "bare",
    "guard",
    "guard+observer",
    "guard+observer+light-trace",
    "guard+observer+full-trace",
)
PARTS = ("total", "setup", "journey", "close", "python_cpu")


async def journey(page: Page, url: str) -> None:
    """bench/scale's `plan` shape, with the demo catalogue's counts."""
    await page.goto(url + "/pricing")
    await expect(page.locator(".plan")).to_have_count(3)
    await page.click(".site-header a[href='/examples']")
    await expect(page.locator(".example")).to_have_count(5)


async def once(
    browser: Browser, url: str, mode: str, settings: Settings, policy: ArtifactPolicy, i: int
) -> tuple[float, ...]:
    """One journey in a new context of `mode`: (total, setup, journey, close, cpu) in ms."""
    t0, c0 = time.perf_counter(), time.process_time()
    if mode == "bare":
        context = await browser.new_context(base_url=url)
    else:
        context = await new_context(browser, Guard(settings), "overhead", base_url=url)
    observer = PageObserver()
    if "observer" in mode:
        observer.attach(context)
    attempt = 1 if "light" in mode else 2  # the policy traces a first attempt lightly
    check = f"overhead-{i}"
    if "trace" in mode:
        await policy.start(context, check, attempt)
    page = await context.new_page()
    t1 = time.perf_counter()
    await journey(page, url)
    t2 = time.perf_counter()
    if "trace" in mode:
        await policy.finish(context, page, observer, check=check, attempt=attempt, failed=False)
    else:
        await context.close()
    t3 = time.perf_counter()
    cpu = time.process_time() - c0
    return tuple(x * 1000 for x in (t3 - t0, t1 - t0, t2 - t1, t3 - t2, cpu))


async def measure(iterations: int) -> dict[str, object]:
    """All modes, rotating order, after two warm-up rounds."""
    info = machine()
    with DemoTarget() as target, tempfile.TemporaryDirectory() as scratch:
        settings = load_settings(DEMO_CONFIG, "demo", environ=target.env())
        policy = ArtifactPolicy(Path(scratch), "retain-on-failure")
        async with async_playwright() as pw:
            browser, label = await launch(
                pw, settings.browser.executable_path, extra_args=settings.browser.args
            )
            print(f"demo target {target.url} · {label} · load {load1()}", flush=True)
            for i in range(2):
                for mode in MODES:
                    await once(browser, target.url, mode, settings, policy, i)
            samples: dict[str, list[tuple[float, ...]]] = {m: [] for m in MODES}
            for i in range(iterations):
                target.reset()  # the rate limiter's history: 10 requests an iteration
                for mode in MODES[i % len(MODES) :] + MODES[: i % len(MODES)]:
                    samples[mode].append(await once(browser, target.url, mode, settings, policy, i))
    medians = {
        m: {part: statistics.median(s[k] for s in rows) for k, part in enumerate(PARTS)}
        for m, rows in samples.items()
    }
    print(f"{iterations} iterations · load {load1()} at the end")
    print(f"{'mode':28} " + " ".join(f"{p:>10}" for p in PARTS) + "   (ms, medians)")
    bare = medians["bare"]["total"]
    for mode, row in medians.items():
        print(
            f"{mode:28} "
            + " ".join(f"{row[p]:10.0f}" for p in PARTS)
            + f"   {row['total'] / bare - 1:+.0%} vs bare"
        )
    return {"machine": info, "iterations": iterations, "medians_ms": medians}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=30, help="iterations (default 30)")
    args = parser.parse_args()
    figures = asyncio.run(measure(args.iterations))
    print(f"figures: {save('journey_overhead', figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
