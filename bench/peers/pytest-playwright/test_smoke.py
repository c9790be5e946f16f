"""The demo suite (prodsmoke/demo/project's demo.yaml): 4 HTTP checks, the 3 built-in journeys,
the YAML journey example_search and the two Python journeys of e2e/ (pricing_plans,
dashboard_history), with the same assertions."""

from __future__ import annotations

import os
import re
import time
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Page, expect

PASSWORD = os.environ.get("SMOKE_TEST_PASSWORD", "")
_LOADED = """() => {
  const e = performance.getEntriesByType('navigation')[0];
  return !!e && e.loadEventEnd > 0;
}"""
_LOAD_MS = """() => {
  const e = performance.getEntriesByType('navigation')[0];
  return e.loadEventEnd - e.startTime;
}"""


def probe(base_url, path):
    """GET `path`, timed to the response headers as `[RESPONSE_TIME]` is."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        started = time.perf_counter()
        with client.stream("GET", path) as response:
            ms = (time.perf_counter() - started) * 1000
            response.read()
    return response, ms


def test_health(base_url):
    response, ms = probe(base_url, "/health")
    assert response.status_code == 200
    assert ms < 250
    body = response.json()
    assert body["status"] == "healthy"
    assert body["services"]["database"] == "healthy"


def test_api_v1_health(base_url):
    response, ms = probe(base_url, "/api/v1/health")
    assert response.status_code == 200
    assert ms < 250
    assert response.json()["status"] == "healthy"


def test_api_v1_status(base_url):
    response, ms = probe(base_url, "/api/v1/status")
    assert response.status_code == 200
    assert ms < 250
    body = response.json()
    assert body["status"] == "healthy"
    assert "version" in body


def test_api_health(base_url):
    response, ms = probe(base_url, "/api/v1/test")
    assert response.status_code == 200
    assert ms < 400
    assert "ratelimit-limit" in response.headers


def test_homepage_load(page: Page):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/", wait_until="load")
    page.wait_for_function(_LOADED)
    assert page.evaluate(_LOAD_MS) < 3000
    expect(page.locator("header").first).to_be_visible()
    expect(page.locator("#prompt-input")).to_be_visible()
    assert errors == []


def test_anonymous_enhancement(page: Page):
    page.goto("/", wait_until="domcontentloaded")
    page.locator("#prompt-input").fill("Summarise: the sky is blue.")
    page.locator("#enhance-button").click()
    expect(page.locator("#enhanced-output")).not_to_have_text(re.compile(r"^\s*$"), timeout=5000)


def test_login_flow(page: Page):
    page.goto("/login", wait_until="domcontentloaded")
    page.locator("#email").fill("smoke-test-basic@betterprompts.com")
    page.locator("#password").fill(PASSWORD)
    page.locator("#login-button").click()
    page.wait_for_url("**/dashboard")
    expect(page.locator("#user-email")).to_be_visible()
    page.locator("#logout-button").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


def test_example_search(page: Page):
    page.goto("/examples")
    page.locator("#q").fill("summarise")
    page.locator("#search-button").click()
    page.wait_for_url("**/examples?q=summarise")
    assert page.locator(".example").count() >= 2
    expect(page.locator("#results")).to_contain_text("Summarise a meeting")


def test_pricing_plans(page: Page):
    page.goto("/pricing")
    expect(page.locator(".plan")).to_have_count(3)
    assert page.locator(".plan-name").all_inner_texts() == ["Free", "Pro", "Team"]
    pro = page.locator(".plan").filter(has=page.get_by_role("heading", name="Pro"))
    expect(pro.locator(".price")).to_have_text(re.compile(r"^\$\d+"))


def test_dashboard_history(page: Page):
    username = "smoke-test-premium@betterprompts.com"
    page.goto("/login")
    page.locator("#email").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("#login-button").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.locator("#user-email")).to_have_text(username)
    expect(page.locator("#history")).to_be_visible()
    page.locator("#logout-button").click()
    expect(page).to_have_url(re.compile(r"/$"))
