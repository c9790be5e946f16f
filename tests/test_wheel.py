"""The wheel is the whole of prodsmoke: built from the package alone, installed in a fresh
virtualenv (no source tree on sys.path), it runs the demo from an empty folder, and a project
`smoke init` writes for a stranger's site (the demo target on a port of its own) validates,
runs green with its own journey, agrees with its schedule and passes this repository's linters.

Selected with `-m wheel`; about a minute, most of it pip (the wheelhouse is built once per session
from the local index, then installed with --no-index, as a team's CI installs a release).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.deploy.linters import linter, run
from tests.smoke_cli import REPO, clean_env

pytestmark = [pytest.mark.browser, pytest.mark.wheel]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sh(*argv: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """A command as a user in a fresh shell runs it: no SMOKE_*, PYTEST_*, virtualenv or path."""
    env = clean_env("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    return subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """prodsmoke's wheel, built from pyproject.toml, README.md and prodsmoke/ alone (so it
    cannot lean on anything else in the tree), with the wheels of its [demo] dependencies."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(
        REPO / "prodsmoke", source / "prodsmoke", ignore=shutil.ignore_patterns("__pycache__")
    )
    house = tmp_path_factory.mktemp("wheelhouse")
    built = sh(sys.executable, "-m", "pip", "wheel", "-q", "--wheel-dir", house,
               f"{source}[demo]", cwd=source, timeout=600)  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    return house


@contextmanager
def stranger_site(smoke: Path, cwd: Path) -> Iterator[str]:
    """The demo target as a stranger's site: `smoke serve-demo --port P` on a port of its own."""
    port = free_port()
    server = subprocess.Popen(
        [str(smoke), "serve-demo", "--port", str(port), "--quiet"],
        cwd=cwd, env=clean_env(SMOKE_TEST_PASSWORD="stranger-site-pw-7"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None and time.monotonic() < deadline, "serve-demo did not start"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_installed_wheel_runs_the_demo_and_a_project_of_ones_own(
    tmp_path: Path, wheelhouse: Path
) -> None:
    wheel_venv, empty = tmp_path / "venv", tmp_path / "empty"
    empty.mkdir()
    venv = sh(sys.executable, "-m", "venv", wheel_venv, cwd=empty)
    assert venv.returncode == 0, venv.stderr
    bin_dir = wheel_venv / "bin"
    started = time.monotonic()  # from `pip install` of the wheel to the first green project run
    installed = sh(bin_dir / "pip", "install", "-q", "--no-index", "--find-links", wheelhouse,
                   "prodsmoke[demo]", cwd=empty)  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    install_s = time.monotonic() - started
    where = sh(bin_dir / "python", "-c", "import prodsmoke, sys; print(prodsmoke.__file__); "
               "print(sys.path)", cwd=empty)  # fmt: skip
    module, path = where.stdout.splitlines()
    assert module.startswith(str(wheel_venv)), module  # the installed copy, not this tree
    assert str(REPO) not in path

    demo = sh(bin_dir / "smoke", "demo", "--output", "out", cwd=empty)

    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert f"demo project: {wheel_venv}/lib/" in demo.stdout
    assert "(packaged with prodsmoke: this folder has no config/environments/demo.yaml)" in (
        demo.stdout
    )
    assert "PASS (11 pass)" in demo.stdout
    assert sorted(p.name for p in empty.iterdir()) == ["out"]  # the demo wrote nothing else here

    with stranger_site(bin_dir / "smoke", tmp_path) as site:
        project = tmp_path / "shop"
        init_started = time.monotonic()
        init = sh(bin_dir / "smoke", "init", project, "--base-url", site, "--probe", cwd=tmp_path)
        assert init.returncode == 0, init.stdout + init.stderr
        assert "probe: /health 200" in init.stdout
        checked = sh(bin_dir / "smoke", "check-config", cwd=project)
        assert checked.returncode == 0, checked.stdout + checked.stderr

        first = sh(bin_dir / "smoke", "run", "--env", "production", cwd=project)

        green_s = install_s + (time.monotonic() - init_started)
        assert first.returncode == 0, first.stdout + first.stderr
        doc = json.loads((project / "smoke-results" / "results.json").read_text())
        assert {c["id"]: c["status"] for c in doc["checks"]} == {
            "health": "pass",
            "homepage_load": "pass",
            "home": "pass",  # the scaffolded e2e journey, from e2e/test_home.py
        }
        assert doc["safety"]["blocked"] == []
    scheduled = sh(bin_dir / "smoke", "schedule", "check", cwd=project)
    assert scheduled.returncode == 0, scheduled.stdout + scheduled.stderr

    workflow = run(linter("actionlint"), "-no-color", ".github/workflows/production-smoke.yml",
                   cwd=project)  # fmt: skip
    assert workflow.returncode == 0, workflow.stdout + workflow.stderr
    image = run(linter("hadolint"), str(project / "deploy/lambda/Dockerfile"))
    assert image.returncode == 0, image.stdout + image.stderr
    template = run(linter("cfn-lint"), str(project / "deploy/lambda/template.yaml"))
    assert template.returncode == 0, template.stdout + template.stderr

    # The figure the issue asks for; the bound is loose, for a shared machine.
    load = os.getloadavg()[0]
    print(f"\npip install -> first green smoke run: {green_s:.1f} s "
          f"(install {install_s:.1f} s; load {load:.2f})")  # fmt: skip
    assert green_s < 120, f"{green_s:.1f} s from pip install to the first green run"
