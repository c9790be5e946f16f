"""Collecting a team's pytest files for `smoke run`: pytest's own collection, then a pause.

`smoke run` is not a pytest session, but a team's tests are pytest's to find: their conftests,
ini file, rootdir and `pythonpath`, fixtures and parametrization. So pytest itself runs, on a
thread of its own, with prodsmoke's fixture layer registered, up to the point where it would run
the tests; there it waits (`Embedded.pytest_runtestloop`) while the engine runs them, and ends the
session (session-finish hooks, unconfigure) once told to. Before anything is sent, whatever went
wrong in the files (a syntax or import error, a broken conftest, a bad parametrize) is one
`ConfigError` naming the file and line.

Left out of that session, as they would fight prodsmoke's own run: the ini file's `addopts`
(prodsmoke chooses the run's options; `journey_markers` selects by marker), output capture,
pytest-asyncio, anyio's plugin and pytest-timeout (prodsmoke runs async tests and bounds every
attempt), the warnings and unraisable-exception plugins (process-wide filters and hooks, with
tests running at once; the latter also ran five full garbage collections at the session's end,
~0.15 s), the cache.

pytest rewrites the asserts of every module it imports from a distribution that registers a
pytest plugin, for as long as its session lives, and caches nothing where bytecode is not
written (`PYTHONDONTWRITEBYTECODE`, as in the Lambda image): anyio (httpx's) is one, and its
asyncio backend, first imported by the run's first request, was rewritten on every run (~0.12 s
of CPU). So it is imported before the session starts.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from prodsmoke.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

BLOCKED_PLUGINS = (
    "cacheprovider", "asyncio", "anyio", "timeout", "warnings", "unraisableexception", "xdist",
    "stepwise",
)  # fmt: skip
COLLECT_TIMEOUT_S = 120.0
_FILE_LINE = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')
_TRACE_LINE = re.compile(r"^(?P<file>[^\s:][^:]*\.py):(?P<line>\d+): in ", re.MULTILINE)


@dataclass(eq=False)  # a plugin: pluggy keeps it in sets
class Embedded:
    """The plugin that holds the session between collection and the end of prodsmoke's run."""

    fixtures: Sequence[object]
    last: Sequence[object]
    collected: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    session: pytest.Session | None = None
    rootpath: Path | None = None
    errors: list[pytest.CollectReport] = field(default_factory=list)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_load_initial_conftests(self, early_config: pytest.Config) -> Iterator[None]:
        """Register the fixture layer now: after pytest-playwright, before any conftest."""
        for plugin in self.fixtures:
            early_config.pluginmanager.register(plugin)
        yield
        for plugin in self.last:
            early_config.pluginmanager.register(plugin)

    def pytest_configure(self, config: pytest.Config) -> None:
        """Tracebacks in Python's own format: pytest formats each failure before the verdict is
        known, and its long format costs 0.3-1 s of the loop's time per failure (prodsmoke reads
        the exception itself; `--tb` is the terminal's option, which this session leaves out)."""
        config.option.tbstyle = "native"
        self.rootpath = config.rootpath

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """Keep every collection error (the first is reported)."""
        if report.failed:
            self.errors.append(report)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        """Hand the session over, and wait until prodsmoke's run is done with it."""
        self.session = session
        self.collected.set()
        self.release.wait()
        return True


class Collected:
    """A pytest session on its own thread, paused after collection."""

    def __init__(self, embedded: Embedded, thread: threading.Thread, before: _Imports) -> None:
        self.embedded = embedded
        self.thread = thread
        self._before = before

    @property
    def session(self) -> pytest.Session:
        """The collected session."""
        assert self.embedded.session is not None
        return self.embedded.session

    def close(self) -> None:
        """End the session (its finish hooks, unconfigure) and wait for its thread; forget the
        team's modules it imported, so a later run (a warm Lambda container, another project
        in the same process) imports its files afresh."""
        self.embedded.release.set()
        self.thread.join(timeout=30)
        self._before.forget_new()


@dataclass
class _Imports:
    """sys.modules and sys.path before a session, to take back what it added of the team's."""

    roots: tuple[Path, ...]
    modules: frozenset[str] = field(default_factory=lambda: frozenset(sys.modules))
    path: tuple[str, ...] = field(default_factory=lambda: tuple(sys.path))

    def forget_new(self) -> None:
        for name in set(sys.modules) - self.modules:
            if name.split(".", 1)[0] == "prodsmoke":
                continue
            file = getattr(sys.modules.get(name), "__file__", None)
            if file and self._theirs(Path(file)):
                del sys.modules[name]
        for entry in [p for p in sys.path if p not in self.path]:
            if self._theirs(Path(entry)):
                sys.path.remove(entry)

    def _theirs(self, path: Path) -> bool:
        resolved = path.resolve()
        return not _library(str(resolved)) and any(resolved.is_relative_to(r) for r in self.roots)


