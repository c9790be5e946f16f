"""`smoke demo` without a project of its own: which config it runs, and without the extra."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from prodsmoke.cli import main
from prodsmoke.commands.demo import demo_config
from prodsmoke.demo import PROJECT


def test_it_runs_the_config_given_then_the_folders_demo_then_the_packaged_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    given = tmp_path / "mine"
    assert demo_config(given) == (given, f"demo project: {given} (--config)")

    packaged, line = demo_config(None)  # this folder has no config/ at all
    assert packaged == PROJECT / "config"
    assert (packaged / "environments" / "demo.yaml").is_file()
    assert (packaged.parent / "e2e" / "test_pricing.py").is_file()  # its journeys beside it
    assert line == (
        f"demo project: {PROJECT} (packaged with prodsmoke: this folder has no "
        "config/environments/demo.yaml)"
    )

    (tmp_path / "config" / "environments").mkdir(parents=True)
    (tmp_path / "config" / "environments" / "production.yaml").write_text("")
    assert demo_config(None)[0] == PROJECT / "config"  # a team's project: no demo of its own

    (tmp_path / "config" / "environments" / "demo.yaml").write_text("")
    assert demo_config(None) == (
        Path("config"),
        "demo project: config (this folder's environments/demo.yaml)",
    )


@pytest.mark.parametrize("command", ["demo", "serve-demo"])
def test_without_the_demo_extra_it_is_one_line_naming_the_extra(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "prodsmoke.demo", None)  # as if starlette were missing

    assert main([command]) == 2

    assert capsys.readouterr().err == (
        "smoke: the demo target needs the 'demo' extra: pip install 'prodsmoke[demo]'\n"
    )
