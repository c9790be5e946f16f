"""The history's tables, one definition for SQLite and PostgreSQL (SQLAlchemy Core).

The migrations in `migrations/versions/` create exactly this; `HEAD` names the newest revision,
so a write can see whether the database is current with one small query instead of loading
Alembic (a test holds `HEAD` to the migration scripts' head).

- `runs`: a row per run. `status` and `trigger` are constrained to their values; indexes serve
  "one environment over a time window" (the report, the gate), "everything since" (retention)
  and, partially, "the failures" (`WHERE status = 'fail'`).
- `checks`: a row per check of a run, removed with its run.
- `maintenance_windows`: SPEC §12's windows, with what was silenced at which provider, so that
  `smoke maintenance end` or the first run after the window can restore exactly that.
- `page_vitals` (revision 0002): a row per page a journey loaded in a run (SPEC §13: its path
  template, how many documents, and each Web Vital, NULL when not measured), removed with its
  check.
- revision 0003 (SPEC §17): a run's `commit` and `version` and the `deploy` trigger; a failed
  check's error `fingerprint` (`history.fingerprint`); and `alert_states`, a row per environment
  and check that has paged: whether it is firing, since when, and the run that changed it (the
  notifiers' "once per state change", shared by every runner that writes the history).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

HEAD = "0003"
STATUSES = ("pass", "warn", "fail", "skip")
TRIGGERS = ("scheduled", "adhoc", "deploy")
KINDS = ("health", "api", "journey")
FAILURE_CLASSES = ("product", "network", "infrastructure")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on both engines (SQLite keeps the UTC wall time as text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Json = JSON().with_variant(JSONB(), "postgresql")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


runs = Table(
    "runs",
    metadata,
    Column("run_id", String(80), primary_key=True),
    Column("env", String(64), nullable=False),
    Column("region", String(64), nullable=False),
    Column("trigger", String(16), nullable=False, server_default="scheduled"),
    Column("maintenance", Text),  # the window's reason when the run fell inside one
    Column("target", Text, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("status", String(8), nullable=False),
    Column("failure_class", String(16)),
    Column("artifacts_url", Text),  # s3:// prefix, GitHub run URL, or a local folder
    Column("requests", Integer, nullable=False, server_default="0"),
    Column("blocked", Integer, nullable=False, server_default="0"),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("commit_sha", String(64)),  # revision 0003: the deploy the run checked
    Column("version", String(64)),
    CheckConstraint(_one_of("status", STATUSES), name="status"),
    CheckConstraint(_one_of("trigger", TRIGGERS), name="trigger"),
    CheckConstraint(
        f"failure_class IS NULL OR {_one_of('failure_class', FAILURE_CLASSES)}",
        name="failure_class",
    ),
    Index("ix_runs_env_started_at", "env", "started_at"),
    Index("ix_runs_started_at", "started_at"),
    Index(
        "ix_runs_failed",
        "env",
        "started_at",
        postgresql_where=text("status = 'fail'"),
        sqlite_where=text("status = 'fail'"),
    ),
    Index("ix_runs_env_version", "env", "version"),
)

checks = Table(
    "checks",
    metadata,
    Column(
        "run_id",
        String(80),
        ForeignKey("runs.run_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("check_id", String(128), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(8), nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("flaky", Boolean, nullable=False),
    Column("metrics", Json, nullable=False),
    Column("error", Text),
    Column("failure_class", String(16)),
    Column("artifacts", Json, nullable=False),
    Column("repro", Text, nullable=False),
    Column("fingerprint", String(16)),  # revision 0003: the failure's kind (history.fingerprint)
    CheckConstraint(_one_of("status", STATUSES), name="status"),
    CheckConstraint(_one_of("kind", KINDS), name="kind"),
    Index("ix_checks_fingerprint", "fingerprint"),
)

maintenance_windows = Table(
    "maintenance_windows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("env", String(64), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),  # ended early by `smoke maintenance end`
    Column("restored_at", UtcDateTime),  # the providers were given back their alerting
    Column("silenced", Json, nullable=False),  # provider -> what was silenced there
    CheckConstraint("ends_at > starts_at", name="span"),
    Index("ix_maintenance_windows_env_ends_at", "env", "ends_at"),
)

page_vitals = Table(
    "page_vitals",
    metadata,
    Column("run_id", String(80), primary_key=True),
    Column("check_id", String(128), primary_key=True),
    Column("page", String(300), primary_key=True),  # a path template, e.g. /items/:id
    Column("position", Integer, nullable=False),  # the order the journey first loaded it
    Column("loads", Integer, nullable=False),
    Column("ttfb_ms", Float),
    Column("fcp_ms", Float),
    Column("lcp_ms", Float),
    Column("cls", Float),
    Column("inp_ms", Float),
    Column("requests", Integer),
    Column("transfer_bytes", BigInteger),
    ForeignKeyConstraint(
        ["run_id", "check_id"], ["checks.run_id", "checks.check_id"], ondelete="CASCADE"
    ),
)

alert_states = Table(
    "alert_states",
    metadata,
    Column("env", String(64), primary_key=True),
    Column("check_id", String(128), primary_key=True),
    Column("firing", Boolean, nullable=False),
    Column("since", UtcDateTime, nullable=False),  # when the failure (or the recovery) began
    Column("changed_at", UtcDateTime, nullable=False),
    Column("run_id", String(80), nullable=False),  # the run that changed the state
    Column("severity", String(16)),  # the rule's, when one asked for more than one failure
)
