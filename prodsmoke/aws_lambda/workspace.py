"""Where one invocation writes: the output folder, and a scratch folder removed afterwards.

Lambda reuses a warm container's `/tmp` (512 MB by default) across invocations, and Chromium
and the Playwright driver leave profile and artifact folders in the temporary folder. So for the
run, `TMPDIR` (and Python's `tempfile`) point at a scratch folder that is deleted when the run
ends, and the previous run's artifacts are cleared first: what stays in `/tmp` between
invocations is the output folder's history and reporter spool, nothing else.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from prodsmoke.errors import SuiteError

OUTPUT = "smoke-results"
SCRATCH = "prodsmoke-scratch"
_TEMP_VARS = ("TMPDIR", "TEMP", "TMP")


@dataclass(frozen=True, slots=True)
class Workspace:
    """The folders of one invocation."""

    output: Path
    scratch: Path


@contextmanager
def workspace(root: Path) -> Iterator[Workspace]:
    """Prepare `root/smoke-results` and a scratch temporary folder; restore and clean up after."""
    space = Workspace(root / OUTPUT, root / SCRATCH)
    try:
        # Each run has its own artifact folder, but /tmp is small: what earlier runs left (already
        # uploaded) goes.
        shutil.rmtree(space.output / "artifacts", ignore_errors=True)
        shutil.rmtree(space.scratch, ignore_errors=True)
        space.scratch.mkdir(parents=True)
        space.output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SuiteError(
            f"cannot prepare {root} for the run: {exc.strerror}; "
            "set SMOKE_LAMBDA_ROOT to a writable folder (in Lambda: /tmp)"
        ) from exc
    saved = {name: os.environ.get(name) for name in _TEMP_VARS}
    saved_tempdir = tempfile.tempdir
    for name in _TEMP_VARS:
        os.environ[name] = str(space.scratch)
    tempfile.tempdir = str(space.scratch)
    try:
        yield space
    finally:
        tempfile.tempdir = saved_tempdir
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(space.scratch, ignore_errors=True)
