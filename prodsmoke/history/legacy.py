"""Adopting a history file from before migrations (prodsmoke 0.1's stdlib-sqlite3 schema).

Such a file has `runs` and `checks` tables but no `alembic_version`. `migrate` renames them,
creates the current schema, copies every run and check across (times from POSIX seconds to the
UTC text SQLAlchemy reads, `output_dir` as the run's `artifacts_url`) and drops the old tables, in
the migration's one transaction: a laptop's history survives the upgrade.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection

# POSIX seconds -> 'YYYY-MM-DD HH:MM:SS.ffffff', the form SQLAlchemy's SQLite DATETIME reads
_COPY_RUNS = """
INSERT INTO runs (run_id, env, region, trigger, maintenance, target, started_at, duration_ms,
                  status, failure_class, artifacts_url, requests, blocked, recorded_at)
SELECT run_id, env, region, 'scheduled', NULL, target,
       strftime('%Y-%m-%d %H:%M:%S', CAST(started_at AS INTEGER), 'unixepoch') || '.' ||
       printf('%06d', min(999999,
              CAST(round((started_at - CAST(started_at AS INTEGER)) * 1000000) AS INTEGER))),
       duration_ms, status, failure_class, output_dir, requests, blocked,
       strftime('%Y-%m-%d %H:%M:%S', 'now') || '.000000'
FROM runs_v1
"""


def is_legacy(conn: Connection) -> bool:
    """A SQLite file with the old tables and no migration record."""
    from sqlalchemy import text

    if conn.dialect.name != "sqlite":
        return False
    found = conn.execute(
        text(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('runs', 'checks')"
        )
    ).scalar()
    return bool(found)


def set_old_tables_aside(conn: Connection) -> None:
    """Rename the old tables (and drop their indexes) so the new schema can be created."""
    for statement in (
        "DROP INDEX IF EXISTS runs_by_env_time",
        "DROP INDEX IF EXISTS runs_by_time",
        "ALTER TABLE runs RENAME TO runs_v1",
        "ALTER TABLE checks RENAME TO checks_v1",
    ):
        conn.exec_driver_sql(statement)


def copy_old_rows(conn: Connection) -> None:
    """Every old run and check into the new tables; then the old tables go."""
    for statement in (
        _COPY_RUNS,
        "INSERT INTO checks (run_id, check_id, position, kind, status, duration_ms, attempts, "
        "flaky, metrics, error, failure_class, artifacts, repro) SELECT run_id, check_id, "
        "position, kind, status, duration_ms, attempts, flaky, metrics, error, failure_class, "
        "artifacts, repro FROM checks_v1 WHERE run_id IN (SELECT run_id FROM runs)",
        "DROP TABLE checks_v1",
        "DROP TABLE runs_v1",
    ):
        conn.exec_driver_sql(statement)
