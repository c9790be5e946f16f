"""Pricing shows our three plans: a sync journey, written as a pytest-playwright test would be."""

import re
import time

from playwright.sync_api import Page, expect

from prodsmoke import Smoke


def test_pricing_plans(page: Page, smoke: Smoke) -> None:
    started = time.perf_counter()
    with smoke.step("open pricing"):
        page.goto("/pricing")
        expect(page.locator(".plan")).to_have_count(3)
    with smoke.step("read the plans"):
        names = page.locator(".plan-name").all_inner_texts()
        assert names == ["Free", "Pro", "Team"], f"plans shown: {names}"
        pro = page.locator(".plan").filter(has=page.get_by_role("heading", name="Pro"))
        expect(pro.locator(".price")).to_have_text(re.compile(r"^\$\d+"))
        # How the plans look, against baselines/demo/pricing_plans/pricing-<browser build>.png;
        # the time the prices were read changes every second, so it is painted over.
        smoke.expect_screenshot(page.locator("#pricing"), "pricing", mask=[".price-updated-at"])
    smoke.metric("plans_ms", (time.perf_counter() - started) * 1000)
