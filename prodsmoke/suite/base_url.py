"""`base_url`: the environment's, in a prodsmoke run.

Its own plugin, registered once every other plugin and the initial conftests are in: pytest-
playwright registers its own `base_url` (from `--base-url` or the ini file) only then, and the
run's target is the environment's whatever pytest was told.
"""

from __future__ import annotations

import pytest

from prodsmoke.suite.running import current


@pytest.fixture(scope="session")
def base_url() -> str:
    """The environment's base URL."""
    return current("base_url").j.base_url
