"""The run history: a row per run, per check and per page a journey loaded (its Web Vitals), in
SQLite or PostgreSQL, pruned on every write.

`smoke report`, `smoke gate` and `smoke history` read it; the `history` reporter appends each run
right after results.json. Inserts are idempotent by run id (`ON CONFLICT DO NOTHING` on both
engines), so a spooled row delivered twice, or three runners writing at once, never duplicate a
run. A fresh database gets its schema on the first write; a damaged SQLite file is set aside and a
fresh one started, keeping the row being written (`Written.note` says so).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prodsmoke import redact
from prodsmoke.errors import CorruptHistory, HistoryError
from prodsmoke.history.database import (
    Location,
    connect,
    from_url,
    is_corrupt,
    locate,
    migrate,
    revision,
    set_aside,
)
from prodsmoke.history.rows import (
    StoredRun,
    check_result,
    insertable,
    page_rows,
    payload,
    stored_page,
    stored_run,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from prodsmoke.config.monitoring import HistorySettings
    from prodsmoke.results import RunResult, Status

__all__ = ["History", "StoredRun", "Written"]


@dataclass(frozen=True, slots=True)
class Written:
    """What a write did."""

    inserted: int = 0
    duplicates: int = 0
    pruned: int = 0
    note: str | None = None  # a damaged file was set aside


class History:
    """One history database (a SQLite file or a PostgreSQL URL)."""

    def __init__(
        self,
        where: str | Path | Location,
        retention_days: int = 90,
        *,
        connect_timeout_s: float = 3.0,
        statement_timeout_s: float = 5.0,
    ) -> None:
        if isinstance(where, Location):
            self.location = where
        elif isinstance(where, Path) or "://" not in where:
            self.location = Location(f"sqlite:///{where}", Path(where))
        else:
            self.location = from_url(where, Path.cwd(), source="history")
        self.retention_days = retention_days
        self.connect_timeout_s = connect_timeout_s
        self.statement_timeout_s = statement_timeout_s
        self._engine: Engine | None = None
        self._current = False
        self._lock = threading.Lock()

    @classmethod
    def configured(
        cls,
        settings: HistorySettings,
        output_dir: Path,
        *,
        override: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> History:
        """The history monitoring-integration.yaml (or the environment, or a flag) names."""
        return cls(
            locate(settings, output_dir, override=override, environ=environ),
            settings.retention_days,
            connect_timeout_s=settings.connect_timeout_s,
            statement_timeout_s=settings.statement_timeout_s,
        )

    @property
    def path(self) -> Path | None:
        """The SQLite file, when the history is one."""
        return self.location.sqlite_path

    @property
    def display(self) -> str:
        """Where the history is, for people (no password)."""
        return self.location.display

    # ------------------------------------------------------------------------------- writing

    def append(self, run: RunResult, artifacts_url: str | Path | None = None) -> Written:
        """Store `run` (once: a run id already there is left as it is); apply the retention."""
        return self.insert([payload(run, _url(artifacts_url))])

    def extend(self, runs: Iterable[RunResult], artifacts_url: str | Path | None = None) -> Written:
        """Store several runs in one transaction (an import); then apply the retention."""
        return self.insert([payload(run, _url(artifacts_url)) for run in runs])

    def insert(self, payloads: Sequence[Mapping[str, Any]]) -> Written:
        """Store runs in their payload form (`rows.payload`, also what the spool keeps)."""
        note = None
        try:
            written = self._insert(payloads)
        except CorruptHistory as exc:
            if self.path is None or not self.path.exists():
                raise
            self.close()
            moved = set_aside(self.path)
            note = (
                f"run history {self.display} was damaged ({exc.reason}); moved aside to "
                f"{moved.name} and a fresh history started with this run"
            )
            written = self._insert(payloads)
        return Written(written.inserted, written.duplicates, written.pruned, note)

    def _insert(self, payloads: Sequence[Mapping[str, Any]]) -> Written:
        from prodsmoke.history.schema import checks, page_vitals, runs

        inserted = duplicates = 0
        now = datetime.now(UTC)
        with self.transaction(write=True) as conn:
            insert = _insert_ignoring_duplicates(conn)
            for doc in payloads:
                row, check_rows = insertable(doc, now)
                # RETURNING answers a row only when the run was new (rowcount is -1 on psycopg)
                new = conn.execute(insert(runs).values(row).returning(runs.c.run_id)).first()
                if new is not None:
                    inserted += 1
                    if check_rows:
                        conn.execute(checks.insert(), check_rows)
                    if pages := page_rows(doc):
                        conn.execute(page_vitals.insert(), pages)
                else:
                    duplicates += 1
            pruned = self._prune(conn, now)
        return Written(inserted, duplicates, pruned)

    def prune(self) -> int:
        """Drop runs older than the retention (what every write does as well)."""
        with self.transaction(write=True) as conn:
            return self._prune(conn, datetime.now(UTC))

    def _prune(self, conn: Connection, now: datetime) -> int:
        from sqlalchemy import delete

        from prodsmoke.history.schema import maintenance_windows, runs

        cutoff = now - timedelta(days=self.retention_days)
        gone = conn.execute(delete(runs).where(runs.c.started_at < cutoff)).rowcount
        windows = maintenance_windows.c
        conn.execute(delete(maintenance_windows).where(windows.ends_at < cutoff))
        return int(gone)

    def migrate(self) -> tuple[str | None, str]:
        """Bring the schema to the current revision (idempotent). Returns (before, after)."""
        with self._translate():
            before, after = migrate(self._engine_now())
        self._current = True
        return before, after

    # ------------------------------------------------------------------------------- reading

    def runs(
        self,
        *,
        env: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        status: Status | None = None,
    ) -> list[StoredRun]:
        """Stored runs, oldest first, optionally of one env, status and time span."""
        from sqlalchemy import select

        from prodsmoke.history.schema import checks, page_vitals, runs

        where = []
        if env is not None:
            where.append(runs.c.env == env)
        if since is not None:
            where.append(runs.c.started_at >= since)
        if until is not None:
            where.append(runs.c.started_at <= until)
        if status is not None:
            where.append(runs.c.status == str(status))
        with self.transaction(write=False) as conn:
            if conn is None:
                return []
            # .all(): one fetchall, several times faster than iterating row by row on psycopg
            found = (
                conn.execute(select(runs).where(*where).order_by(runs.c.started_at, runs.c.run_id))
                .mappings()
                .all()
            )
            pages: dict[tuple[str, str], list[Any]] = {}
            query = (
                select(page_vitals)
                .join(runs, runs.c.run_id == page_vitals.c.run_id)
                .where(*where)
                .order_by(page_vitals.c.run_id, page_vitals.c.check_id, page_vitals.c.position)
            )
            for row in conn.execute(query).mappings().all():
                pages.setdefault((row["run_id"], row["check_id"]), []).append(stored_page(row))
            by_run: dict[str, list[Any]] = {}
            prints: dict[str, dict[str, str]] = {}
            query = (
                select(checks)
                .join(runs, runs.c.run_id == checks.c.run_id)
                .where(*where)
                .order_by(checks.c.run_id, checks.c.position)
            )
            for row in conn.execute(query).mappings().all():
                key = (row["run_id"], row["check_id"])
                by_run.setdefault(row["run_id"], []).append(check_result(row, pages.get(key, ())))
                if row["fingerprint"]:
                    prints.setdefault(row["run_id"], {})[row["check_id"]] = row["fingerprint"]
        return [
            stored_run(row, by_run.get(row["run_id"], ()), prints.get(row["run_id"]))
            for row in found
        ]

    def latest(self, *, env: str | None = None) -> list[StoredRun]:
        """The newest run of each environment and region, with its checks (not their pages)."""
        from sqlalchemy import func, select

        from prodsmoke.history.schema import checks, runs

        newest = select(runs.c.env, runs.c.region, func.max(runs.c.started_at).label("at"))
        if env is not None:
            newest = newest.where(runs.c.env == env)
        sub = newest.group_by(runs.c.env, runs.c.region).subquery()
        query = (
            select(runs)
            .join(
                sub,
                (runs.c.env == sub.c.env)
                & (runs.c.region == sub.c.region)
                & (runs.c.started_at == sub.c.at),
            )
            .order_by(runs.c.env, runs.c.region)
        )
        with self.transaction(write=False) as conn:
            if conn is None:
                return []
            found = conn.execute(query).mappings().all()
            ids = [row["run_id"] for row in found]
            by_run: dict[str, list[Any]] = {}
            their_checks = (
                select(checks)
                .where(checks.c.run_id.in_(ids))
                .order_by(checks.c.run_id, checks.c.position)
            )
            for row in conn.execute(their_checks).mappings().all():
                by_run.setdefault(row["run_id"], []).append(check_result(row, ()))
        return [stored_run(row, by_run.get(row["run_id"], ())) for row in found]

    def seen_fingerprints(self, env: str, fingerprints: Iterable[str], *, besides: str) -> set[str]:
        """Which of `fingerprints` some run of `env` other than run `besides` failed with."""
        from sqlalchemy import select

        from prodsmoke.history.schema import checks, runs

        wanted = sorted(set(fingerprints))
        if not wanted:
            return set()
        query = (
            select(checks.c.fingerprint)
            .join(runs, runs.c.run_id == checks.c.run_id)
            .where(
                runs.c.env == env,
                runs.c.run_id != besides,
                checks.c.fingerprint.in_(wanted),
            )
            .distinct()
        )
        with self.transaction(write=False) as conn:
            if conn is None:
                return set()
            return {str(f) for f in conn.execute(query).scalars()}

    def first_seen(self, env: str, fingerprints: Iterable[str]) -> dict[str, datetime]:
        """When each of `fingerprints` first appeared in `env`'s history (those never seen are
        left out)."""
        from sqlalchemy import func, select

        from prodsmoke.history.schema import checks, runs

        wanted = sorted(set(fingerprints))
        if not wanted:
            return {}
        query = (
            select(checks.c.fingerprint, func.min(runs.c.started_at))
            .join(runs, runs.c.run_id == checks.c.run_id)
            .where(runs.c.env == env, checks.c.fingerprint.in_(wanted))
            .group_by(checks.c.fingerprint)
        )
        with self.transaction(write=False) as conn:
            if conn is None:
                return {}
            return {str(fp): _aware(at) for fp, at in conn.execute(query).all()}

    def envs(self) -> list[str]:
        """The environments the history has runs of."""
        from sqlalchemy import select

        from prodsmoke.history.schema import runs

        with self.transaction(write=False) as conn:
            if conn is None:
                return []
            return list(conn.execute(select(runs.c.env).distinct().order_by(runs.c.env)).scalars())

    # ---------------------------------------------------------------------------- plumbing

    def close(self) -> None:
        """Close the connections (a later use opens new ones)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = None
            self._current = False

    def _engine_now(self) -> Engine:
        with self._lock:
            if self._engine is None:
                if self.path is not None:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                self._engine = connect(
                    self.location,
                    connect_timeout_s=self.connect_timeout_s,
                    statement_timeout_s=self.statement_timeout_s,
                )
            return self._engine

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Any]:
        """A transaction (schema made current first when writing); for reading, None when there
        is no history yet."""
        with self._translate():
            if not write and self.path is not None and not self.path.is_file():
                yield None
                return
            engine = self._engine_now()
            if write and not self._current:
                migrate(engine)
                self._current = True
            with engine.connect() as conn:
                if not write and not self._current:
                    with conn.begin():
                        found = revision(conn)
                    if found is None:
                        yield None
                        return
                    _expect_head(found, self.display)
                    self._current = True
                with conn.execution_options(prodsmoke_write=write).begin():
                    yield conn

    @contextmanager
    def _translate(self) -> Iterator[None]:
        """Database and file errors become one `HistoryError` line naming the history."""
        from sqlalchemy.exc import SQLAlchemyError

        try:
            yield
        except HistoryError:
            raise
        except (SQLAlchemyError, OSError) as exc:
            reason = redact.redact(_reason(exc))
            if self.path is not None and is_corrupt(exc):
                raise CorruptHistory(
                    f"run history {self.display}: {reason}; the file is damaged (the next run "
                    "moves it aside and starts a fresh one)",
                    where=self.display,
                    reason=reason,
                ) from exc
            where = "history.url in monitoring-integration.yaml or $PRODSMOKE_HISTORY_URL"
            raise HistoryError(
                f"run history {self.display}: {reason}; check {where} names a reachable, "
                "writable database",
                where=self.display,
                reason=reason,
            ) from exc


def _aware(value: Any) -> datetime:
    """min() over a UtcDateTime column comes back untyped: as text on SQLite."""
    at: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _expect_head(found: str, display: str) -> None:
    from prodsmoke.history.schema import HEAD

    if found != HEAD:
        raise HistoryError(
            f"run history {display}: schema revision {found}, this prodsmoke reads {HEAD}; "
            "run `smoke history migrate` (or upgrade prodsmoke)"
        )


def _insert_ignoring_duplicates(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return lambda table: pg_insert(table).on_conflict_do_nothing(index_elements=["run_id"])
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return lambda table: sqlite_insert(table).on_conflict_do_nothing(index_elements=["run_id"])


def _url(artifacts_url: str | Path | None) -> str | None:
    if isinstance(artifacts_url, Path):
        return str(artifacts_url.resolve())
    return artifacts_url


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {text[0] if text else ''}".rstrip(": ")
