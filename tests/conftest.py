"""Shared fixtures: one real demo target on a loopback port, and settings pointing at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from prodsmoke.config import load_settings
from prodsmoke.config.models import Settings
from prodsmoke.demo import DemoServer, Faults

REPO = Path(__file__).resolve().parents[1]
DEMO_PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(scope="session")
def demo_server() -> Iterator[DemoServer]:
    with DemoServer(password=DEMO_PASSWORD, seed=7) as server:
        yield server


@pytest.fixture
def demo_target(demo_server: DemoServer) -> DemoServer:
    """The shared demo target with no faults and an empty audit."""
    demo_server.set_faults(Faults())
    demo_server.reset()
    return demo_server


@pytest.fixture
def demo_settings(demo_target: DemoServer) -> Callable[..., Settings]:
    """`config/environments/demo.yaml` aimed at the demo target, with top-level overrides."""

    def make(**overrides: object) -> Settings:
        environ = {"SMOKE_DEMO_URL": demo_target.url, "SMOKE_TEST_PASSWORD": DEMO_PASSWORD}
        return load_settings(REPO / "config", "demo", environ=environ, overrides=overrides)

    return make
