"""One source for the deploy files: this repository's workflow, Lambda image, template, deploy
script and CronJob are what `smoke init`'s templates render for BetterPrompts (its config/,
prodsmoke from this checkout), and `scripts/render-deploy --check` fails on any difference."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from prodsmoke.scaffold.deploy import Checkout, Deploy, Release
from prodsmoke.schedule import load_schedule

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "render-deploy"


def render_deploy(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *argv], capture_output=True, text=True, check=False
    )


def test_the_repositorys_deploy_files_are_the_templates_rendering() -> None:
    proc = render_deploy("--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_file_edited_by_hand_is_caught_with_a_diff(tmp_path: Path) -> None:
    deploy = Deploy.from_config(REPO / "config", Checkout("0"), playwright_version="0")
    shutil.copytree(REPO / "config", tmp_path / "config")
    shutil.copy(REPO / "constraints.txt", tmp_path / "constraints.txt")
    for path in deploy.files():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / path, tmp_path / path)
    cronjob = tmp_path / "deploy/k8s/cronjob.yaml"
    cronjob.write_text(cronjob.read_text().replace("backoffLimit: 0", "backoffLimit: 6"))

    proc = render_deploy("--check", "--root", str(tmp_path))

    assert proc.returncode == 1
    assert "-      backoffLimit: 6\n+      backoffLimit: 0\n" in proc.stdout
    assert proc.stdout.endswith(
        "1 deploy file(s) differ from the templates; run scripts/render-deploy\n"
    )
    assert render_deploy("--root", str(tmp_path)).stdout == "rewrote deploy/k8s/cronjob.yaml\n"
    assert render_deploy("--check", "--root", str(tmp_path)).returncode == 0


def test_a_team_and_this_repository_differ_only_where_prodsmoke_comes_from() -> None:
    # The same inputs but the source: every other line of every file is the same template's.
    def files(source: Release | Checkout) -> dict[str, str]:
        return Deploy(
            environments=("production", "staging"),
            schedule=load_schedule(REPO / "config"),
            prodsmoke=source,
            playwright_version="1.65.0",
            secrets=("SMOKE_TEST_PASSWORD",),
        ).files()

    ours, theirs = files(Checkout("0.1.0")), files(Release("0.1.0"))
    assert ours.keys() == theirs.keys()
    same = {path for path in ours if ours[path] == theirs[path]}
    assert same == {
        "deploy/lambda/template.yaml",
        "deploy/lambda/leases.yaml",
        "deploy/k8s/cronjob.yaml",
    }
    assert (
        "python -m pip install 'prodsmoke[aws,datadog,postgres]==0.1.0' 'playwright==1.65.0'"
        in theirs[".github/workflows/production-smoke.yml"]
    )
    assert (
        "python -m pip install --constraint constraints.txt '.[aws,datadog,postgres]'"
        in ours[".github/workflows/production-smoke.yml"]
    )
    assert (
        '"prodsmoke[aws,datadog,postgres]==${PRODSMOKE_VERSION}"'
        in theirs["deploy/lambda/Dockerfile"]
    )
    assert "--mount" not in theirs["deploy/lambda/Dockerfile"]
    assert "constraints" not in theirs["deploy/lambda/Dockerfile"]
    assert "pip wheel" not in theirs["deploy/lambda/deploy.sh"]
