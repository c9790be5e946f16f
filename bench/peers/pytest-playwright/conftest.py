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


@pytest.fixture(autouse=True)
def _guard_floor(context, tmp_path):
    """With BENCH_PEER_FLOOR=1 (bench/scale's `peer-floor` variant): what prodsmoke's safety and
    artifact properties need of every journey, and no prodsmoke code: every request routed and
    continued (the guard's interception, with no decision made), and the light trace and HAR a
    first attempt records (dropped when the test passes)."""
    if os.environ.get("BENCH_PEER_FLOOR") != "1":
        yield
        return
    context.route("**/*", lambda route: route.continue_())
    context.tracing.start(screenshots=False, snapshots=False)
    context.tracing.start_har(tmp_path / "network.har", content="omit")
    yield
    context.tracing.stop()
    context.tracing.stop_har()
