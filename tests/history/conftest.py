"""A history file per test, and helpers to fill it."""

from __future__ import annotations

from pathlib import Path

import pytest

from prodsmoke.history import History


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(tmp_path / "out" / "history.sqlite", retention_days=90)
