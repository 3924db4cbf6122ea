"""No lot entry for the lot a credit makes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

A credit (and a grant, a promise granted, a bulk grant) made its lot empty and
filled it with a lot entry of its own: a row and two index entries that only
repeated the lot's `amount` and `transaction_id`. The lot is now made filled and
the transaction names it (`transactions.lot_id`); readers show that entry from
the lot (ledger.queries), `billfold verify` counts it. This removes the entries
already written so that every lot follows the one rule. A transfer's receiving
lots, which their transaction does not name, keep their entries.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        DELETE FROM lot_entries
         WHERE EXISTS (SELECT 1 FROM transactions t JOIN lots l
                         ON l.store_id = t.store_id AND l.lot_id = t.lot_id
                        AND l.transaction_id = t.transaction_id
                        WHERE t.store_id = lot_entries.store_id
                          AND t.transaction_id = lot_entries.transaction_id
                          AND l.lot_id = lot_entries.lot_id)""")


def downgrade() -> None:
    op.execute("""
        INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta,
                                 position, created_at)
        SELECT l.store_id, l.transaction_id, l.lot_id, l.amount, 0, 0, l.created_at
          FROM lots l JOIN transactions t
            ON t.store_id = l.store_id AND t.transaction_id = l.transaction_id
           AND t.lot_id = l.lot_id""")
