"""A team's Python journey files, read without running them.

Which files `journey_paths` holds (`test_*.py`, as pytest collects) and, from each file's syntax
tree, the journeys it defines (`def test_<id>` / `async def test_<id>` at module level) with the
step and metric names they pass as literals to `smoke.step(…)` / `smoke.metric(…)`. Alert rules
and check-config need these names; reading them statically never runs a team's code.
(`prodsmoke.e2e.journeys.sources` imports the files when a run needs the functions themselves.)
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class StaticJourney:
    """A journey as its file declares it. `steps` / `metrics` are None when a name is computed
    at run time (not a literal), so the full set cannot be known before a run."""

    id: str
    file: Path
    line: int
    steps: frozenset[str] | None
    metrics: frozenset[str] | None


def journey_files(paths: Iterable[Path]) -> list[Path]:
    """The `test_*.py` files in `paths` (files or folders), sorted; hidden folders and caches
    are skipped."""
    files: list[Path] = []
    for path in paths:
        if path.is_file():
            files.append(path)
            continue
        for file in sorted(path.rglob("test_*.py")):
            parts = file.relative_to(path).parts
            if not any(p.startswith(".") or p == "__pycache__" for p in parts):
                files.append(file)
    return sorted(dict.fromkeys(f.resolve() for f in files))


def scan(paths: Iterable[Path]) -> list[StaticJourney]:
    """Every journey the files in `paths` declare (unreadable files declare none: a run says
    why, in one line, when it imports them)."""
    return [journey for file in journey_files(paths) for journey in scan_file(file)]


def scan_file(file: Path) -> list[StaticJourney]:
    """The journeys one file declares."""
    try:
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test_"
        ):
            steps, metrics = literal_names(node)
            out.append(StaticJourney(node.name[5:], file, node.lineno, steps, metrics))
    return out


def literal_names(node: ast.AST) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """The names in `smoke.step("…")` and `smoke.metric("…", …)` calls under `node`; None for
    a kind with any name that is not a literal."""
    found: dict[str, set[str] | None] = {"step": set(), "metric": set()}
    for call in ast.walk(node):
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in found
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "smoke"
        ):
            continue
        names = found[call.func.attr]
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            if names is not None:
                names.add(first.value)
        else:
            found[call.func.attr] = None
    steps, metrics = found["step"], found["metric"]
    return (
        frozenset(steps) if steps is not None else None,
        frozenset(metrics) if metrics is not None else None,
    )
