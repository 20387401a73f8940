"""Document sets: a run's name and labels, and how each version was made (provenance and figures).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

VERSION_COLUMNS = [
    sa.Column("provider", sa.String(50), nullable=True),
    sa.Column("model", sa.String(200), nullable=True),
    sa.Column("input_tokens", sa.Integer(), nullable=True),
    sa.Column("output_tokens", sa.Integer(), nullable=True),
    sa.Column("usage_estimated", sa.Boolean(), nullable=True),
    sa.Column("cost", sa.Float(), nullable=True),
    sa.Column("inputs", sa.JSON(), nullable=True),
    sa.Column("report", sa.JSON(), nullable=True),
]


def upgrade() -> None:
    op.add_column("runs", sa.Column("title", sa.String(200), nullable=True))
    op.add_column("runs", sa.Column("labels", sa.JSON(), nullable=True))
    for column in VERSION_COLUMNS:
        op.add_column("step_versions", column)
    # versions written before 0003 were made the way their run was
    op.execute(
        "UPDATE step_versions SET provider = (SELECT runs.provider FROM runs JOIN steps ON steps.run_id = runs.id"
        " WHERE steps.id = step_versions.step_id), model = (SELECT runs.model FROM runs JOIN steps"
        " ON steps.run_id = runs.id WHERE steps.id = step_versions.step_id) WHERE kind = 'generated'"
    )


def downgrade() -> None:
    with op.batch_alter_table("step_versions") as batch:
        for column in reversed(VERSION_COLUMNS):
            batch.drop_column(column.name)
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("labels")
        batch.drop_column("title")
