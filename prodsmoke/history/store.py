"""The run history: one SQLite file, a row per run and a row per check, pruned on every write.

`smoke report` and `smoke gate` read it; the `history` reporter appends each run right after
results.json. Only stdlib `sqlite3`, so it costs nothing at start-up or in the Lambda image.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from prodsmoke import redact
from prodsmoke.errors import SmokeError
from prodsmoke.reporters.metrics import run_failure_class
from prodsmoke.results import CheckKind, CheckResult, FailureClass, Status

if TYPE_CHECKING:
    from pathlib import Path

    from prodsmoke.results import RunResult

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id        TEXT PRIMARY KEY,
    env           TEXT NOT NULL,
    region        TEXT NOT NULL,
    target        TEXT NOT NULL,
    started_at    REAL NOT NULL,          -- POSIX seconds, UTC
    duration_ms   INTEGER NOT NULL,
    status        TEXT NOT NULL,
    failure_class TEXT,
    output_dir    TEXT NOT NULL,          -- where the run's artifacts were written
    requests      INTEGER NOT NULL,
    blocked       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_env_time ON runs (env, started_at);
CREATE INDEX IF NOT EXISTS runs_by_time ON runs (started_at);
CREATE TABLE IF NOT EXISTS checks (
    run_id        TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    check_id      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL,
    duration_ms   INTEGER NOT NULL,
    attempts      INTEGER NOT NULL,
    flaky         INTEGER NOT NULL,
    metrics       TEXT NOT NULL,          -- JSON object
    error         TEXT,
    failure_class TEXT,
    artifacts     TEXT NOT NULL,          -- JSON list, relative to output_dir
    repro         TEXT NOT NULL,
    PRIMARY KEY (run_id, check_id)
);
"""
_SELECT_RUNS = """
SELECT * FROM runs WHERE (? IS NULL OR env = ?) AND started_at >= ? ORDER BY started_at, run_id
"""
_SELECT_CHECKS = """
SELECT checks.* FROM checks JOIN runs USING (run_id)
WHERE (? IS NULL OR runs.env = ?) AND runs.started_at >= ? ORDER BY position
"""


class HistoryError(SmokeError):
    """The history file cannot be read or written."""


@dataclass(frozen=True, slots=True)
class StoredRun:
    """One run as the history keeps it."""

    run_id: str
    env: str
    region: str
    target: str
    started_at: datetime
    duration_ms: int
    status: Status
    failure_class: FailureClass | None
    output_dir: str
    checks: tuple[CheckResult, ...]


@dataclass(frozen=True, slots=True)
class History:
    """A history file."""

    path: Path
    retention_days: int = 90

    def append(self, run: RunResult, output_dir: Path) -> int:
        """Store `run` and drop runs older than the retention; returns how many were dropped."""
        return self.extend([run], output_dir)

    def extend(self, runs: Iterable[RunResult], output_dir: Path) -> int:
        """Store several runs in one transaction (an import); then apply the retention."""
        with self._connect(create=True) as db:
            for run in runs:
                self._insert(db, run, output_dir)
            cutoff = time.time() - self.retention_days * 86400
            return db.execute("DELETE FROM runs WHERE started_at < ?", (cutoff,)).rowcount

    def _insert(self, db: sqlite3.Connection, run: RunResult, output_dir: Path) -> None:
        run_class = run_failure_class(run)
        db.execute("DELETE FROM runs WHERE run_id = ?", (run.run_id,))
        db.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run.run_id,
                run.env,
                run.region,
                redact.redact(run.target),
                run.started_at.timestamp(),
                run.duration_ms,
                str(run.status),
                str(run_class) if run_class else None,
                str(output_dir.resolve()),
                run.safety.requests,
                len(run.safety.blocked),
            ),
        )
        db.executemany(
            "INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [_check_row(run.run_id, i, c) for i, c in enumerate(run.checks)],
        )

    def runs(self, *, env: str | None = None, since: datetime | None = None) -> list[StoredRun]:
        """Stored runs, oldest first, optionally of one env and from a time on."""
        if not self.path.is_file():
            return []
        args = (env, env, since.timestamp() if since else 0.0)
        with self._connect(create=False) as db:
            rows = db.execute(_SELECT_RUNS, args).fetchall()
            checks: dict[str, list[CheckResult]] = {}
            for row in db.execute(_SELECT_CHECKS, args):
                checks.setdefault(row["run_id"], []).append(_check(row))
        return [_run(row, tuple(checks.get(row["run_id"], ()))) for row in rows]

    def envs(self) -> list[str]:
        """The environments the history has runs of."""
        if not self.path.is_file():
            return []
        with self._connect(create=False) as db:
            return [r[0] for r in db.execute("SELECT DISTINCT env FROM runs ORDER BY env")]

    @contextmanager
    def _connect(self, *, create: bool) -> Iterator[sqlite3.Connection]:
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=5)) as db:
                db.row_factory = sqlite3.Row
                db.execute("PRAGMA foreign_keys = ON")
                if create:
                    db.executescript(_SCHEMA)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                with db:  # one transaction
                    yield db
        except (sqlite3.Error, OSError) as exc:
            raise HistoryError(
                f"run history {self.path}: {exc}; check the path (history.path in "
                "monitoring-integration.yaml) is a writable SQLite file"
            ) from exc


def _check_row(run_id: str, position: int, check: CheckResult) -> tuple[Any, ...]:
    return (
        run_id,
        position,
        check.id,
        str(check.kind),
        str(check.status),
        check.duration_ms,
        check.attempts,
        int(check.flaky),
        json.dumps(dict(check.metrics)),
        redact.redact(check.error) if check.error else None,
        str(check.failure_class) if check.failure_class else None,
        json.dumps(list(check.artifacts)),
        check.repro,
    )


def _check(row: sqlite3.Row) -> CheckResult:
    return CheckResult(
        id=row["check_id"],
        kind=CheckKind(row["kind"]),
        status=Status(row["status"]),
        duration_ms=row["duration_ms"],
        attempts=row["attempts"],
        flaky=bool(row["flaky"]),
        metrics=json.loads(row["metrics"]),
        error=row["error"],
        failure_class=FailureClass(row["failure_class"]) if row["failure_class"] else None,
        artifacts=tuple(json.loads(row["artifacts"])),
        repro=row["repro"],
    )


def _run(row: sqlite3.Row, checks: tuple[CheckResult, ...]) -> StoredRun:
    return StoredRun(
        run_id=row["run_id"],
        env=row["env"],
        region=row["region"],
        target=row["target"],
        started_at=datetime.fromtimestamp(row["started_at"], UTC),
        duration_ms=row["duration_ms"],
        status=Status(row["status"]),
        failure_class=FailureClass(row["failure_class"]) if row["failure_class"] else None,
        output_dir=row["output_dir"],
        checks=checks,
    )
