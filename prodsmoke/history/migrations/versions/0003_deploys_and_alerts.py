"""Deploys and alerts (issue 22): a run's commit and version, the `deploy` trigger, an error
fingerprint per failed check, and `alert_states`.

PostgreSQL alters the tables in place. SQLite cannot change a CHECK constraint, and rebuilding
`runs` alone would not do: inside the migration's transaction foreign keys stay on, so dropping
the old `runs` would cascade into `checks`. So the three linked tables are rebuilt together —
copied into new ones, the old ones dropped children first, the new ones renamed (SQLite rewrites
the references on rename) — in the one transaction: a laptop's history survives the upgrade or is
left as it was. The fingerprints of the failures already kept are computed here as well, so the
report groups them and a failure seen before is not "new".

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)
STATUS = "status IN ('pass', 'warn', 'fail', 'skip')"
TRIGGER = "trigger IN ('scheduled', 'adhoc', 'deploy')"
OLD_RUN_COLUMNS = (
    "run_id, env, region, trigger, maintenance, target, started_at, duration_ms, status, "
    "failure_class, artifacts_url, requests, blocked, recorded_at"
)
CHECK_COLUMNS = (
    "run_id, check_id, position, kind, status, duration_ms, attempts, flaky, metrics, error, "
    "failure_class, artifacts, repro"
)
PAGE_COLUMNS = (
    "run_id, check_id, page, position, loads, ttfb_ms, fcp_ms, lcp_ms, cls, inp_ms, requests, "
    "transfer_bytes"
)


def upgrade() -> None:
    """Add the columns and `alert_states`; fingerprint the failures already kept."""
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite()
    else:
        op.add_column("runs", sa.Column("commit_sha", sa.String(64)))
        op.add_column("runs", sa.Column("version", sa.String(64)))
        op.drop_constraint("ck_runs_trigger", "runs", type_="check")
        op.create_check_constraint("ck_runs_trigger", "runs", TRIGGER)
        op.add_column("checks", sa.Column("fingerprint", sa.String(16)))
    op.create_index("ix_runs_env_version", "runs", ["env", "version"])
    op.create_index("ix_checks_fingerprint", "checks", ["fingerprint"])
    op.create_table(
        "alert_states",
        sa.Column("env", sa.String(64), nullable=False),
        sa.Column("check_id", sa.String(128), nullable=False),
        sa.Column("firing", sa.Boolean, nullable=False),
        sa.Column("since", WHEN, nullable=False),
        sa.Column("changed_at", WHEN, nullable=False),
        sa.Column("run_id", sa.String(80), nullable=False),
        sa.Column("severity", sa.String(16)),
        sa.PrimaryKeyConstraint("env", "check_id", name="pk_alert_states"),
    )
    _fingerprint_failures()


def downgrade() -> None:
    """Drop what 0003 added (PostgreSQL; a SQLite file would need the rebuild in reverse)."""
    if op.get_bind().dialect.name == "sqlite":
        raise NotImplementedError("restore the SQLite history from a copy taken before 0003")
    op.drop_table("alert_states")
    op.drop_index("ix_checks_fingerprint", "checks")
    op.drop_index("ix_runs_env_version", "runs")
    op.drop_column("checks", "fingerprint")
    op.execute("DELETE FROM runs WHERE trigger = 'deploy'")
    op.drop_constraint("ck_runs_trigger", "runs", type_="check")
    op.create_check_constraint("ck_runs_trigger", "runs", "trigger IN ('scheduled', 'adhoc')")
    op.drop_column("runs", "version")
    op.drop_column("runs", "commit_sha")


def _rebuild_sqlite() -> None:
    # S608: the column lists are this module's constants, nothing from outside
    op.create_table("runs_0003", *_run_columns())
    op.execute(
        f"INSERT INTO runs_0003 ({OLD_RUN_COLUMNS}, commit_sha, version) "  # noqa: S608
        f"SELECT {OLD_RUN_COLUMNS}, NULL, NULL FROM runs"
    )
    op.create_table("checks_0003", *_check_columns("runs_0003"))
    op.execute(
        f"INSERT INTO checks_0003 ({CHECK_COLUMNS}, fingerprint) "  # noqa: S608
        f"SELECT {CHECK_COLUMNS}, NULL FROM checks"
    )
    op.create_table("page_vitals_0003", *_page_columns("checks_0003"))
    op.execute(
        f"INSERT INTO page_vitals_0003 ({PAGE_COLUMNS}) "  # noqa: S608
        f"SELECT {PAGE_COLUMNS} FROM page_vitals"
    )
    for table in ("page_vitals", "checks", "runs"):  # children first: nothing cascades
        op.drop_table(table)
    for table in ("runs", "checks", "page_vitals"):  # references follow the renames
        op.rename_table(f"{table}_0003", table)
    op.create_index("ix_runs_env_started_at", "runs", ["env", "started_at"])
    op.create_index("ix_runs_started_at", "runs", ["started_at"])
    failed = sa.text("status = 'fail'")
    op.create_index("ix_runs_failed", "runs", ["env", "started_at"], sqlite_where=failed)


def _run_columns() -> list[Any]:
    return [
        sa.Column("run_id", sa.String(80), nullable=False),
        sa.Column("env", sa.String(64), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False, server_default="scheduled"),
        sa.Column("maintenance", sa.Text),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("failure_class", sa.String(16)),
        sa.Column("artifacts_url", sa.Text),
        sa.Column("requests", sa.Integer, nullable=False, server_default="0"),
        sa.Column("blocked", sa.Integer, nullable=False, server_default="0"),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.Column("commit_sha", sa.String(64)),
        sa.Column("version", sa.String(64)),
        sa.PrimaryKeyConstraint("run_id", name="pk_runs"),
        # the names a history created by 0001 has (the naming convention applied to its own)
        sa.CheckConstraint(STATUS, name=op.f("ck_runs_ck_runs_status")),
        sa.CheckConstraint(TRIGGER, name=op.f("ck_runs_ck_runs_trigger")),
        sa.CheckConstraint(
            "failure_class IS NULL OR failure_class IN ('product', 'network', 'infrastructure')",
            name=op.f("ck_runs_ck_runs_failure_class"),
        ),
    ]


def _check_columns(runs: str) -> list[Any]:
    return [
        sa.Column(
            "run_id",
            sa.String(80),
            sa.ForeignKey(f"{runs}.run_id", ondelete="CASCADE", name="fk_checks_run_id"),
            nullable=False,
        ),
        sa.Column("check_id", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("flaky", sa.Boolean, nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("failure_class", sa.String(16)),
        sa.Column("artifacts", JSON, nullable=False),
        sa.Column("repro", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.String(16)),
        sa.PrimaryKeyConstraint("run_id", "check_id", name="pk_checks"),
        sa.CheckConstraint(STATUS, name=op.f("ck_checks_ck_checks_status")),
        sa.CheckConstraint(
            "kind IN ('health', 'api', 'journey')", name=op.f("ck_checks_ck_checks_kind")
        ),
    ]


def _page_columns(checks: str) -> list[Any]:
    return [
        sa.Column("run_id", sa.String(80), nullable=False),
        sa.Column("check_id", sa.String(128), nullable=False),
        sa.Column("page", sa.String(300), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("loads", sa.Integer, nullable=False),
        sa.Column("ttfb_ms", sa.Float),
        sa.Column("fcp_ms", sa.Float),
        sa.Column("lcp_ms", sa.Float),
        sa.Column("cls", sa.Float),
        sa.Column("inp_ms", sa.Float),
        sa.Column("requests", sa.Integer),
        sa.Column("transfer_bytes", sa.BigInteger),
        sa.ForeignKeyConstraint(
            ["run_id", "check_id"],
            [f"{checks}.run_id", f"{checks}.check_id"],
            ondelete="CASCADE",
            name="fk_page_vitals_run_id",
        ),
        sa.PrimaryKeyConstraint("run_id", "check_id", "page", name="pk_page_vitals"),
    ]


def _fingerprint_failures() -> None:
    from prodsmoke.history.fingerprint import fingerprint

    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT run_id, check_id, error FROM checks WHERE status = 'fail'")
    ).all()
    found = [
        {"run_id": run_id, "check_id": check_id, "fingerprint": fingerprint(check_id, error)}
        for run_id, check_id, error in rows
        if error
    ]
    if found:
        bind.execute(
            sa.text(
                "UPDATE checks SET fingerprint = :fingerprint "
                "WHERE run_id = :run_id AND check_id = :check_id"
            ),
            found,
        )
