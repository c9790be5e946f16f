"""Load an environment with every journey kind registered: what entry points call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import prodsmoke.e2e.journeys  # noqa: F401 - registers the built-in journey kinds
from prodsmoke.config.loader import load_settings

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from prodsmoke.config.models import Settings


def load(
    config_dir: Path,
    env: str,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """`config.load_settings`, once the journey kinds are known."""
    return load_settings(config_dir, env, environ=environ, overrides=overrides)
