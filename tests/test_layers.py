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
