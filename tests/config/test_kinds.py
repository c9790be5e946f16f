"""The journey kinds are one static table (`config.kinds.KINDS`): loading a configuration needs
nothing imported first, and every row's model and run are where its name says."""

from __future__ import annotations

import inspect
import subprocess
import sys
import typing
from importlib import import_module
from pathlib import Path

import prodsmoke
from prodsmoke.config.journeys import JourneySpec
from prodsmoke.config.kinds import KINDS, SPECS
from prodsmoke.config.kinds.page_load import PageLoad
from prodsmoke.demo import PROJECT
from prodsmoke.e2e.journeys.base import JourneyRun

PACKAGE = Path(prodsmoke.__file__).parent
RUNTIME_ONLY = {"__init__", "base", "handle"}  # e2e/journeys/: what every kind's run shares


def test_a_fresh_process_loads_a_configuration_without_importing_the_runtime() -> None:
    # The demo environment has a journey of every kind; before the table, this raised
    # "RuntimeError: no journey kinds are registered" unless prodsmoke.e2e.journeys came first.
    probe = f"""
import sys
from pathlib import Path
from prodsmoke.config import load_settings
environ = {{"SMOKE_TEST_PASSWORD": "pw-12345"}}
settings = load_settings(Path({str(PROJECT / "config")!r}), "demo", environ=environ)
print(sorted({{spec.kind for spec in settings.journeys.values()}}))
print(sorted(m for m in ("playwright", "prodsmoke.e2e") if m in sys.modules))
"""
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    kinds, runtime = proc.stdout.splitlines()
    assert kinds == str(sorted(SPECS))
    assert runtime == "[]"


def test_each_kind_is_a_config_model_and_a_run_in_modules_named_after_it() -> None:
    assert len(SPECS) == len(KINDS)  # one row per kind name
    for kind in KINDS:
        assert issubclass(kind.spec, JourneySpec)
        assert kind.spec.__module__ == f"prodsmoke.config.kinds.{kind.name}"
        assert kind.run == f"prodsmoke.e2e.journeys.{kind.name}"
        run = import_module(kind.run).run
        assert inspect.iscoroutinefunction(run), kind.run
        # its annotations name the model (imported for the type checker only) and JourneyRun
        names = {kind.spec.__name__: kind.spec, "JourneyRun": JourneyRun}
        hints = typing.get_type_hints(run, localns=names)
        assert hints == {"j": JourneyRun, "spec": kind.spec, "return": type(None)}, kind.run


def test_every_kind_module_is_in_the_table() -> None:
    names = set(SPECS)
    assert {p.stem for p in (PACKAGE / "config" / "kinds").glob("*.py")} - {"__init__"} == names
    runs = {p.stem for p in (PACKAGE / "e2e" / "journeys").glob("*.py")} - RUNTIME_ONLY
    assert runs == names


def test_the_engine_finds_every_run_through_the_table() -> None:
    from prodsmoke.e2e.journeys import RUNS, runner_for

    assert set(RUNS) == set(SPECS)
    for kind in KINDS:
        assert RUNS[kind.name] is import_module(kind.run).run
    assert runner_for(PageLoad()) is RUNS["page_load"]
