"""statistics' daily sums of closed days, kept by the worker

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

ID = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "flow_days",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("program", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("undone", sa.String(length=32), nullable=False),
        sa.Column("funding_type", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "day", "program", "type", "undone",
                                "funding_type", name=op.f("pk_flow_days")),
    )
    op.create_table(
        "flow_rollups",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("through", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_flow_rollups")),
    )


def downgrade() -> None:
    op.drop_table("flow_rollups")
    op.drop_table("flow_days")
