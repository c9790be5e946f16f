"""Run the `smoke` command as a user does: from the repository, in an environment without the
test process's own SMOKE_*, PYTEST_* and GITHUB_* variables, so only what a test sets applies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from prodsmoke.demo import PROJECT

REPO = Path(__file__).resolve().parents[1]
SMOKE = str(Path(sys.executable).with_name("smoke"))
# The demo project, packaged with the demo target: environments/demo.yaml here, its team
# journeys in PROJECT/e2e beside it.
DEMO_CONFIG = PROJECT / "config"


def clean_env(*also_drop: str, **env: str) -> dict[str, str]:
    """This process's environment without SMOKE_/PYTEST_/GITHUB_ (and `also_drop`) variables,
    plus `env`."""
    drop = ("SMOKE_", "PYTEST_", "GITHUB_", *also_drop)
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)} | env


def smoke(
    *argv: str, env: dict[str, str] | None = None, timeout: float = 120, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """`smoke ARGV…` from `cwd` with `clean_env(**env)`; never raises on a non-zero exit."""
    return subprocess.run(
        [SMOKE, *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=clean_env(**(env or {})),
        timeout=timeout,
        check=False,
    )


def demo_config(root: Path, edit: Callable[[str], str] = str, *, env: str = "demo") -> Path:
    """The demo project's environment (through `edit`) as `root/config/environments/ENV.yaml`,
    with its team journeys in `e2e/` beside it, as in the project; returns the config root."""
    config = root / "config"
    (config / "environments").mkdir(parents=True, exist_ok=True)
    text = (DEMO_CONFIG / "environments" / "demo.yaml").read_text()
    (config / "environments" / f"{env}.yaml").write_text(edit(text))
    if not (root / "e2e").exists():
        shutil.copytree(PROJECT / "e2e", root / "e2e", ignore=shutil.ignore_patterns("__pycache__"))
    if not (root / "baselines").exists() and (PROJECT / "baselines" / "demo").is_dir():
        shutil.copytree(PROJECT / "baselines" / "demo", root / "baselines" / env)
    return config


def combined_config(root: Path) -> Path:
    """The repository's config/ (BetterPrompts' environments, monitoring, alert rules and
    schedule) with the demo project's environment and journeys added: every kind of file, and an
    environment the demo target serves. Returns `root/config`."""
    shutil.copytree(REPO / "config", root / "config")
    return demo_config(root)
