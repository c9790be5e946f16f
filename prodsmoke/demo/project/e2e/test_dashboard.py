"""A signed-in user sees their dashboard and history: an async journey, as with
pytest-playwright-asyncio. The account is leased, so no other run logs in with it meanwhile."""

import re

from playwright.async_api import Page, expect

from prodsmoke import Smoke


async def test_dashboard_history(page: Page, smoke: Smoke) -> None:
    async with smoke.account("premium") as account:
        with smoke.step("log in"):
            await page.goto("/login")
            await page.fill("#email", account.username)
            await page.fill("#password", account.password)
            # The form as typed: the password is masked in the screenshot, and a regex in the
            # ARIA baseline, never written down (baselines/demo/dashboard_history/).
            await smoke.expect_aria(page.locator("#login-form"), "login-form")
            await smoke.expect_screenshot(page.locator("#login-form"), "login-form")
            await page.click("#login-button")
            await expect(page).to_have_url(re.compile(r"/dashboard$"))
        with smoke.step("see the history"):
            await expect(page.locator("#user-email")).to_have_text(account.username)
            await expect(page.locator("#history")).to_be_visible()
        with smoke.step("log out"):
            await page.click("#logout-button")
            await expect(page).to_have_url(re.compile(r"/$"))
