"""Web Vitals: a row per page a journey loaded in a run (issue 14).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create `page_vitals`, removed with the check it belongs to."""
    op.create_table(
        "page_vitals",
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
            ["checks.run_id", "checks.check_id"],
            ondelete="CASCADE",
            name="fk_page_vitals_run_id",
        ),
        sa.PrimaryKeyConstraint("run_id", "check_id", "page", name="pk_page_vitals"),
    )


def downgrade() -> None:
    """Drop it (the runs and checks stay)."""
    op.drop_table("page_vitals")
