"""scripts/check-layers: the import contracts hold, and no module imports itself through others."""

from __future__ import annotations

import subprocess
import sys
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).parents[1] / "scripts" / "check-layers"


def _check_layers() -> ModuleType:
    loader = SourceFileLoader("check_layers", str(SCRIPT))
    module = ModuleType(loader.name)
    loader.exec_module(module)
    return module


def test_the_package_keeps_its_contracts_and_has_no_import_cycle() -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("import contracts: ")
    assert proc.stdout.rstrip().endswith("kept; import cycles: none")


def test_a_cycle_is_found_however_long_and_named_as_a_closed_path() -> None:
    cycles = _check_layers().cycles
    imports = {
        "p.a": {"p.b"},
        "p.b": {"p.c", "p.x"},
        "p.c": {"p.a"},  # a -> b -> c -> a
        "p.x": {"p.y"},
        "p.y": {"p.x"},  # x <-> y
        "p.z": {"p.a", "p.x"},  # imports into both, in neither
    }
    assert cycles(imports) == [["p.a", "p.b", "p.c", "p.a"], ["p.x", "p.y", "p.x"]]
    assert cycles({"p.a": {"p.b"}, "p.b": {"p.c"}, "p.c": set()}) == []


BROKEN = """\
Broken contracts
----------------

prodsmoke's layers (ARCHITECTURE.md)
------------------------------------

prodsmoke.config is not allowed to import prodsmoke.e2e:

- prodsmoke.config.catalog -> prodsmoke.e2e.plan (l.174)


the demo target is started by commands only, never imported by a real run
-------------------------------------------------------------------------

prodsmoke.pytest_plugin is not allowed to import prodsmoke.demo:

-   prodsmoke.pytest_plugin -> prodsmoke.runner (l.39, l.204)
    prodsmoke.runner -> prodsmoke.reporters.base (l.34)
    prodsmoke.reporters.base -> prodsmoke.demo.faults (l.33)

-   prodsmoke.pytest_plugin -> prodsmoke.demo (l.9)

"""


def test_each_broken_import_or_chain_is_one_line_naming_its_rule_and_contract() -> None:
    tail = "; pyproject.toml [tool.importlinter])"
    assert _check_layers().broken(BROKEN) == [
        "prodsmoke.config.catalog imports prodsmoke.e2e.plan (l.174): prodsmoke.config may not "
        f"import prodsmoke.e2e (prodsmoke's layers (ARCHITECTURE.md){tail}",
        "prodsmoke.pytest_plugin imports prodsmoke.demo.faults through prodsmoke.runner, "
        "prodsmoke.reporters.base (prodsmoke.reporters.base l.33): prodsmoke.pytest_plugin may "
        "not import prodsmoke.demo (the demo target is started by commands only, never imported "
        f"by a real run{tail}",
        "prodsmoke.pytest_plugin imports prodsmoke.demo (l.9): prodsmoke.pytest_plugin may not "
        "import prodsmoke.demo (the demo target is started by commands only, never imported by "
        f"a real run{tail}",
    ]
