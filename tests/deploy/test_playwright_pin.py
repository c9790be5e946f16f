"""One Playwright: pyproject.toml states the supported range, constraints.txt pins the release of
it that `make`, CI, the scheduled workflow and the Lambda image install (its tag included), and
CI also runs the suite at the range's oldest."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from prodsmoke.scaffold.deploy import CONSTRAINTS, pinned

REPO = Path(__file__).resolve().parents[2]
PIN = pinned((REPO / CONSTRAINTS).read_text(), "playwright")


def supported() -> Requirement:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    (requirement,) = [
        r for r in map(Requirement, project["dependencies"]) if r.name == "playwright"
    ]
    return requirement


def oldest() -> str:
    (floor,) = [s.version for s in supported().specifier if s.operator == ">="]
    return floor


def test_the_range_is_one_minor_release_and_the_pin_is_in_it() -> None:
    specifier = supported().specifier
    (ceiling,) = [Version(s.version) for s in specifier if s.operator == "<"]
    floor = Version(oldest())
    assert (ceiling.major, ceiling.minor) == (floor.major, floor.minor + 1), specifier
    assert PIN in specifier
    assert version("playwright") in specifier  # what this suite is running on now


def test_the_lambda_image_is_the_pinned_releases_own() -> None:
    # Playwright's Python image of a release carries that release's browsers; the package on it
    # must be the same release, or it looks for a Chromium build the image does not have.
    dockerfile = (REPO / "deploy/lambda/Dockerfile").read_text()
    assert f"ARG PLAYWRIGHT_VERSION={PIN}\n" in dockerfile
    assert "FROM mcr.microsoft.com/playwright/python:v${PLAYWRIGHT_VERSION}-noble\n" in dockerfile
    assert '"playwright==${PLAYWRIGHT_VERSION}"' in dockerfile
    assert "--constraint /constraints.txt" in dockerfile


def test_make_ci_and_the_scheduled_workflow_install_with_the_constraints() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "pip install --quiet --constraint constraints.txt -e '.[dev]'" in makefile
    assert re.search(r"^\$\(INSTALLED\): pyproject\.toml constraints\.txt$", makefile, re.M)

    ci = yaml.safe_load((REPO / ".github/workflows/ci.yml").read_text())["jobs"]
    assert [s.get("run") for s in ci["test"]["steps"] if "run" in s] == [
        "make .venv/.installed",
        ".venv/bin/playwright install --with-deps chromium",
        "make test",
    ]
    smoke = yaml.safe_load((REPO / ".github/workflows/production-smoke.yml").read_text())
    steps = {s.get("name"): s.get("run") for s in smoke["jobs"]["smoke"]["steps"]}
    assert steps["Install prodsmoke"] == (
        "python -m pip install --constraint constraints.txt '.[aws,datadog,postgres]'"
    )
    assert steps["Install Chromium"] == "python -m playwright install --with-deps chromium"


def test_ci_also_runs_the_suite_at_the_oldest_playwright_supported() -> None:
    job = yaml.safe_load((REPO / ".github/workflows/ci.yml").read_text())["jobs"][
        "oldest-playwright"
    ]
    assert job["env"]["PLAYWRIGHT_OLDEST"] == oldest()
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert runs[0].splitlines() == [
        "make .venv/.installed",
        '.venv/bin/python -m pip install --quiet "playwright==${PLAYWRIGHT_OLDEST}"',
    ]
    assert runs[1:] == [".venv/bin/playwright install --with-deps chromium", "make unit"]
    assert oldest() != PIN  # else the job tests what the other one does


def test_pinned_reads_a_constraints_line_and_says_when_there_is_none() -> None:
    text = "# comment\nPlaywright == 1.2.3  # why\npytest-playwright==0.10.0\n"
    assert pinned(text, "playwright") == "1.2.3"
    assert pinned(text, "pytest-playwright") == "0.10.0"
    with pytest.raises(ValueError, match=r"^constraints.txt pins no playwright \(expected a line"):
        pinned("playwright>=1\n", "playwright")
