"""Peer (b): pytest-playwright's default fixtures; only the launch arguments are overridden."""

from __future__ import annotations

import os

import pytest

QUIET_ARGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """The same Chromium and launch arguments prodsmoke uses."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium-headless-shell"),
        "args": QUIET_ARGS,
    }


@pytest.fixture(scope="session")
def base_url():
    """The target, from the environment (pytest-base-url is not installed)."""
    return os.environ["BENCH_TARGET_URL"].rstrip("/")
