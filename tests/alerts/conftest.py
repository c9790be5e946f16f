"""A local Datadog (monitors and dashboards) and config roots that point at it and at moto."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from datadog_fake import API_KEY, APP_KEY, FakeDatadog, fake_datadog

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


@pytest.fixture
def alerts_config(tmp_path: Path, datadog_server: FakeDatadog) -> Callable[..., Path]:
    """The repository's alert-rules.yaml, with monitoring pointed at the local Datadog."""

    def make(rules: str | None = None) -> Path:
        root = tmp_path / "config"
        root.mkdir(exist_ok=True)
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
