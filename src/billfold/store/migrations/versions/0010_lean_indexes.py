"""No index that no hot query reads: postings by transaction

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

Every movement wrote two or three entries into `ix_postings_store_id_transaction_id`
(one per posting), and only `billfold verify` ever looked a posting up by its
transaction — a whole-table check that groups or anti-joins all postings at once
and does not need it. History pages by the primary key `(store_id, account_id,
seq)`, a transaction's lots are found through `lot_entries`' primary key.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_postings_store_id_transaction_id", table_name="postings")


def downgrade() -> None:
    op.create_index("ix_postings_store_id_transaction_id", "postings",
                    ["store_id", "transaction_id"])
