"""results.json: the `prodsmoke/results/v1` document, written atomically."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prodsmoke import redact

if TYPE_CHECKING:
    from pathlib import Path

    from prodsmoke.results import RunResult


@dataclass
class JsonFileReporter:
    """Writes results.json (first of all reporters, so nothing later can lose it)."""

    path: Path
    name: str = "json"

    def report(self, run: RunResult) -> None:
        """Write the document to a temporary file, then move it into place."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = redact.redact(json.dumps(run.to_dict(), indent=2, ensure_ascii=False))
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(text + "\n", encoding="utf-8")
        os.replace(tmp, self.path)
