"""Where the history is and how to reach it: the URL, the engine, the schema version.

`locate` turns `history.url` (or the deprecated `history.path`), `$PRODSMOKE_HISTORY_URL` or a
command's `--history` into a `Location`; `connect` builds a SQLAlchemy engine with bounded
connect and statement timeouts, and `migrate` brings the schema to `schema.HEAD` with Alembic,
programmatically (no alembic.ini). SQLAlchemy is imported here, when a history is touched, never
at start-up; Alembic only when the schema is not current. A SQLite file that is not a database
is `CorruptHistory`; `set_aside` moves it out of the way.
"""

from __future__ import annotations

import math
import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from prodsmoke import redact
from prodsmoke.errors import ConfigError, HistoryError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Connection, Engine

    from prodsmoke.config.monitoring import HistorySettings

ENV_VAR = "PRODSMOKE_HISTORY_URL"
_URL = re.compile(r"^(sqlite|postgresql)(\+[a-z0-9]+)?://")
_EXPECTED = "expected sqlite:///PATH or postgresql://USER:PASSWORD@HOST:5432/DB"
_MIGRATION_LOCK = 7_212_026  # pg_advisory_xact_lock key: one migrator at a time
_CORRUPT = ("file is not a database", "database disk image is malformed")
# Alembic's `context` and `op` are module-level proxies: one migration per process at a time.
_ALEMBIC = threading.Lock()


@dataclass(frozen=True, slots=True)
class Location:
    """A history database: its SQLAlchemy URL, and the SQLite file when it is one."""

    url: str
    sqlite_path: Path | None = None
    given: str | None = None  # the URL as configured (without the driver SQLAlchemy adds)

    @property
    def display(self) -> str:
        """The location for people: the file, or the URL without its password."""
        if self.sqlite_path is not None:
            return str(self.sqlite_path)
        parts = urlsplit(self.given or self.url)
        netloc = parts.netloc
        if parts.password:
            netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
        return redact.redact(parts._replace(netloc=netloc).geturl())


def locate(
    settings: HistorySettings,
    output_dir: Path,
    *,
    override: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Location:
    """`--history` (a URL or a file), else `$PRODSMOKE_HISTORY_URL`, else the configured URL."""
    env = os.environ if environ is None else environ
    if override:
        if not _URL.match(override):
            return Location(f"sqlite:///{Path(override)}", Path(override))
        return from_url(override, output_dir, source="--history")
    if env.get(ENV_VAR):
        return from_url(env[ENV_VAR], output_dir, source=f"${ENV_VAR}")
    return from_url(settings.location, output_dir, source="history.url")


def from_url(url: str, output_dir: Path, *, source: str) -> Location:
    """One URL; a relative SQLite path is inside `output_dir`."""
    match = _URL.match(url)
    if not match:
        raise ConfigError(source, "", f"got {redact.redact(url)!r}, {_EXPECTED}")
    password = urlsplit(url).password
    if password:
        redact.register_secret(password)
    if match.group(1) == "postgresql":
        driver = url if match.group(2) else "postgresql+psycopg" + url[len("postgresql") :]
        return Location(driver, given=url)
    raw = url[match.end() :].lstrip("/") if url[match.end() :].startswith("/") else ""
    if not raw:
        raise ConfigError(source, "", f"got {url!r}, expected sqlite:///PATH (a file path)")
    path = Path("/" + raw) if url[match.end() :].startswith("//") else Path(raw)
    if not path.is_absolute():
        path = output_dir / path
    return Location(f"sqlite:///{path}", path)


def connect(location: Location, *, connect_timeout_s: float, statement_timeout_s: float) -> Engine:
    """An engine whose every connection gives up in bounded time."""
    from sqlalchemy import create_engine, event

    if location.sqlite_path is not None:
        engine = create_engine(
            location.url,
            connect_args={"timeout": statement_timeout_s},
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi: Any, _record: Any) -> None:
            dbapi.isolation_level = None  # pysqlite's own BEGIN off: `_begin` below emits it
            cursor = dbapi.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # pysqlite leaves DDL outside transactions; begin ourselves, and take the write lock
            # up front when writing, so concurrent writers wait (busy timeout) instead of failing.
            write = conn.get_execution_options().get("prodsmoke_write")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    try:
        import psycopg  # noqa: F401 - the driver SQLAlchemy will load
    except ImportError:
        raise HistoryError(
            f"run history {location.display}: PostgreSQL needs the psycopg driver; install "
            "prodsmoke[postgres] (pip install 'prodsmoke[postgres]')"
        ) from None
    ms = max(1, round(statement_timeout_s * 1000))
    return create_engine(
        location.url,
        connect_args={
            # libpq counts whole seconds and treats anything under 2 as 2
            "connect_timeout": max(2, math.ceil(connect_timeout_s)),
            "options": f"-c statement_timeout={ms} -c lock_timeout={ms}",
            "application_name": "prodsmoke",
        },
        pool_size=2,
        max_overflow=2,
    )


def revision(conn: Connection) -> str | None:
    """The schema revision the database is at; None when it has no schema yet."""
    from sqlalchemy import text

    if conn.dialect.name == "sqlite":
        found = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    else:
        found = "SELECT to_regclass('alembic_version') IS NOT NULL"
    if not conn.execute(text(found)).scalar():
        return None
    value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(value) if value is not None else None


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to `HEAD` (idempotent; one migrator at a time). Returns (before, after)."""
    from prodsmoke.history.schema import HEAD

    with engine.connect() as conn, conn.execution_options(prodsmoke_write=True).begin():
        if engine.dialect.name == "postgresql":
            from sqlalchemy import text

            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        before = revision(conn)
        if before == HEAD:
            return before, HEAD
        from alembic import command
        from alembic.config import Config

        from prodsmoke.history import legacy

        adopt = before is None and legacy.is_legacy(conn)
        if adopt:
            legacy.set_old_tables_aside(conn)
        config = Config()
        config.set_main_option("script_location", "prodsmoke.history:migrations")
        config.attributes["connection"] = conn
        with _ALEMBIC:
            command.upgrade(config, "head")
        if adopt:
            legacy.copy_old_rows(conn)
        return before, HEAD


def is_corrupt(exc: BaseException) -> bool:
    """Whether a database error means the SQLite file itself is damaged."""
    text = str(getattr(exc, "orig", exc))
    return any(marker in text for marker in _CORRUPT)


def set_aside(path: Path) -> Path:
    """Rename a damaged SQLite file (and its journal) to `<name>.corrupt-<UTC time>`."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, target)
    for suffix in ("-journal", "-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target
