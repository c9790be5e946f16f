"""Real `smoke` processes for history tests: a config root aimed at the demo target."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.smoke_cli import SMOKE, clean_env, demo_config

DEMO_PASSWORD = "correct-horse-battery-staple-42"  # tests/conftest.py's demo target
HTTP_ONLY = """\
name: demo
base_url: ${SMOKE_DEMO_URL}
deadline_s: 20
retry: {attempts: 1}
safety:
  allowed_hosts: [127.0.0.1]
  rate_budget: {share_of_limit: 0.10, max_requests_per_minute: 120}
health_checks:
  - id: health
    url: /health
    conditions: ["[STATUS] == 200", "[BODY].status == healthy"]
  - id: api_v1_status
    url: /api/v1/status
    conditions: ["[STATUS] == 200"]
"""


def config_root(
    folder: Path, *, monitoring: str = "reporters: [history]\n", full: bool = False
) -> Path:
    """`folder/config`: the demo environment (HTTP checks only, unless `full`) and `monitoring`."""
    root = folder / "config"
    (root / "environments").mkdir(parents=True, exist_ok=True)
    if full:
        demo_config(folder)  # the demo environment, and the team journeys beside it
    else:
        (root / "environments/demo.yaml").write_text(HTTP_ONLY)
    (root / "monitoring-integration.yaml").write_text(monitoring)
    return root


def smoke_in(
    cwd: Path, *argv: str, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """`smoke ARGV…` run from `cwd` in a clean environment plus `env`."""
    return subprocess.run(
        [SMOKE, *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=clean_env("AWS_", "DD_", "PRODSMOKE_", **(env or {})),
        timeout=timeout,
        check=False,
    )
