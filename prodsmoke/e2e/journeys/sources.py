"""Finding a team's Python journeys: `test_<id>` functions in the files `journey_paths` names.

The files are the ones `config.journey_files` finds (every `test_*.py` under a folder, as
pytest collects); every module-level function `test_<id>` is a journey, so the same files run
under `pytest -p prodsmoke.pytest_plugin`. A journey asks for fixtures by parameter name, and
only `page` and `smoke` exist. Whatever is wrong in a file (a syntax or import error, an unknown
fixture, an id that is not lower_snake_case, an id used twice) is a `ConfigError` naming the
file and line, found before anything is sent.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from prodsmoke.config.journey_files import journey_files
from prodsmoke.errors import ConfigError

FIXTURES = ("page", "smoke")
_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
_MODULES: dict[Path, ModuleType] = {}  # each file is imported once per process


@dataclass(frozen=True, slots=True)
class JourneySource:
    """One Python journey: the function, where it is, and how it is called."""

    id: str
    function: Callable[..., object]
    file: Path
    line: int
    is_async: bool
    fixtures: tuple[str, ...]

    def where(self) -> str:
        """`file:line` of the function."""
        return f"{self.file}:{self.line}"


def discover(paths: Iterable[Path]) -> list[JourneySource]:
    """Every journey in `paths` (files or folders), in file then line order."""
    found: dict[str, JourneySource] = {}
    for file in journey_files(paths):
        for source in collect(file, _import(file)):
            if source.id in found:
                raise ConfigError(
                    source.where(),
                    "",
                    f"journey id {source.id!r} is already defined at {found[source.id].where()}",
                )
            found[source.id] = source
    return list(found.values())


def collect(file: Path, module: ModuleType) -> list[JourneySource]:
    """The journeys one imported module defines (not the ones it imports from elsewhere)."""
    sources: list[JourneySource] = []
    for name, function in vars(module).items():
        if not name.startswith("test") or not inspect.isfunction(function):
            continue
        if getattr(function, "__module__", None) != module.__name__:
            continue
        sources.append(from_function(function, file))
    return sorted(sources, key=lambda s: s.line)


def from_function(function: Callable[..., object], file: Path) -> JourneySource:
    """A journey from one `test_<id>` function (pytest's collection uses this too)."""
    line = function.__code__.co_firstlineno
    where = f"{file}:{line}"
    name = function.__name__
    journey_id = name.removeprefix("test_")
    if not name.startswith("test_") or not _ID.fullmatch(journey_id):
        raise ConfigError(
            where,
            "",
            f"{name}: a journey is a function named test_<id>, the id lower_snake_case "
            "(a-z, 0-9, _; e.g. test_pricing_plans)",
        )
    if inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function):
        raise ConfigError(where, "", f"{name}: a journey is a function, not a generator")
    fixtures = []
    for parameter in inspect.signature(function).parameters.values():
        if parameter.default is not inspect.Parameter.empty:
            continue
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.name not in FIXTURES:
            raise ConfigError(
                where,
                "",
                f"{name} asks for fixture {parameter.name!r}; a journey gets only: "
                + ", ".join(FIXTURES),
            )
        fixtures.append(parameter.name)
    return JourneySource(
        id=journey_id,
        function=function,
        file=file,
        line=line,
        is_async=inspect.iscoroutinefunction(function),
        fixtures=tuple(fixtures),
    )


def _import(file: Path) -> ModuleType:
    if file in _MODULES:
        return _MODULES[file]
    folder = str(file.parent)
    if folder not in sys.path:  # pytest's "prepend" import mode: helpers beside the file import
        sys.path.insert(0, folder)
    name = "prodsmoke_journeys." + re.sub(r"\W", "_", str(file.with_suffix("")).lstrip("/"))
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise ConfigError(str(file), "", "cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        del sys.modules[name]
        raise ConfigError(
            f"{exc.filename or file}:{exc.lineno or 0}", "", f"syntax error: {exc.msg}"
        ) from None
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - whatever the file raises, one line
        del sys.modules[name]
        raise ConfigError(
            f"{file}:{_line_in(file, exc)}",
            "",
            f"cannot import: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
        ) from None
    _MODULES[file] = module
    return module


def _line_in(file: Path, exc: BaseException) -> int:
    """The line of `file` the error came through (the deepest frame in that file)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == file]
    return (frames[-1].lineno or 0) if frames else 0
