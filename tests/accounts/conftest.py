"""Settings for account tests, built in memory (no YAML file, no demo target needed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from prodsmoke.config.models import Settings

SECRET = "pw-in-config-Vq71x"  # a password given as a resolved ${VAR}


@pytest.fixture
def account_settings(tmp_path: Any) -> Callable[..., Settings]:
    """Settings with accounts `basic` (password SECRET) plus `extra` ones; leases under tmp_path."""

    def make(lease: dict[str, Any] | None = None, **accounts: dict[str, Any]) -> Settings:
        return Settings.model_validate(
            {
                "name": "t",
                "base_url": "http://127.0.0.1:9",
                "accounts": {"basic": {"username": "basic@example.com", "password": SECRET}}
                | accounts,
                "account_lease": {"folder": str(tmp_path / "leases"), "wait_s": 0} | (lease or {}),
            }
        )

    return make
