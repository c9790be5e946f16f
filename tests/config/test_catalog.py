"""The catalog: what one environment's runs measure, derived from its configuration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from prodsmoke import redact
from prodsmoke.config import load_settings
from prodsmoke.config.catalog import (
    Catalog,
    catalog_from_settings,
    environment_catalog,
    read_environment,
)
from prodsmoke.errors import ConfigError
from tests.smoke_cli import DEMO_CONFIG

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


def test_the_catalog_of_an_environment_lists_its_checks_by_kind() -> None:
    settings = load_settings(DEMO_CONFIG, "demo", environ={"SMOKE_TEST_PASSWORD": "pw-12345"})

    catalog = catalog_from_settings(settings)

    assert dict(catalog.checks) == {
        "health": "health",
        "api_v1_health": "health",
        "api_v1_status": "health",
        "api_health": "api",
        "homepage_load": "journey",
        "anonymous_enhancement": "journey",
        "login_flow": "journey",
        "example_search": "journey",  # YAML steps
        "homepage_looks": "journey",  # YAML steps, with baselines
        "pricing_plans": "journey",  # e2e/test_pricing.py
        "dashboard_history": "journey",  # e2e/test_dashboard.py
    }
    assert catalog.of_kind("api") == ("api_health",)
    # built-in kinds declare theirs; a Python journey's are read from its file, never run
    assert catalog.metrics >= {"page_load_ms", "login_ms", "plans_ms", "console_errors"}
    assert catalog.steps["login_flow"] == {"open /login", "log in", "log out"}
    assert catalog.steps["pricing_plans"] == {"open pricing", "read the plans"}
    assert catalog.steps["example_search"] == {"search the examples"}
    assert catalog.step_problem("pricing_plans", "open pricng") == (
        "got 'open pricng', expected one of: open pricing, read the plans; "
        "did you mean 'open pricing'?"
    )


def test_a_journey_with_computed_names_accepts_any_step_and_metric(tmp_path: Path) -> None:
    (tmp_path / "config" / "environments").mkdir(parents=True)
    (tmp_path / "config" / "environments" / "shop.yaml").write_text(
        "base_url: https://shop.example\n"
    )
    (tmp_path / "e2e").mkdir()
    (tmp_path / "e2e" / "test_cart.py").write_text(
        "def test_cart(page, smoke):\n"
        "    for item in ('a', 'b'):\n"
        "        with smoke.step(f'add {item}'):\n"
        "            smoke.metric(f'{item}_ms', 1)\n"
    )

    catalog = environment_catalog(tmp_path / "config", "shop")

    assert dict(catalog.checks) == {"cart": "journey"}
    assert "cart" not in catalog.steps  # its step names are computed: any name may come
    assert catalog.step_problem("cart", "add c") is None
    assert catalog.metric_problem("smoke_test.journey.c_ms", "smoke_test") is None


def test_a_journey_left_out_of_the_environment_is_not_a_check(tmp_path: Path) -> None:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "shop.yaml").write_text(
        "base_url: https://shop.example\n"
        "health_checks: [{id: up, url: /up, conditions: ['[STATUS] == 200']}]\n"
        "journeys: {homepage_load: {url: /}}\n"
    )

    catalog = environment_catalog(tmp_path, "shop")

    assert dict(catalog.checks) == {"up": "health", "homepage_load": "journey"}
    assert catalog.check_problem("login_flow") == (
        "got 'login_flow', expected one of: up, homepage_load"
    )


def test_metric_names_follow_the_prefix_and_the_custom_metrics() -> None:
    catalog = Catalog(checks={"search": "journey"}, metrics=frozenset({"results_ms"}))

    names = catalog.metric_names("shop")

    assert names[:3] == ["shop.duration", "shop.success", "shop.failures"]
    assert "shop.step.duration" in names
    assert "shop.journey.results_ms" in names
    assert "shop.web_vitals.lcp_ms" in names
    assert catalog.metric_problem("shop.journey.results_ms", "shop") is None
    assert catalog.metric_problem("smoke_test.success", "shop") is not None


def test_alerts_read_an_environment_without_its_account_secrets(monkeypatch) -> None:
    monkeypatch.delenv("SMOKE_TEST_PASSWORD", raising=False)
    with pytest.raises(ConfigError):
        load_settings(REPO_CONFIG, "production")  # a run needs the secret

    settings = read_environment(REPO_CONFIG, "production")

    assert settings is not None
    assert settings.base_url == "https://app.betterprompts.example"
    assert "https://unset-variable.invalid" in redact.secrets()  # never shown either


def test_any_other_unset_variable_is_still_an_error(tmp_path: Path, monkeypatch) -> None:
    shutil.copytree(DEMO_CONFIG / "environments", tmp_path / "environments")
    demo = tmp_path / "environments" / "demo.yaml"
    demo.write_text(
        demo.read_text().replace("${SMOKE_DEMO_URL:-http://127.0.0.1:8321}", "${SHOP_URL}")
    )
    monkeypatch.delenv("SHOP_URL", raising=False)

    with pytest.raises(ConfigError) as info:
        read_environment(tmp_path, "demo")

    assert str(info.value) == (
        f"{demo}: base_url: environment variable SHOP_URL is not set; expected it exported "
        "(referenced as ${SHOP_URL})"
    )
    assert read_environment(tmp_path, "nowhere") is None
    assert environment_catalog(tmp_path, "nowhere").known is False
