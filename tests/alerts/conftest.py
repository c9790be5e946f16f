"""Local Datadog, Pingdom and StatusCake APIs, and config roots that point at them and at moto."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.alerts.datadog_fake import API_KEY, APP_KEY, FakeDatadog, fake_datadog
from tests.alerts.pingdom_fake import FakePingdom, fake_pingdom
from tests.alerts.statuscake_fake import FakeStatusCake, fake_statuscake

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="session")
def datadog_server() -> Iterator[FakeDatadog]:
    with fake_datadog() as fake:
        yield fake


@pytest.fixture
def datadog(datadog_server: FakeDatadog, monkeypatch: pytest.MonkeyPatch) -> FakeDatadog:
    """The fake Datadog, empty; DD_API_KEY and DD_APP_KEY set for it."""
    datadog_server.reset()
    monkeypatch.setenv("DD_API_KEY", API_KEY)
    monkeypatch.setenv("DD_APP_KEY", APP_KEY)
    return datadog_server


@pytest.fixture(scope="session")
def pingdom_server() -> Iterator[FakePingdom]:
    with fake_pingdom() as fake:
        yield fake


@pytest.fixture
def pingdom(pingdom_server: FakePingdom, monkeypatch: pytest.MonkeyPatch) -> FakePingdom:
    """The fake Pingdom, empty; PINGDOM_API_TOKEN and PINGDOM_API_URL set for it."""
    from tests.alerts.pingdom_fake import TOKEN

    pingdom_server.reset()
    monkeypatch.setenv("PINGDOM_API_TOKEN", TOKEN)
    monkeypatch.setenv("PINGDOM_API_URL", pingdom_server.url)
    return pingdom_server


@pytest.fixture(scope="session")
def statuscake_server() -> Iterator[FakeStatusCake]:
    with fake_statuscake() as fake:
        yield fake


@pytest.fixture
def statuscake(
    statuscake_server: FakeStatusCake, monkeypatch: pytest.MonkeyPatch
) -> FakeStatusCake:
    """The fake StatusCake, empty; STATUSCAKE_API_TOKEN and STATUSCAKE_API_URL set for it."""
    from tests.alerts.statuscake_fake import TOKEN

    statuscake_server.reset()
    monkeypatch.setenv("STATUSCAKE_API_TOKEN", TOKEN)
    monkeypatch.setenv("STATUSCAKE_API_URL", statuscake_server.url)
    return statuscake_server


@pytest.fixture
def alerts_config(tmp_path: Path, datadog_server: FakeDatadog) -> Callable[..., Path]:
    """A copy of the repository's config root (alert-rules.yaml, environments, schedule), its
    alert rules replaced when given, monitoring pointed at the local Datadog."""

    def make(rules: str | None = None) -> Path:
        root = tmp_path / "config"
        if not root.exists():
            shutil.copytree(REPO_CONFIG / "environments", root / "environments")
            shutil.copy(REPO_CONFIG / "cron-schedule.yaml", root / "cron-schedule.yaml")
        if rules is None:
            shutil.copy(REPO_CONFIG / "alert-rules.yaml", root / "alert-rules.yaml")
        else:
            (root / "alert-rules.yaml").write_text(rules)
        (root / "monitoring-integration.yaml").write_text(
            f'datadog: {{host: "{datadog_server.url}"}}\n'
            "cloudwatch: {namespace: Prodsmoke, region: us-east-1}\n"
        )
        return root

    return make
