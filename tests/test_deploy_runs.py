"""`smoke run --base-url URL --commit SHA --version V --trigger deploy` (issue 22): the guard
follows an overridden base URL only when the config or `--allow-host` allows its host, the header
line says so, and results.json and the history keep the deploy."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from prodsmoke.commands.release import release, retarget
from prodsmoke.config.models import Settings
from prodsmoke.errors import UsageError
from prodsmoke.options import Release
from tests.history.smoke_runs import HTTP_ONLY, smoke_in

SETTINGS = {
    "name": "production",
    "base_url": "https://app.example.com",
    "safety": {"allowed_hosts": ["cdn.example.com", "*.preview.example.com"]},
}


def settings() -> Settings:
    return Settings.model_validate(SETTINGS)


def flags(**given: object) -> argparse.Namespace:
    values = {"trigger": None, "adhoc": False, "commit": None, "release_version": None}
    return argparse.Namespace(**(values | given))


@pytest.mark.parametrize(
    ("url", "allow", "host_note"),
    [
        ("https://app.example.com/", [], None),
        (
            "https://pr-42.preview.example.com",
            [],
            "pr-42.preview.example.com in safety.allowed_hosts",
        ),
        ("http://127.0.0.1:8321", ["127.0.0.1"], "127.0.0.1 allowed by --allow-host"),
    ],
)
def test_the_guard_follows_the_base_url_the_config_or_the_command_line_allows(
    url, allow, host_note
):
    moved, note = retarget(settings(), url, allow)

    assert moved.base_url == url.rstrip("/")
    assert moved.host == url.split("//")[1].split(":")[0].rstrip("/")
    if host_note is None:
        assert note is None
    else:
        assert note == f"--base-url, not https://app.example.com; {host_note}"
        # the environment's own host stays allowed (GET only, like any allowed host)
        assert "app.example.com" in moved.safety.allowed_hosts
    assert set(allow) <= set(moved.safety.allowed_hosts)


@pytest.mark.parametrize(
    ("url", "allow", "message"),
    [
        (
            "https://evil.example.net",
            [],
            "--base-url https://evil.example.net: host evil.example.net is not the environment's "
            "(app.example.com) nor in its safety.allowed_hosts, and the guard never widens on its "
            "own; to send the run there, add --allow-host evil.example.net",
        ),
        (
            "https://pr-7.preview.example.com.evil.net",
            ["other.example.com"],
            "--base-url https://pr-7.preview.example.com.evil.net: host "
            "pr-7.preview.example.com.evil.net is not the environment's (app.example.com) nor in "
            "its safety.allowed_hosts, and the guard never widens on its own; to send the run "
            "there, add --allow-host pr-7.preview.example.com.evil.net",
        ),
        ("ftp://app.example.com", [], "--base-url: got 'ftp://app.example.com', expected an "
         "http(s) URL, e.g. https://pr-42.example.com"),
        ("https://qa:pw@app.example.com", [], "--base-url: a user name or password in the URL "
         "would be shown and stored with every result; set http_credentials in the environment "
         "file instead"),
        ("https://app.example.com", ["https://x.example.com"], "--allow-host: got "
         "'https://x.example.com', expected a host name like preview.example.com or "
         "*.preview.example.com (no scheme, port or path)"),
    ],
)  # fmt: skip
def test_a_host_nobody_allowed_is_refused_in_one_line(url, allow, message):
    with pytest.raises(UsageError) as info:
        retarget(settings(), url, allow)
    assert str(info.value) == message


def test_the_deploy_comes_from_the_flags_or_the_environment():
    ci = {"GITHUB_SHA": "3F2A9C1D" * 5, "SMOKE_VERSION": "1.4.2"}
    assert release(flags(trigger="deploy"), ci) == Release(
        commit="3f2a9c1d" * 5, version="1.4.2", deploy=True
    )
    # a scheduled run in Actions is of the workflow's commit, not the product's: no GITHUB_SHA
    assert release(flags(), ci) == Release(version="1.4.2")
    assert release(flags(commit="abc1234", release_version="2"), ci) == Release("abc1234", "2")


@pytest.mark.parametrize(
    ("given", "environ", "message"),
    [
        ({"trigger": "deploy"}, {}, "--trigger deploy: the run must know its deploy to be "
         "compared with the one before; give --version V or --commit SHA (or set "
         "$SMOKE_VERSION, or $GITHUB_SHA in Actions)"),
        ({"commit": "main"}, {}, "--commit: got 'main', expected a git commit SHA (7-64 hex "
         "digits), e.g. 3f2a9c1"),
        ({}, {"SMOKE_VERSION": "1.0 rc"}, "$SMOKE_VERSION: got '1.0 rc', expected a version "
         "label (letters, digits and ._+/-, at most 64), e.g. 1.4.2 or 2026-12-05.1"),
        ({"adhoc": True, "trigger": "deploy"}, {}, "--adhoc and --trigger deploy disagree; "
         "give one of them"),
    ],
)  # fmt: skip
def test_a_bad_deploy_flag_is_one_line(given, environ, message):
    with pytest.raises(UsageError) as info:
        release(flags(**given), environ)
    assert str(info.value) == message


def test_a_deploy_run_goes_where_told_says_so_and_is_kept_as_a_deploy(demo_target, tmp_path):
    # The config names a host the demo target does not answer on; the deploy is on loopback.
    root = tmp_path / "config"
    (root / "environments").mkdir(parents=True)
    text = HTTP_ONLY.replace("${SMOKE_DEMO_URL}", "https://app.example.com")
    (root / "environments" / "demo.yaml").write_text(
        text.replace("allowed_hosts: [127.0.0.1]", "allowed_hosts: [cdn.example.com]")
    )
    (root / "monitoring-integration.yaml").write_text("reporters: [history]\n")
    port = demo_target.url.rsplit(":", 1)[1]
    argv = ["run", "--env", "demo", "--output", "out", "--base-url", f"http://127.0.0.1:{port}"]

    refused = smoke_in(tmp_path, *argv, "--version", "2.0.0", "--trigger", "deploy")
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr.startswith("smoke: --base-url http://127.0.0.1:")
    assert "add --allow-host 127.0.0.1\n" in refused.stderr
    assert not (tmp_path / "out").exists()  # nothing sent, nothing written

    env = {"GITHUB_SHA": "9c1d3f2a" * 5, "SMOKE_VERSION": "2.0.0"}
    proc = smoke_in(tmp_path, *argv, "--allow-host", "127.0.0.1", "--trigger", "deploy", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    header = proc.stdout.splitlines()[0]
    assert (
        f"· http://127.0.0.1:{port} (--base-url, not https://app.example.com; 127.0.0.1 allowed "
        "by --allow-host) ·" in header
    )
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    assert (doc["trigger"], doc["version"], doc["commit"]) == ("deploy", "2.0.0", "9c1d3f2a" * 5)
    assert doc["target"] == f"http://127.0.0.1:{port}"
    assert demo_target.audit()["unmarked"] == []  # marked as synthetic on the new host too

    listed = smoke_in(tmp_path, "history", "list", "--env", "demo", "--output", "out",
                      "--config", "config", "--format", "json")  # fmt: skip
    [row] = json.loads(listed.stdout)
    assert (row["trigger"], row["version"], row["commit"]) == ("deploy", "2.0.0", "9c1d3f2a9c1d")


def test_a_check_subset_of_a_deploy_is_a_deploy_run(tmp_path: Path):
    from prodsmoke.commands.release import is_adhoc

    deploy = Release(version="1", deploy=True)
    assert not is_adhoc(argparse.Namespace(check=["health"], adhoc=False, trigger="deploy"), deploy)
    assert is_adhoc(argparse.Namespace(check=["health"], adhoc=False, trigger=None), Release())
