"""What a failed attempt leaves for QA: trace.zip, screenshot.png, console.log, network.har.

Each run owns one folder, `<output>/artifacts/<run_id>/`, and a check's files go to
`<output>/artifacts/<run_id>/<check>/`, so runs sharing an `--output` (one after another or at
once) never move, overwrite or list each other's files; results.json names them relative to
`<output>`. The newest `keep_runs` run folders are kept; older ones are pruned when a run starts
(never one whose run is still going). When a check fails more than once, earlier attempts move to
`attempt-<n>/` beside the latest, so a flaky check keeps the attempt that failed. Every kept folder
is scrubbed of secrets (`e2e.scrub`) before anyone can read it.

Tracing costs time on every attempt, kept or not (bench/RESULTS.md), so with the default policy a
first attempt records a light trace (actions, network, console, errors; with screenshot.png on a
failure, and a HAR of headers and timings, as Playwright's trace logs the network only with DOM
snapshots), and once an attempt has failed, retries record everything: screenshots, DOM snapshots
and the network, whose log is written out as `network.har`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from prodsmoke import redact
from prodsmoke._version import __version__
from prodsmoke.e2e.scrub import scrub_folder
from prodsmoke.options import TraceMode

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.async_api import BrowserContext, Page

    from prodsmoke.e2e.observe import PageObserver

ARTIFACTS = "artifacts"
RUNNING = ".running"  # in a run's folder while the run is going: pruning leaves it alone
RUNNING_MAX_S = 3600.0  # a marker older than this was left by a run that was killed
_RUN_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")


def run_folder(root: Path, run_id: str) -> Path:
    """Where run `run_id` keeps its artifacts under the output folder `root`."""
    return root / ARTIFACTS / run_id


def open_run(root: Path, run_id: str, *, keep: int) -> None:
    """Create the run's folder, mark it as running, and prune run folders beyond the newest
    `keep` (the new one included)."""
    folder = run_folder(root, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RUNNING).write_text(f"{os.getpid()}\n")
    prune(root, keep=keep)


def close_run(root: Path, run_id: str) -> None:
    """The run is over: unmark its folder, and remove it if it kept nothing."""
    folder = run_folder(root, run_id)
    (folder / RUNNING).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty: it holds the run's artifacts
        folder.rmdir()


def prune(root: Path, *, keep: int) -> list[str]:
    """Remove the oldest run folders beyond `keep`; return the run ids removed.

    Only folders named like a run id are counted, and a run still going is never touched.
    """
    runs = root / ARTIFACTS
    if not runs.is_dir():
        return []
    folders = sorted(p for p in runs.iterdir() if p.is_dir() and _RUN_ID.match(p.name))
    removed = []
    for folder in folders[: max(0, len(folders) - keep)]:
        if not _running(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


def _running(folder: Path) -> bool:
    try:
        return time.time() - (folder / RUNNING).stat().st_mtime < RUNNING_MAX_S
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class ArtifactPolicy:
    """Where one run's artifacts go and what is traced."""

    root: Path  # the output folder: results.json names artifacts relative to it
    run_id: str
    trace: TraceMode = TraceMode.RETAIN_ON_FAILURE
    # check → the attempt whose files are at the top of its folder (`_fresh_folder`)
    _owners: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def folder(self, check: str) -> Path:
        """The check's artifact folder in this run's folder (not created)."""
        return run_folder(self.root, self.run_id) / check

    def light(self, attempt: int) -> bool:
        """Whether the attempt records the light trace (plus a HAR) rather than everything."""
        return self.trace is TraceMode.RETAIN_ON_FAILURE and attempt == 1

    async def start(self, context: BrowserContext, check: str, attempt: int, part: int = 1) -> None:
        """Begin the attempt's trace: light on a first attempt, everything after a failure.

        `part` numbers the attempt's browser contexts (a Python journey may open several):
        the second one's files are `trace-2.zip`, `screenshot-2.png`, `network-2.har`.
        """
        if self.trace is TraceMode.OFF:
            return
        full = not self.light(attempt)
        await context.tracing.start(screenshots=full, snapshots=full)
        if not full:
            scratch = self._scratch_har(check, attempt, part)
            scratch.parent.mkdir(parents=True, exist_ok=True)
            await context.tracing.start_har(scratch, content="omit")

    async def finish(
        self,
        context: BrowserContext,
        page: Page | None,
        observer: PageObserver,
        *,
        check: str,
        attempt: int,
        failed: bool,
        part: int = 1,
    ) -> None:
        """Close the context; keep (and scrub) the attempt's artifacts when it failed or tracing
        is `on`, else drop them."""
        keep = failed or self.trace is TraceMode.ON
        folder = None
        if keep:
            folder = self._fresh_folder(check, attempt) if part == 1 else self.folder(check)
            folder.mkdir(parents=True, exist_ok=True)
        name = _named(part)
        if folder is not None and part == 1:  # cheapest and surest first: what the page said
            lines = (redact.redact(line) for line in observer.console_lines)
            (folder / "console.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
        if folder is not None and page is not None and _has_content(page):
            # Short: after a hang the page may never paint, and the deadline is close.
            shot = folder / name("screenshot.png")
            await _quietly(page.screenshot(path=shot, full_page=True, timeout=1000))
        if self.trace is not TraceMode.OFF:
            trace = folder / name("trace.zip") if folder else None
            await _quietly(context.tracing.stop(path=trace))
        if self.light(attempt):  # written on stop (or on close), kept only with the trace
            await _quietly(context.tracing.stop_har())
        await _quietly(context.close())
        scratch = self._scratch_har(check, attempt, part)
        if folder is not None and scratch.is_file():
            scratch.replace(folder / name("network.har"))
        scratch.unlink(missing_ok=True)
        if folder is not None:
            await asyncio.to_thread(_finish_folder, folder)

    def save_text(self, check: str, attempt: int, name: str, text: str) -> None:
        """Keep one text artifact of a failed attempt (redacted, like every artifact)."""
        folder = self._fresh_folder(check, attempt)
        (folder / name).write_text(redact.redact(text), encoding="utf-8")

    def keep_files(self, check: str, attempt: int, files: dict[str, bytes]) -> None:
        """Keep extra files of an attempt whether it fails or not (a baseline comparison's
        expected, actual and diff images), beside its other artifacts. Text is the caller's to
        redact: an attempt that passes is not scrubbed."""
        folder = self._fresh_folder(check, attempt)
        for name, data in files.items():
            (folder / name).write_bytes(data)

    def collect(self, check: str) -> tuple[str, ...]:
        """Every artifact kept for `check`, relative to the output root, latest attempt first."""
        folder = self.folder(check)
        if not folder.is_dir():
            return ()
        files = sorted(folder.rglob("*"), key=lambda p: (len(p.parts), str(p)))
        return tuple(str(p.relative_to(self.root)) for p in files if p.is_file())

    def tidy(self) -> None:
        """Remove the scratch space of HARs that were not kept (once no context records)."""
        shutil.rmtree(self._scratch_har("", 0).parent, ignore_errors=True)

    def _scratch_har(self, check: str, attempt: int, part: int = 1) -> Path:
        return run_folder(self.root, self.run_id) / ".har" / f"{check}-{attempt}-{part}.har"

    def _fresh_folder(self, check: str, attempt: int) -> Path:
        folder = self.folder(check)
        if self._owners.get(check) == attempt:  # this attempt kept files already: add to them
            folder.mkdir(parents=True, exist_ok=True)
            return folder
        self._owners[check] = attempt
        if folder.exists() and any(p.is_file() for p in folder.iterdir()):
            earlier = folder / f"attempt-{attempt - 1}"
            earlier.mkdir(exist_ok=True)
            for item in folder.iterdir():
                if item.is_file():
                    shutil.move(str(item), earlier / item.name)
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def har_from_trace(trace: Path) -> dict[str, Any]:
    """A HAR 1.2 document of the requests a Playwright trace recorded (its network log)."""
    entries: list[Any] = []
    with zipfile.ZipFile(trace) as archive:
        for name in archive.namelist():
            if not name.endswith(".network"):
                continue
            for line in archive.read(name).splitlines():
                event = json.loads(line) if line.strip() else {}
                if event.get("type") == "resource-snapshot":
                    entries.append(event["snapshot"])
    entries.sort(key=lambda e: e.get("_monotonicTime", 0))
    creator = {"name": "prodsmoke", "version": __version__}
    return {"log": {"version": "1.2", "creator": creator, "pages": [], "entries": entries}}


def _named(part: int) -> Callable[[str], str]:
    """File names of a context's artifacts: `trace.zip` for the first, `trace-2.zip` after."""

    def name(file: str) -> str:
        if part == 1:
            return file
        stem, dot, suffix = file.partition(".")
        return f"{stem}-{part}{dot}{suffix}"

    return name


def _finish_folder(folder: Path) -> None:
    for trace in folder.glob("trace*.zip"):
        har = folder / trace.name.replace("trace", "network", 1).replace(".zip", ".har")
        if not har.is_file():
            doc = har_from_trace(trace)
            har.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    scrub_folder(folder)


def _has_content(page: Page) -> bool:
    return not page.is_closed() and page.url not in ("", "about:blank")


async def _quietly(awaitable: object) -> bool:
    """Await an artifact step; a failure to save must never change the check's verdict."""
    try:
        await awaitable  # type: ignore[misc]
    except PlaywrightError:
        return False
    return True
