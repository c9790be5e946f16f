"""Shared fixtures: one real demo target on a loopback port, and settings pointing at it."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from prodsmoke.config import load_settings
from prodsmoke.config.models import Settings
from prodsmoke.demo import PROJECT, DemoServer, Faults

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
    """The demo project's environment aimed at the demo target, with top-level overrides."""

    def make(**overrides: object) -> Settings:
        environ = {"SMOKE_DEMO_URL": demo_target.url, "SMOKE_TEST_PASSWORD": DEMO_PASSWORD}
        return load_settings(PROJECT / "config", "demo", environ=environ, overrides=overrides)

    return make


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A local moto server (S3, CloudWatch, Secrets Manager, SSM, …); its URL for `endpoint_url`.

    Also points boto3 at it through the environment (`AWS_ENDPOINT_URL`) with fake credentials,
    and turns off request compression, which moto's server mode cannot read above 10 KB.
    """
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    patch = pytest.MonkeyPatch()
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DISABLE_REQUEST_COMPRESSION": "true",
    }.items():
        patch.setenv(key, value)
    try:
        yield endpoint
    finally:
        patch.undo()
        server.stop()


@pytest.fixture
def moto_reset(moto_endpoint: str) -> str:
    """The moto server with every resource deleted, for tests that need a clean account."""
    import httpx

    httpx.post(f"{moto_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    return moto_endpoint
