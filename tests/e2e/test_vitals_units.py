"""Web Vitals without a browser: page templates, thresholds and their pinned messages, config."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import pytest
import yaml

from prodsmoke.config import load_settings
from prodsmoke.config.vitals import VitalLimits, shown
from prodsmoke.e2e.vitals import (
    INIT_SCRIPT,
    MARK,
    VitalsCollector,
    enabled,
    is_vitals_message,
    page_template,
)
from prodsmoke.e2e.vitals_limits import judge
from prodsmoke.errors import ConfigError
from prodsmoke.results import PageVitals
from tests.smoke_cli import DEMO_CONFIG

if TYPE_CHECKING:
    from playwright.async_api import ConsoleMessage


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/", "/"),
        ("", "/"),
        ("/pricing", "/pricing"),
        ("/examples?q=summarise#top", "/examples"),
        ("/orders/8412/items", "/orders/:id/items"),
        ("/u/3fa85f64-5717-4562-b3fc-2c963f66afa6/settings", "/u/:id/settings"),
        ("/commit/9fceb02d0ae598e95dc970b74767f19372d61af8", "/commit/:id"),
        ("/reset/eyJhbGciOiJIUzI1NiJ9x7kQ2aP9tZ", "/reset/:id"),
        ("/blog/2026/welcome", "/blog/:id/welcome"),
        ("/docs/getting-started", "/docs/getting-started"),  # words stay words
        ("/cafe/deadbeef", "/cafe/deadbeef"),  # hex-looking words without a digit stay too
    ],
)
def test_a_page_is_a_low_cardinality_template(path: str, template: str) -> None:
    assert page_template(path) == template


def test_documents_of_one_template_merge_into_their_worst_values() -> None:
    collector = VitalsCollector("http://127.0.0.1:8321")
    first = {"id": "a", "origin": "http://127.0.0.1:8321", "path": "/items/1", "ttfb_ms": 40.4,
             "fcp_ms": 90, "lcp_ms": None, "cls": 0.01234, "inp_ms": None, "requests": 3,
             "transfer_bytes": 5000}  # fmt: skip
    later = {**first, "id": "b", "path": "/items/2", "ttfb_ms": 30, "lcp_ms": 150, "inp_ms": 48}
    again = {**first, "ttfb_ms": 55.6}  # the latest report of a document replaces its earlier one
    other = {**first, "id": "c", "origin": "https://cdn.example.com", "path": "/x"}
    for report in (first, later, again, other):
        collector._record(report)

    assert collector.pages() == (
        PageVitals(
            "/items/:id",
            {
                "ttfb_ms": 56,
                "fcp_ms": 90,
                "lcp_ms": 150,
                "cls": 0.0123,
                "inp_ms": 48,
                "requests": 3,
                "transfer_bytes": 5000,
            },
            loads=2,
        ),
        PageVitals(
            "//cdn.example.com/x",
            {"ttfb_ms": 40, "fcp_ms": 90, "cls": 0.0123, "requests": 3, "transfer_bytes": 5000},
        ),
    )


def test_the_switch_turns_collection_off() -> None:
    assert enabled({})
    assert enabled({"PRODSMOKE_VITALS": "on"})
    for off in ("off", "0", "false", "No"):
        assert not enabled({"PRODSMOKE_VITALS": off})


PAGE = PageVitals(
    "/pricing",
    {
        "ttfb_ms": 900,
        "fcp_ms": 1000,
        "lcp_ms": 2100,
        "cls": 0.25,
        "inp_ms": 120,
        "requests": 42,
        "transfer_bytes": 1_234_567,
    },
)


def test_defaults_warn_only_at_the_good_limits_naming_page_and_vital() -> None:
    verdict = judge([PAGE], VitalLimits(), warn_ratio=0.8)

    assert verdict.failures == ()
    assert verdict.warnings == (
        'page /pricing: TTFB 900 ms is over the "good" limit of 800 ms '
        "(the default, which only warns)",
        'page /pricing: CLS 0.25 is over the "good" limit of 0.1 (the default, which only warns)',
    )


def test_given_limits_fail_above_and_warn_above_the_warn_ratio() -> None:
    limits = VitalLimits(lcp_ms=2500, cls=0.2, requests=40, transfer_bytes=2_000_000, ttfb_ms=None)

    verdict = judge([PAGE], limits, warn_ratio=0.8)

    assert verdict.failures == (
        "page /pricing: CLS 0.25 is over the limit of 0.2",
        "page /pricing: requests 42 is over the limit of 40",
    )
    assert verdict.warnings == (
        "page /pricing: LCP 2100 ms is over the warn threshold 2000 ms (80% of 2500 ms)",
    )  # TTFB: its default is switched off (null); FCP and INP are under theirs


def test_a_vital_that_was_not_measured_is_not_judged() -> None:
    page = PageVitals("/", {"cls": 0.0})
    assert judge([page], VitalLimits(inp_ms=1, lcp_ms=1), warn_ratio=0.8).failures == ()


def test_values_are_shown_in_their_units() -> None:
    assert shown("lcp_ms", 2630.4) == "2630 ms"
    assert shown("cls", 0.2499) == "0.25"
    assert shown("cls", 0) == "0"
    assert shown("requests", 12) == "12"
    assert shown("transfer_bytes", 1_234_567) == "1.2 MB"
    assert shown("transfer_bytes", 10_431) == "10.4 kB"
    assert shown("transfer_bytes", 512) == "512 B"


def _load(vitals: object, *journey_ids: str):
    """demo.yaml with `vitals` on the given journeys (all of them when none is named)."""
    journeys = yaml.safe_load((DEMO_CONFIG / "environments/demo.yaml").read_text())["journeys"]
    for journey_id in journey_ids or tuple(journeys):
        journeys[journey_id] = {**journeys[journey_id], "vitals": vitals}
    environ = {"SMOKE_TEST_PASSWORD": "correct-horse-battery-staple-42"}
    return load_settings(DEMO_CONFIG, "demo", environ=environ, overrides={"journeys": journeys})


def test_every_kind_accepts_vitals_thresholds() -> None:
    settings = _load({"lcp_ms": 2000, "cls": 0.05})

    kinds = {spec.kind for spec in settings.journeys.values()}
    assert kinds == {"page_load", "text_submit", "login", "steps", "python"}
    for spec in settings.journeys.values():
        limits = {(x.vital, x.value, x.fails) for x in spec.vitals.limits()}
        assert limits == {
            ("lcp_ms", 2000, True),
            ("cls", 0.05, True),
            ("ttfb_ms", 800, False),
            ("fcp_ms", 1800, False),
            ("inp_ms", 200, False),
        }


@pytest.mark.parametrize(
    ("vitals", "message"),
    [
        (
            {"lcp": 2500},
            "journeys.pricing_plans.vitals.lcp: unknown key 'lcp'; did you mean 'lcp_ms'?",
        ),
        (
            {"lcp_ms": -1},
            "journeys.pricing_plans.vitals.lcp_ms: got -1, expected milliseconds, a number > 0, "
            "or null for no limit",
        ),
        (
            {"cls": 0},
            "journeys.pricing_plans.vitals.cls: got 0, expected a layout shift score > 0, e.g. 0.1",
        ),
        (2500, "journeys.pricing_plans.vitals: got 2500, expected a mapping"),
    ],
)
def test_bad_thresholds_are_one_pinned_line(vitals: object, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        _load(vitals, "pricing_plans")
    assert str(error.value) == f"{DEMO_CONFIG / 'environments/demo.yaml'}: {message}"


def test_a_page_cannot_forge_a_report() -> None:
    class Message:  # what Playwright hands a console listener: its text and page
        def __init__(self, text: str) -> None:
            self.text = text
            self.page = None

    collector = VitalsCollector("http://127.0.0.1:8321")
    forged = '{"id": "x", "path": "/", "lcp_ms": 9999}'
    # a page logging the public marker itself
    collector._console(cast("ConsoleMessage", Message(MARK + forged)))
    ours = INIT_SCRIPT.split("const MARK = ", 1)[1].split(";", 1)[0].strip('"')
    genuine = ours + '{"id": "y", "path": "/", "lcp_ms": 120}'
    collector._console(cast("ConsoleMessage", Message(genuine)))

    found = [(p.path, dict(p.vitals), p.loads) for p in collector.pages()]
    assert found == [("/", {"lcp_ms": 120}, 1)]
    assert ours.startswith(MARK) and ours != MARK
    assert is_vitals_message(MARK + forged)  # still never the page's console output
