"""scripts/ensure-browser (what `make` runs first): which Chromium it settles on and what it
installs, with `smoke`, `playwright`, `apt-get` and `id` replaced by stand-ins that record calls."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.deploy.linters import linter, run

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ensure-browser"
SHELL = "Chromium 156.0 (system: /usr/bin/chromium-headless-shell)"
FULL = "Chromium 156.0 (system: /usr/bin/chromium)"
NONE = "Chromium: none that starts here (no Chromium found)"
# Each stand-in appends its argv to calls; `smoke --version` prints the browser file's line.
# `playwright install` and `apt-get install` succeed when their *.ok file exists, and then
# make the browser file say what they would have installed.
STANDINS = {
    "venv/bin/smoke": 'printf "prodsmoke 0\\nPlaywright 0\\n%s\\n" "$(cat "$T/browser")"',
    "venv/bin/playwright": (
        'echo "playwright $*" >> "$T/calls"\n'
        '[ -e "$T/playwright.ok" ] && echo "Chromium 159.0 (playwright: Playwright-managed)"'
        ' > "$T/browser"'
    ),
    "path/apt-get": (
        'echo "apt-get $*" >> "$T/calls"\n'
        'case "$*" in *install*chromium-headless-shell*) [ -e "$T/apt.ok" ] &&'
        f' echo "{SHELL}" > "$T/browser";; *install*) [ -e "$T/apt.ok" ];; esac\n'
        "exit 0"
    ),
    "path/id": 'echo "$UID_IS"',
}


@pytest.fixture
def machine(tmp_path: Path) -> Path:
    for name, body in STANDINS.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    (tmp_path / "calls").write_text("")
    return tmp_path


def ensure(machine: Path, browser: str, *, uid: int = 0, **env: str) -> tuple[int, str, list[str]]:
    (machine / "browser").write_text(browser + "\n")
    environ = {
        "PATH": f"{machine / 'path'}:/usr/bin:/bin",
        "T": str(machine),
        "UID_IS": str(uid),
        **env,
    }
    proc = subprocess.run(
        [str(SCRIPT), str(machine / "venv" / "bin")],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    calls = (machine / "calls").read_text().splitlines()
    (machine / "calls").write_text("")
    return proc.returncode, proc.stdout + proc.stderr, calls


def test_a_headless_shell_found_is_used_and_nothing_is_installed(machine: Path) -> None:
    assert ensure(machine, SHELL) == (0, f"ensure-browser: runs use {SHELL}\n", [])


def test_with_only_a_full_chromium_root_on_debian_gets_debians_headless_shell(
    machine: Path,
) -> None:
    (machine / "apt.ok").touch()
    code, out, calls = ensure(machine, FULL)
    assert code == 0
    assert calls == [
        "playwright install --only-shell chromium",  # offline: it fails
        "apt-get update -qq",
        "apt-get install -y -qq chromium-headless-shell",
    ]
    assert out.splitlines()[-1] == f"ensure-browser: runs use {SHELL}"


def test_playwrights_own_headless_shell_comes_first(machine: Path) -> None:
    (machine / "playwright.ok").touch()
    code, out, calls = ensure(machine, FULL)
    assert (code, calls) == (0, ["playwright install --only-shell chromium"])
    assert out.splitlines()[-1] == (
        "ensure-browser: runs use Chromium 159.0 (playwright: Playwright-managed)"
    )


def test_a_full_chromium_runs_when_no_shell_can_be_had_and_is_not_retried(
    machine: Path,
) -> None:
    code, out, calls = ensure(machine, FULL, uid=1000)  # not root: no apt-get
    assert (code, calls) == (0, ["playwright install --only-shell chromium"])
    assert out.splitlines()[-2:] == [
        f"ensure-browser: runs use {FULL}",
        "ensure-browser: (a full Chromium: no headless shell could be installed; everything "
        "works, pages start slower)",
    ]
    assert (machine / "venv" / ".no-headless-shell").exists()

    code, out, calls = ensure(machine, FULL, uid=1000)
    assert (code, calls) == (0, [])
    assert out.startswith(f"ensure-browser: runs use {FULL} (a full Chromium: no headless shell")


def test_no_chromium_at_all_as_root_installs_debians_chromium_and_its_shell(
    machine: Path,
) -> None:
    (machine / "apt.ok").touch()
    code, out, calls = ensure(machine, NONE)
    assert code == 0
    assert calls == [
        "playwright install chromium",
        "apt-get update -qq",
        "apt-get install -y -qq chromium",
        "apt-get install -y -qq chromium-headless-shell",
    ]
    assert out.splitlines()[-1] == f"ensure-browser: runs use {SHELL}"


def test_no_chromium_and_none_to_be_had_is_exit_3_saying_what_to_do(machine: Path) -> None:
    code, out, _ = ensure(machine, NONE, uid=1000)
    assert code == 3
    assert "set PRODSMOKE_CHROMIUM to a Chromium executable" in out


def test_prodsmoke_chromium_is_the_one_and_nothing_is_installed(machine: Path) -> None:
    line = "Chromium 156.0 (override: /usr/bin/chromium)"
    assert ensure(machine, line, PRODSMOKE_CHROMIUM="/usr/bin/chromium") == (
        0,
        f"ensure-browser: runs use {line}\n",
        [],
    )
    code, out, calls = ensure(machine, NONE, PRODSMOKE_CHROMIUM="/nowhere")
    assert (code, calls) == (3, [])
    assert out == f"ensure-browser: {NONE}\n"


def test_the_script_is_executable_and_clean_for_shellcheck() -> None:
    assert os.access(SCRIPT, os.X_OK)
    proc = run(linter("shellcheck"), str(SCRIPT))
    assert proc.returncode == 0, proc.stdout + proc.stderr
