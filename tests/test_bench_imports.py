"""The benches are scripts nobody imports in the suite; a name they take from prodsmoke that moved
would only show the next time someone measures. Every such name must still exist."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((REPO / "bench").glob("*.py"))


def _missing(script: Path) -> list[str]:
    missing = []
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("prodsmoke")):
            continue
        assert node.module is not None
        module = importlib.import_module(node.module)
        for alias in node.names:
            if hasattr(module, alias.name):
                continue
            try:
                importlib.import_module(f"{node.module}.{alias.name}")
            except ImportError:
                missing.append(f"{script.name}:{node.lineno}: {node.module}.{alias.name}")
    return missing


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_every_name_a_bench_imports_from_prodsmoke_exists(script: Path) -> None:
    assert _missing(script) == []
