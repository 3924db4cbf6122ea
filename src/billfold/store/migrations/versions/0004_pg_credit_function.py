"""PostgreSQL: a credit in one call (billfold_credit)

Revision ID: 0004
Revises: 0101
Create Date: 2026-11-25

Same algorithm as `billfold.ledger.credit.credit`: create customer and
wallet if new, lock the wallet, insert the lot, its entry, both postings with
running totals, the transaction and the outbox event. SQLite keeps the Python
path; tests compare the two row for row.

The function bodies are the live files under `billfold/store/functions/`
(see `billfold.store.pg_functions`); this revision installs the ones it introduced.
"""

from __future__ import annotations

from alembic import op

from billfold.store import pg_functions

revision = "0004"
down_revision = "0101"
branch_labels = None
depends_on = None

FUNCTIONS = [
    "billfold_credit",
]


def upgrade() -> None:
    pg_functions.install(op.get_bind(), FUNCTIONS)


def downgrade() -> None:
    pg_functions.drop(op.get_bind(), reversed(FUNCTIONS))
