"""A keyed hold, capture or release keeps its key in its transaction row

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

As 0011 did for credits and debits: the hold's own transaction (hold, capture or
release) carries the idempotency key and the fingerprint, and a retry reads the hold
back (ledger.holds.answer_of). The three functions take the key: their old
signatures are dropped here and installed again from their files.
"""

from __future__ import annotations

from alembic import op

from billfold.store import pg_functions

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

FUNCTIONS = ["billfold_hold", "billfold_capture", "billfold_release"]


def upgrade() -> None:
    bind = op.get_bind()
    pg_functions.drop(bind, FUNCTIONS)
    pg_functions.install(bind, FUNCTIONS)


def downgrade() -> None:
    pass  # the functions keep their head bodies (store/pg_functions.py)
