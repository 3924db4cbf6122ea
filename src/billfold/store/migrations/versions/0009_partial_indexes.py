"""Smaller indexes: each keeps only the rows it is looked up for

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26

- `transactions`: a reversal is found by the transaction it reverses, and only
  reversals name one. Every other movement wrote a NULL entry into the index;
  now only reversals are in it (a lookup by `reverses_transaction_id = x` implies
  it is not NULL, so both databases still use the index).
- `outbox_events`: delivery looks for the events not yet published, oldest id
  first. The index keeps only those, by id, so it is the size of the backlog,
  not of the whole history, and publishing an event takes it out.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

REVERSALS = sa.text("reverses_transaction_id IS NOT NULL")
UNPUBLISHED = sa.text("published_at IS NULL")


def upgrade() -> None:
    op.drop_index("ix_transactions_store_id_reverses_transaction_id",
                  table_name="transactions")
    op.create_index("ix_transactions_reversals", "transactions",
                    ["store_id", "reverses_transaction_id"],
                    postgresql_where=REVERSALS, sqlite_where=REVERSALS)
    op.drop_index("ix_outbox_events_store_id_published_at", table_name="outbox_events")
    op.create_index("ix_outbox_events_unpublished", "outbox_events", ["store_id", "event_id"],
                    postgresql_where=UNPUBLISHED, sqlite_where=UNPUBLISHED)


def downgrade() -> None:
    op.drop_index("ix_outbox_events_unpublished", table_name="outbox_events")
    op.create_index("ix_outbox_events_store_id_published_at", "outbox_events",
                    ["store_id", "published_at"])
    op.drop_index("ix_transactions_reversals", table_name="transactions")
    op.create_index("ix_transactions_store_id_reverses_transaction_id", "transactions",
                    ["store_id", "reverses_transaction_id"])
