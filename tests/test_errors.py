"""The exception tree in `prodsmoke/errors.py`'s docstring is the whole tree: every `SmokeError`
subclass anywhere in the package is defined there, and every one of them and every `CheckFailure`
is drawn under its base (naming its module when it lives elsewhere)."""

from __future__ import annotations

import importlib
import pkgutil
import re

import prodsmoke
from prodsmoke import errors
from prodsmoke.errors import CheckFailure, SmokeError

# `__main__` runs the CLI; the migrations' env.py runs Alembic when imported.
NOT_IMPORTED = ("prodsmoke.__main__", "prodsmoke.history.migrations")
_DRAWN = re.compile(r"^    (?P<indent>[│├└─ ]*)(?P<name>[A-Z]\w+)(?:\((?P<base>\w+)\))?(?:\s|$)")


def _every_module() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(prodsmoke.__path__, "prodsmoke."):
        if not info.name.startswith(NOT_IMPORTED):
            importlib.import_module(info.name)
            names.append(info.name)
    return names


def _subclasses(root: type[BaseException]) -> set[type[BaseException]]:
    found: set[type[BaseException]] = set()
    todo = [root]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def _tree() -> dict[str, tuple[str, str]]:
    """Each class the docstring draws: the base it is drawn under, and its line."""
    drawn: dict[str, tuple[str, str]] = {}
    parents: list[str] = []  # the names open at each depth
    for line in (errors.__doc__ or "").splitlines():
        match = _DRAWN.match(line)
        if match is None:
            continue
        depth = len(match["indent"]) // 4
        del parents[depth:]
        base = parents[-1] if parents else (match["base"] or "Exception")
        drawn[match["name"]] = (base, line)
        parents.append(match["name"])
    return drawn


def test_every_smoke_error_is_defined_in_errors_and_drawn_under_its_base() -> None:
    assert len(_every_module()) > 100  # the whole package was imported
    tree = _tree()
    for cls in sorted(_subclasses(SmokeError), key=str):
        assert cls.__module__ == "prodsmoke.errors", f"{cls.__qualname__} is in {cls.__module__}"
    for cls in sorted(_subclasses(SmokeError) | _subclasses(CheckFailure), key=str):
        base, line = tree.get(cls.__name__, ("", ""))
        assert base == cls.__bases__[0].__name__, (
            f"{cls.__name__} is not drawn under {cls.__bases__[0].__name__} in prodsmoke/errors.py"
        )
        if cls.__module__ != "prodsmoke.errors":
            assert f"`{cls.__module__.removeprefix('prodsmoke.')}`" in line, line


def test_the_tree_draws_nothing_that_is_not_there() -> None:
    for name, (base, line) in _tree().items():
        where = re.search(r"`([a-z0-9_.]+)`: ", line)
        module = importlib.import_module(f"prodsmoke.{where[1]}") if where else errors
        assert getattr(module, name).__bases__[0].__name__ == base, f"{name} is drawn under {base}"
