"""results.json: the `prodsmoke/results/v1` document, written atomically."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prodsmoke import redact

if TYPE_CHECKING:
    from pathlib import Path

    from prodsmoke.results import RunResult


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a uniquely named temporary file beside `path`, then move it into place.

    A reader sees the old file or the new one, never half of one, and two runs writing at once
    never share a temporary file (the last to finish wins, whole).
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: a name nobody else holds; 0o666 less the umask, like any file the user writes.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(path, exc) from exc


class OutputError(OSError):
    """An output file could not be written; says which, and why, in one line."""

    def __init__(self, path: Path, cause: OSError) -> None:
        super().__init__(f"cannot write {path}: {(cause.strerror or str(cause)).lower()}")


@dataclass
class JsonFileReporter:
    """Writes results.json (first of all reporters, so nothing later can lose it)."""

    path: Path
    name: str = "results.json"

    def report(self, run: RunResult) -> None:
        """Write the document atomically (see `write_atomically`)."""
        text = redact.redact(json.dumps(run.to_dict(), indent=2, ensure_ascii=False))
        write_atomically(self.path, (text + "\n").encode("utf-8"))


@dataclass
class JunitFileReporter:
    """Moves the junit.xml the pytest frame wrote under a unique name into place."""

    written: Path  # where the frame wrote it
    path: Path
    name: str = "junit.xml"

    def report(self, run: RunResult) -> None:
        """`os.replace`, so a reader never sees half a file; a failure leaves nothing behind."""
        try:
            os.replace(self.written, self.path)
        except OSError as exc:
            self.written.unlink(missing_ok=True)
            raise OutputError(self.path, exc) from exc
