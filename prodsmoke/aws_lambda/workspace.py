"""Where one invocation writes: the output folder, and a scratch folder removed afterwards.

Lambda reuses a warm container's `/tmp` (512 MB by default) across invocations, and Chromium
and the Playwright driver leave profile and artifact folders in the temporary folder. So for the
run, `TMPDIR` (and Python's `tempfile`) point at a scratch folder that is deleted when the run
ends, and the previous run's artifacts are cleared first: what stays in `/tmp` between
invocations is the output folder's history and reporter spool, nothing else.

A full Chromium (Debian's `chromium`, not the headless shell) writes more than that: its
crash-report database in `$XDG_CONFIG_HOME/chromium` and dconf's cache in `$XDG_RUNTIME_DIR` (else
in `~/.config` and `~/.cache`), so those point into the scratch folder too. And it makes a
process-singleton socket at `$TMPDIR/org.chromium.Chromium.XXXXXX/SingletonSocket`, aborting at
start ("Socket path too long", SIGABRT) when that passes a Unix socket path's 107 bytes: when
`root` is too deep for that, the scratch folder is a new one in /tmp instead, removed the same.
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
# Pointed into the scratch folder for the run, each at the folder named (its own for config: a
# full Chromium keeps the disk cache of a profile under $XDG_CONFIG_HOME in ~/.cache). Not
# XDG_CACHE_HOME: Playwright looks for its browsers there (unless PLAYWRIGHT_BROWSERS_PATH).
_TEMP_VARS = {
    "TMPDIR": "",
    "TEMP": "",
    "TMP": "",
    "XDG_RUNTIME_DIR": "",
    "XDG_CONFIG_HOME": "config",
}
# The longest $TMPDIR a full Chromium starts with: 107 bytes less "/org.chromium.Chromium.XXXXXX/
# SingletonSocket" (45). Measured with Debian's chromium 156: 62 starts, 63 aborts.
CHROMIUM_TMPDIR_MAX = 62
SYSTEM_TEMP = Path("/tmp")  # noqa: S108 - the short fallback, when `root` is too deep


@dataclass(frozen=True, slots=True)
class Workspace:
    """The folders of one invocation."""

    output: Path
    scratch: Path


@contextmanager
def workspace(root: Path) -> Iterator[Workspace]:
    """Prepare `root/smoke-results` and a scratch temporary folder; restore and clean up after."""
    try:
        output = root / OUTPUT
        # Each run has its own artifact folder, but /tmp is small: what earlier runs left (already
        # uploaded) goes.
        shutil.rmtree(output / "artifacts", ignore_errors=True)
        output.mkdir(parents=True, exist_ok=True)
        space = Workspace(output, _scratch(root))
    except OSError as exc:
        raise SuiteError(
            f"cannot prepare {root} for the run: {exc.strerror}; "
            "set SMOKE_LAMBDA_ROOT to a writable folder (in Lambda: /tmp)"
        ) from exc
    saved = {name: os.environ.get(name) for name in _TEMP_VARS}
    saved_tempdir = tempfile.tempdir
    for name, folder in _TEMP_VARS.items():
        os.environ[name] = str(space.scratch / folder)
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


def _scratch(root: Path) -> Path:
    """A new, empty scratch folder: `root/prodsmoke-scratch`, or one in /tmp when that is too
    deep a $TMPDIR for a full Chromium (see the module docstring)."""
    scratch = root / SCRATCH
    if len(str(scratch.absolute())) > CHROMIUM_TMPDIR_MAX and os.access(SYSTEM_TEMP, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="prodsmoke-", dir=SYSTEM_TEMP))
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    return scratch
