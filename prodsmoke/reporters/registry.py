"""Which reporters a run publishes to, beyond results.json and the console.

`configured_reporters` reads `config/monitoring-integration.yaml` (when present) and which
credentials are set, and returns the reporters to call; each factory imports its SDK only when it
is selected. Until that file exists nothing more is configured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from prodsmoke.config.models import Settings
    from prodsmoke.e2e.engine import RunOptions
    from prodsmoke.reporters.base import Reporter


def configured_reporters(
    config_dir: Path, settings: Settings, options: RunOptions
) -> list[Reporter]:
    """The reporters this run should publish to, besides results.json and the console."""
    return []
