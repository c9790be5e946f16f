"""The run history: runs, their checks, maintenance windows.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)
STATUS = "status IN ('pass', 'warn', 'fail', 'skip')"


def upgrade() -> None:
    """Create the three tables and their indexes."""
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(80), primary_key=True),
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
        sa.CheckConstraint(STATUS, name="ck_runs_status"),
        sa.CheckConstraint("trigger IN ('scheduled', 'adhoc')", name="ck_runs_trigger"),
        sa.CheckConstraint(
            "failure_class IS NULL OR failure_class IN ('product', 'network', 'infrastructure')",
            name="ck_runs_failure_class",
        ),
    )
    op.create_index("ix_runs_env_started_at", "runs", ["env", "started_at"])
    op.create_index("ix_runs_started_at", "runs", ["started_at"])
    failed = sa.text("status = 'fail'")
    op.create_index(
        "ix_runs_failed",
        "runs",
        ["env", "started_at"],
        postgresql_where=failed,
        sqlite_where=failed,
    )
    op.create_table(
        "checks",
        sa.Column(
            "run_id",
            sa.String(80),
            sa.ForeignKey("runs.run_id", ondelete="CASCADE", name="fk_checks_run_id"),
            primary_key=True,
        ),
        sa.Column("check_id", sa.String(128), primary_key=True),
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
        sa.CheckConstraint(STATUS, name="ck_checks_status"),
        sa.CheckConstraint("kind IN ('health', 'api', 'journey')", name="ck_checks_kind"),
    )
    op.create_table(
        "maintenance_windows",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("env", sa.String(64), nullable=False),
        sa.Column("starts_at", WHEN, nullable=False),
        sa.Column("ends_at", WHEN, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("ended_at", WHEN),
        sa.Column("restored_at", WHEN),
        sa.Column("silenced", JSON, nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name="ck_maintenance_windows_span"),
    )
    op.create_index("ix_maintenance_windows_env_ends_at", "maintenance_windows", ["env", "ends_at"])


def downgrade() -> None:
    """Drop everything."""
    op.drop_table("maintenance_windows")
    op.drop_table("checks")
    op.drop_table("runs")
