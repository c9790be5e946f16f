"""Payloads a reporter could not deliver, kept under `<output>/spool/<reporter>/` for the next run.

One JSON file per payload, named so that sorting by name is sorting by age. Files are written
atomically and already redacted; a file that cannot be read back is set aside as `*.bad`, never
retried forever.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prodsmoke import redact


@dataclass(frozen=True, slots=True)
class Spooled:
    """One waiting payload."""

    path: Path
    created: float  # POSIX seconds
    payload: Any


@dataclass(frozen=True, slots=True)
class Spool:
    """The spool folder of one reporter."""

    folder: Path
    max_files: int = 500

    def put(self, payload: Any, *, label: str) -> Path:
        """Keep `payload`; drop the oldest files beyond `max_files`. Returns the new file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = time.time_ns()
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in label)[:60]
        path = self.folder / f"{stamp:020d}-{safe}.json"
        tmp = path.with_suffix(".tmp")
        text = json.dumps({"created": stamp / 1e9, "payload": payload}, separators=(",", ":"))
        tmp.write_text(redact.redact(text), encoding="utf-8")
        os.replace(tmp, path)
        for old in self._files()[: -self.max_files]:
            old.unlink(missing_ok=True)
        return path

    def pending(self) -> list[Spooled]:
        """Every readable waiting payload, oldest first."""
        out: list[Spooled] = []
        for path in self._files():
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
                out.append(Spooled(path, float(doc["created"]), doc["payload"]))
            except (OSError, ValueError, KeyError, TypeError):
                path.replace(path.with_suffix(".bad"))
        return out

    def __len__(self) -> int:
        return len(self._files())

    def _files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.json"))
