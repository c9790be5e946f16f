"""The Web Vitals faults (issue 14) over HTTP: what each adds or delays, and their parsing.

That each one moves its vital in a browser is proven in tests/e2e/test_vitals_browser.py.
"""

from __future__ import annotations

import time

import httpx
import pytest

from prodsmoke.demo import DemoServer, FaultError, Faults
from prodsmoke.demo.vitals import BANNER_DELAY_MS

TOLERANCE = 0.25  # seconds of scheduling and loopback overhead allowed over an injected delay


def _timed(client: httpx.Client, path: str) -> float:
    start = time.perf_counter()
    assert client.get(path).status_code == 200, path
    return time.perf_counter() - start


def test_defaults_are_just_past_the_good_limits_and_round_trip() -> None:
    faults = Faults.parse("late-hero, layout-shift, slow-first-byte, slow-click")

    assert (faults.late_hero_ms, faults.layout_shift) == (2600, 0.25)  # LCP 2.5 s, CLS 0.1
    assert (faults.slow_first_byte_ms, faults.slow_click_ms) == (1000, 300)  # TTFB 0.8 s, INP 200
    assert str(faults) == "late-hero:2600,layout-shift:0.25,slow-first-byte:1000,slow-click:300"
    assert Faults.parse(str(faults)) == faults
    assert Faults.parse("layout-shift:0.05").layout_shift == 0.05


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "layout-shift:0",
            "fault 'layout-shift' needs a layout shift score over 0 and at most 0.5, "
            "e.g. layout-shift:0.25",
        ),
        (
            "layout-shift:lots",
            "fault 'layout-shift' needs a layout shift score over 0 and at most 0.5, "
            "e.g. layout-shift:0.25",
        ),
        (
            "slow-click:soon",
            "fault 'slow-click' needs a delay in milliseconds 0-600000, e.g. slow-click:300",
        ),
    ],
)
def test_bad_values_are_one_line_with_an_example(text: str, message: str) -> None:
    with pytest.raises(FaultError) as error:
        Faults.parse(text)
    assert str(error.value) == message


def test_without_them_the_homepage_has_no_hero_banner_or_slow_click(client: httpx.Client) -> None:
    html = client.get("/").text
    assert 'id="hero"' not in html
    assert "promo-banner" not in html
    assert "while (performance.now() < end)" not in html


def test_late_hero_adds_a_hero_whose_image_answers_late(
    server: DemoServer, client: httpx.Client
) -> None:
    server.set_faults(Faults.parse("late-hero:400"))

    html = client.get("/").text

    assert '<img id="hero" class="hero" src="/static/hero.svg"' in html
    assert 'width="1200" height="400"' in html  # its space is reserved: no layout shift
    assert 0.4 <= _timed(client, "/static/hero.svg") < 0.4 + TOLERANCE
    image = client.get("/static/hero.svg")
    assert image.headers["content-type"] == "image/svg+xml"
    # Chromium skips a near-empty image as the largest paint (< 0.05 bits per pixel)
    assert len(image.content) * 8 / (1200 * 400) > 0.05
    assert _timed(client, "/static/asset-0.css") < 0.4  # other assets are on time


def test_layout_shift_injects_a_banner_that_arrives_after_the_first_paint(
    server: DemoServer, client: httpx.Client
) -> None:
    server.set_faults(Faults.parse("layout-shift:0.2"))

    html = client.get("/").text

    assert "const target = 0.2;" in html
    assert 'banner.id = "promo-banner";' in html
    delay = BANNER_DELAY_MS / 1000
    assert delay <= _timed(client, "/static/banner.svg?w=1280&h=300") < delay + TOLERANCE
    banner = client.get("/static/banner.svg?w=1280&h=300").text
    assert 'width="1280" height="300"' in banner  # the height the page asked for
    assert 'width="4000" height="200"' in client.get("/static/banner.svg?w=99999&h=x").text


def test_slow_first_byte_delays_every_html_document_only(
    server: DemoServer, client: httpx.Client
) -> None:
    server.set_faults(Faults.parse("slow-first-byte:300"))

    for path in ("/", "/login", "/pricing", "/examples?q=plan"):
        assert 0.3 <= _timed(client, path) < 0.3 + TOLERANCE, path
    assert _timed(client, "/health") < 0.3
    assert _timed(client, "/static/asset-0.css") < 0.3


def test_slow_click_puts_a_long_task_on_the_enhance_button(
    server: DemoServer, client: httpx.Client
) -> None:
    server.set_faults(Faults.parse("slow-click:450"))

    html = client.get("/").text

    assert "const ms = 450;" in html
    assert 'getElementById("enhance-button").addEventListener("click"' in html
