"""PostgreSQL: a debit in one call (billfold_debit)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

The function implements the same algorithm as `billfold.ledger.debit.debit`
(lock the wallet, draw lots in spending order, lot entries, postings with
running balances, transaction row, outbox event) so that a debit costs one
round trip. SQLite keeps the Python path. Tests run both against each other.

The function bodies are the live files under `billfold/store/functions/`
(see `billfold.store.pg_functions`); this revision installs the ones it introduced.
"""

from __future__ import annotations

from alembic import op

from billfold.store import pg_functions

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FUNCTIONS = [
    "billfold_post_leg",
    "billfold_post_store_legs_by_type",
    "billfold_draw_lots",
    "billfold_debit",
]


def upgrade() -> None:
    pg_functions.install(op.get_bind(), FUNCTIONS)


def downgrade() -> None:
    pg_functions.drop(op.get_bind(), reversed(FUNCTIONS))
