"""The Lambda container image: hadolint-clean, a Playwright base, only the runtime extras,
`awslambdaric` calling our handler, and a filesystem that only needs /tmp."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from prodsmoke import __version__
from tests.deploy.linters import linter, run

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "deploy" / "lambda" / "Dockerfile"
IGNORE = REPO / "deploy" / "lambda" / "Dockerfile.dockerignore"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def test_hadolint_passes() -> None:
    proc = run(linter("hadolint"), str(DOCKERFILE))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text(DOCKERFILE.read_text().replace("USER 10001", "USER root"))
    proc = run(linter("hadolint"), str(bad))
    assert proc.returncode != 0
    assert "DL3002" in proc.stdout  # last USER should not be root


def test_image_is_playwright_based_with_the_same_playwright_version() -> None:
    steps = instructions()
    (base,) = [args for word, args in steps if word == "FROM"]
    assert base == "mcr.microsoft.com/playwright/python:v${PLAYWRIGHT_VERSION}-noble"
    install = next(args for word, args in steps if word == "RUN" and "pip install" in args)
    assert '"playwright==${PLAYWRIGHT_VERSION}"' in install
    assert re.search(r'"awslambdaric==\$\{AWSLAMBDARIC_VERSION\}"', install)


def test_image_installs_prodsmokes_wheel_with_only_the_runtime_extras() -> None:
    install = next(args for word, args in instructions() if word == "RUN" and "pip install" in args)
    # the wheel built from this checkout (deploy.sh builds it into dist/), never copied source,
    # with the versions CI tested (constraints.txt, bind-mounted too)
    assert " ".join(install.split()).startswith(
        "--mount=type=bind,source=dist,target=/dist "
        "--mount=type=bind,source=constraints.txt,target=/constraints.txt "
        "python -m pip install --no-cache-dir --constraint /constraints.txt "
    )
    (extras,) = re.findall(
        r'"/dist/prodsmoke-\$\{PRODSMOKE_VERSION\}-py3-none-any\.whl\[([^\]]*)\]"', install
    )
    assert set(extras.split(",")) == {"aws", "datadog", "postgres"}  # postgres: the shared history
    assert "--no-cache-dir" in install
    (version,) = [a for w, a in instructions() if w == "ARG" and a.startswith("PRODSMOKE_VERSION=")]
    assert version == f"PRODSMOKE_VERSION={__version__}"


def test_image_is_ready_for_a_read_only_filesystem() -> None:
    env = " ".join(args for word, args in instructions() if word == "ENV")
    for setting in (
        "HOME=/tmp",
        "PLAYWRIGHT_BROWSERS_PATH=/ms-playwright",
        "PYTHONDONTWRITEBYTECODE=1",
        "SMOKE_LAMBDA_ROOT=/tmp",
        "SMOKE_CONFIG_DIR=/app/config",
    ):
        assert setting in env
    copies = [args for word, args in instructions() if word == "COPY"]
    assert copies == ["config/ /app/config/", "e2e/ /app/e2e/"]
    # what the build context must let through (everything else is ignored, .venv included)
    kept = {line[1:] for line in IGNORE.read_text().splitlines() if line.startswith("!")}
    assert kept == {"config/", "e2e/", "dist/prodsmoke-*.whl", "constraints.txt"}


def test_entrypoint_is_awslambdaric_calling_the_handler() -> None:
    steps = dict(instructions())
    assert steps["ENTRYPOINT"] == '["python", "-m", "awslambdaric"]'
    (target,) = re.findall(r'^\["([\w.]+)"\]$', steps["CMD"])
    module, _, function = target.rpartition(".")
    assert callable(getattr(importlib.import_module(module), function))


def test_image_user_is_the_one_the_cronjob_runs_as() -> None:
    steps = instructions()
    (user,) = [args for word, args in steps if word == "USER"]
    assert re.search(rf"useradd --uid {user}\b", " ".join(a for w, a in steps if w == "RUN"))
    cronjob = (REPO / "deploy" / "k8s" / "cronjob.yaml").read_text()
    assert f"runAsUser: {user}" in cronjob
