"""`smoke --version`: prodsmoke's version, Playwright's, and the Chromium a run here would use."""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest

from prodsmoke import __version__
from tests.smoke_cli import smoke

pytestmark = pytest.mark.browser


def test_version_names_prodsmoke_playwright_and_the_chromium_in_use() -> None:
    proc = smoke("--version")
    assert proc.returncode == 0, proc.stderr
    name, playwright, chromium = proc.stdout.splitlines()
    assert name == f"prodsmoke {__version__}"
    assert playwright.startswith(f"Playwright {version('playwright')} (Python 3.")
    # the line a run prints after "browser: " (the same launch, the same search order)
    assert re.fullmatch(r"Chromium \d+(\.\d+)+ \((playwright|system): .+\)", chromium), chromium


def test_without_a_chromium_it_says_so_and_still_exits_0() -> None:
    proc = smoke("--version", env={"PRODSMOKE_CHROMIUM": "/nonexistent/chromium"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[2].startswith("Chromium: none that starts here (")
    assert "/nonexistent/chromium" in proc.stdout
