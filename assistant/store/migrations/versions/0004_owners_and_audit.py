"""A studio a team shares: every document set has an owner and may be shared with a team; an
append-only audit trail of who did what.

Runs recorded before this revision get the owner in ``PLAYBOOK_LEGACY_OWNER`` (default
``local:legacy``), so they stay visible to that owner and to admins.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("owner", sa.String(300), nullable=True))
    op.add_column("runs", sa.Column("owner_email", sa.String(320), nullable=True))
    op.add_column("runs", sa.Column("shared_with", sa.String(100), nullable=True))
    op.create_index("ix_runs_owner", "runs", ["owner"])
    legacy = os.environ.get("PLAYBOOK_LEGACY_OWNER", "").strip() or "local:legacy"
    op.execute(sa.text("UPDATE runs SET owner = :owner WHERE owner IS NULL").bindparams(owner=legacy))
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(300), nullable=False),
        sa.Column("actor_email", sa.String(320), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("step", sa.String(255), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("cost", sa.Float(), nullable=True),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_index("ix_audit_actor_at", "audit", ["actor", "at"])


def downgrade() -> None:
    op.drop_table("audit")
    op.drop_index("ix_runs_owner", "runs")
    with op.batch_alter_table("runs") as batch:
        for name in ("shared_with", "owner_email", "owner"):
            batch.drop_column(name)
