"""Check ids for pytest tests: from the node id, stable across runs, valid for any test name.

    tests/test_pricing.py::test_pricing_plans              -> pricing_plans
    tests/test_todo.py::TestNewTodo::test_should_add       -> new_todo_should_add
    tests/test_search.py::test_search[widget-3]            -> search_widget_3
    pytest-playwright's own [chromium] parameter           -> left out (prodsmoke runs Chromium)

An id is lower_snake_case: a letter, then letters, digits and `_`, at most 64 characters. A
longer one keeps its first 55 characters and ends in `_` and 8 hex digits of a hash of the whole
node id, so it stays the same from run to run and differs from its neighbours'. Two tests whose
names give the same id (the same function name in two files) are told apart by their module:
`<module>__<id>` for both (the file's name without `test_`; its folders too, if the names
still clash).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

MAX_LEN = 64
RULE = "lower_snake_case: a letter, then a-z, 0-9 and _, at most 64 characters"
ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
_HASHED = MAX_LEN - 9  # keep this much, then "_" and 8 hex digits
DEFAULT_BROWSER = "chromium"


@dataclass(frozen=True, slots=True)
class Named:
    """What an id is made from: the node id and its parts."""

    nodeid: str
    module: str  # the file's path relative to the rootdir, posix
    classes: tuple[str, ...]
    function: str
    params: tuple[str, ...]  # the parametrize ids, in order


def snake(text: str) -> str:
    """`text` as lower_snake_case words ('' when nothing is left)."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def base(named: Named) -> str:
    """The id before clashes are resolved (may still need shortening)."""
    parts = [snake(c.removeprefix("Test")) for c in named.classes]
    function = named.function
    parts.append(snake(function.removeprefix("test_") if function != "test_" else function))
    parts += [snake(p) for p in named.params if p != DEFAULT_BROWSER]
    text = "_".join(p for p in parts if p)
    if not text or not text[0].isalpha():
        text = f"test_{text}".rstrip("_")
    return text


def shorten(text: str, nodeid: str) -> str:
    """`text` cut to MAX_LEN with a stable hash of `nodeid` when longer."""
    if len(text) <= MAX_LEN:
        return text
    digest = hashlib.sha1(nodeid.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{text[:_HASHED].rstrip('_')}_{digest}"


def assign(tests: Sequence[Named]) -> list[str]:
    """An id for each test, in order (see the module docstring)."""
    ids = [base(t) for t in tests]
    by_id: dict[str, list[int]] = defaultdict(list)
    for index, value in enumerate(ids):
        by_id[value].append(index)
    for value, indexes in by_id.items():
        if len(indexes) < 2:  # noqa: PLR2004 - a clash takes two
            continue
        stems = [_module_words(tests[i].module, folders=False) for i in indexes]
        whole = len(set(stems)) < len(stems)
        for index in indexes:
            ids[index] = f"{_module_words(tests[index].module, folders=whole)}__{value}"
    return [shorten(value, test.nodeid) for value, test in zip(ids, tests, strict=True)]


def _module_words(module: str, *, folders: bool) -> str:
    path = PurePosixPath(module)
    parts = (*path.parent.parts, path.stem) if folders else (path.stem,)
    words = [snake(p.removeprefix("test_")) for p in parts]
    return "_".join(w for w in words if w) or "module"


def duplicates(ids: Iterable[str]) -> list[str]:
    """The ids that still appear more than once."""
    seen: dict[str, int] = defaultdict(int)
    for value in ids:
        seen[value] += 1
    return [value for value, count in seen.items() if count > 1]
