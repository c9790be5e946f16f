"""Fixtures for the demo target's tests: one server per module, reset before every test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from prodsmoke.demo import DemoServer, Faults

from .helpers import PASSWORD


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(password=PASSWORD, seed=1234) as demo:
        yield demo


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> None:
    # Only for tests that use the shared server: clear faults and state left by the last test.
    if "server" in request.fixturenames:
        demo: DemoServer = request.getfixturevalue("server")
        demo.set_faults(Faults())
        demo.reset()


@pytest.fixture
def client(server: DemoServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        yield http
