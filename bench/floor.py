"""The floor: the least a process can do to run one demo journey — launch Chromium, run it, exit.

    .venv/bin/python bench/floor.py homepage_load|anonymous_enhancement|login_flow

The same Chromium and launch arguments as prodsmoke, the same assertions as the demo config, and
nothing else (no guard, no tracing, no retries, no reporting). Target URL from $BENCH_TARGET_URL,
Chromium from $BENCH_CHROMIUM. Exit 0 when the journey passed.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect, sync_playwright

QUIET_ARGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
_LOAD_MS = """() => {
  const e = performance.getEntriesByType('navigation')[0];
  return e && e.loadEventEnd > 0 ? e.loadEventEnd - e.startTime : null;
}"""


def homepage_load(page: Page) -> None:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto("/", wait_until="load")
    handle = page.wait_for_function(_LOAD_MS)
    assert handle.json_value() < 3000
    expect(page.locator("header").first).to_be_visible()
    expect(page.locator("#prompt-input")).to_be_visible()
    assert not errors, errors


def anonymous_enhancement(page: Page) -> None:
    page.goto("/", wait_until="domcontentloaded")
    page.locator("#prompt-input").fill("Summarise: the sky is blue.")
    page.locator("#enhance-button").click()
    page.wait_for_function(
        "s => (document.querySelector(s)?.textContent || '').trim().length > 0",
        arg="#enhanced-output",
        timeout=5000,
    )


def login_flow(page: Page) -> None:
    page.goto("/login", wait_until="domcontentloaded")
    page.locator("#email").fill("smoke-test-basic@betterprompts.com")
    page.locator("#password").fill(os.environ["SMOKE_TEST_PASSWORD"])
    page.locator("#login-button").click()
    page.wait_for_url("**/dashboard")
    expect(page.locator("#user-email")).to_be_visible()
    page.locator("#logout-button").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


JOURNEYS = {f.__name__: f for f in (homepage_load, anonymous_enhancement, login_flow)}


def main(journey: str) -> int:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium-headless-shell"),
            args=QUIET_ARGS,
        )
        page = browser.new_page(base_url=os.environ["BENCH_TARGET_URL"])
        JOURNEYS[journey](page)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