def collect(
    paths: Sequence[Path],
    *,
    fixtures: Sequence[object],
    last: Sequence[object],
    markers: str | None = None,
) -> Collected:
    """Collect the tests in `paths` with pytest (see the module docstring)."""
    embedded = Embedded(fixtures, last)
    args = [str(p) for p in paths]
    args += ["-o", "addopts=", "--capture=no", "-p", "no:terminal"]
    for name in BLOCKED_PLUGINS:
        args += ["-p", f"no:{name}"]
    if markers:
        args += ["-m", markers]
    stderr = io.StringIO()
    outcome: dict[str, Any] = {}

    def main() -> None:
        try:
            outcome["code"] = pytest.main(args, plugins=[embedded])
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            outcome["error"] = exc
        finally:
            embedded.collected.set()

    import anyio._backends._asyncio  # noqa: F401 - before pytest's rewrite hook (above)

    thread = threading.Thread(target=main, name="prodsmoke-pytest", daemon=True)
    before = _Imports(tuple(_root(p) for p in paths))
    with _captured_stderr(stderr):
        thread.start()
        embedded.collected.wait(COLLECT_TIMEOUT_S)
    collected = Collected(embedded, thread, before)
    if embedded.session is None or embedded.errors:
        collected.close()
        raise _collection_error(embedded, outcome, stderr.getvalue(), paths)
    return collected


def _root(path: Path) -> Path:
    """The folder a journey path is in (so conftests beside it count too)."""
    return path.resolve().parent


@contextlib.contextmanager
def _captured_stderr(buffer: io.StringIO) -> Iterator[None]:
    """pytest writes its usage and conftest errors to stderr: keep them for one line of ours."""
    saved = sys.stderr
    sys.stderr = buffer
    try:
        yield
    finally:
        sys.stderr = saved


def _collection_error(
    embedded: Embedded, outcome: dict[str, Any], stderr: str, paths: Sequence[Path]
) -> ConfigError:
    if embedded.errors:
        report = embedded.errors[0]
        longrepr: Any = report.longrepr
        text = str(longrepr)
        crash = getattr(longrepr, "reprcrash", None)
        relative = report.nodeid.split("::", 1)[0]
        fallback = str(embedded.rootpath / relative) if embedded.rootpath and relative else ""
        file, line = _where(text, fallback or str(paths[0]))
        message = str(crash.message) if crash is not None and not line else _problem(text)
        more = f" (and {len(embedded.errors) - 1} more)" if len(embedded.errors) > 1 else ""
        where = f"{file}:{line}" if line else file
        return ConfigError(where, "", f"{message.removeprefix('Failed: ')}{more}")
    if "error" in outcome:
        exc = outcome["error"]
        return ConfigError(
            str(paths[0]), "", f"pytest could not start: {type(exc).__name__}: {exc}"
        )
    text = stderr.strip()
    if "while loading conftest" in text:
        file, line = _where(text, "conftest.py")
        return ConfigError(f"{file}:{line or 0}", "", "cannot import: " + _problem(text))
    first = next((x for x in text.splitlines() if x.strip()), "no output")
    return ConfigError(
        ", ".join(str(p) for p in paths),
        "",
        f"pytest could not collect the journeys (exit code {outcome.get('code')}): "
        + first.removeprefix("ERROR: ").strip(),
    )


def _where(text: str, default: str) -> tuple[str, int]:
    """The team's file and line an error points at: the deepest frame outside Python's and
    the installed packages' own files."""
    candidates = [(m["file"], int(m["line"])) for m in _FILE_LINE.finditer(text)]
    candidates += [(m["file"], int(m["line"])) for m in _TRACE_LINE.finditer(text)]
    own = [c for c in candidates if not _library(c[0])]
    if own:
        return own[-1]
    return (str(default), 0)


def _library(file: str) -> bool:
    return "site-packages" in file or file.startswith(sys.prefix) or "/lib/python3" in file


def _problem(text: str) -> str:
    """The error itself, in one line: the last `E   ` line, as pytest prints it."""
    lines = [line for line in text.splitlines() if line.strip()]
    errors = [line[1:].strip() for line in lines if line.startswith("E ")]
    problem = errors[-1] if errors else (lines[-1].strip() if lines else "collection failed")
    if problem.startswith("SyntaxError: "):
        return "syntax error: " + problem.removeprefix("SyntaxError: ")
    if text.startswith("ImportError while importing"):
        return "cannot import: " + problem
    return problem.removeprefix("Failed: ")
