"""The demo suite (config/environments/demo.yaml): 4 HTTP checks and 3 journeys, same assertions."""

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
    assert ms < 100
    body = response.json()
    assert body["status"] == "healthy"
    assert body["services"]["database"] == "healthy"


def test_api_v1_health(base_url):
    response, ms = probe(base_url, "/api/v1/health")
    assert response.status_code == 200
    assert ms < 100
    assert response.json()["status"] == "healthy"


def test_api_v1_status(base_url):
    response, ms = probe(base_url, "/api/v1/status")
    assert response.status_code == 200
    assert ms < 100
    body = response.json()
    assert body["status"] == "healthy"
    assert "version" in body


def test_api_health(base_url):
    response, ms = probe(base_url, "/api/v1/test")
    assert response.status_code == 200
    assert ms < 200
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
