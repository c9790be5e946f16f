"""An unguarded Chromium loading /vectors really delivers every write vector to the sink.

This is what makes a guarded run meaningful: with no guard, all of VECTORS arrive, so zero
arrivals under a guard means the guard stopped them.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import sync_playwright

from prodsmoke.demo import DemoServer
from prodsmoke.demo.vectors import VECTORS
from prodsmoke.e2e.browser import find_any

from .helpers import PASSWORD

# The Chromium prodsmoke's own search finds (Playwright's, or the system's): the control must run
# wherever the guarded tests run, not only where one path exists.
CHROMIUM = find_any()
LAUNCH_ARGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.browser
def test_unguarded_chromium_delivers_every_vector() -> None:
    assert CHROMIUM is not None, "no Chromium: `make browser` sets one up"
    with DemoServer(password=PASSWORD) as demo, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            context = browser.new_context()  # plain: no routing, no guard
            page = context.new_page()
            page_errors: list[str] = []
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.goto(demo.url + "/vectors")
            page.wait_for_function("window.__vectorsFired === true", timeout=10_000)
            listed = page.locator("#vector-list li").evaluate_all(
                "items => items.map(item => item.dataset.vector)"
            )
            arrived: set[str] = set()
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                arrived = {entry["vector"] for entry in demo.audit()["sink"]}
                if arrived >= set(VECTORS):
                    break
                time.sleep(0.1)
            context.close()
        finally:
            browser.close()
    assert sorted(set(VECTORS) - arrived) == [], "vectors that never reached the sink"
    assert sorted(listed) == sorted(v for v in VECTORS if v != "form-top"), "page lists all"
    assert page_errors == []
    audit = demo.audit()
    methods = {entry["vector"]: entry["method"] for entry in audit["sink"]}
    assert methods["fetch-put"] == "PUT"
    assert methods["xhr-delete"] == "DELETE"
    assert methods["websocket"] == "WEBSOCKET"
    assert methods["download"] == "GET"
    # Every non-GET arrival also shows up in `requests`, which is what a guard test reads.
    posted = {r["path"].rsplit("/", 1)[1] for r in audit["requests"] if "/sink/" in r["path"]}
    assert posted == {v for v, m in methods.items() if m not in ("GET", "WEBSOCKET")}
