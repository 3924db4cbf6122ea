"""A keyed movement's idempotency record is its transaction row

Revision ID: 0011
Revises: 0301
Create Date: 2026-12-02

A keyed credit or debit wrote its transaction and, beside it, an idempotency
record holding the whole answer as JSON (a row, its primary-key entry and the
encoding of the answer on every call). The transaction row now carries the key
and the request's fingerprint, under a partial unique index; a retry reads the
transaction back. Refusals, and operations whose answer is not one transaction,
keep their record in `idempotency_keys`. The two movement functions take the key:
their old signatures are dropped here and `billfold migrate` installs the new ones
from their files. Records written before this revision stay where they are and
still answer. Going down below it forgets the keys of movements made since (their
answers are not rebuilt into idempotency_keys): do not downgrade under live retries.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from billfold.store import pg_functions

revision = "0011"
down_revision = "0301"
branch_labels = None
depends_on = None

FUNCTIONS = ["billfold_debit", "billfold_credit", "billfold_keyed_replay",
             "billfold_debit_keyed", "billfold_credit_keyed"]


def upgrade() -> None:
    with op.batch_alter_table("transactions") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("request_fingerprint", sa.String(length=64), nullable=True))
    op.create_index("uq_transactions_idempotency_key", "transactions",
                    ["store_id", "idempotency_key"], unique=True,
                    postgresql_where=sa.text("idempotency_key IS NOT NULL"),
                    sqlite_where=sa.text("idempotency_key IS NOT NULL"))
    bind = op.get_bind()
    pg_functions.drop(bind, ["billfold_debit", "billfold_credit"])
    pg_functions.install(bind, FUNCTIONS)


def downgrade() -> None:
    # Functions keep their head bodies (store/pg_functions.py: a database runs at head);
    # the next upgrade drops and installs them again.
    pg_functions.drop(op.get_bind(), ["billfold_keyed_replay"])
    op.drop_index("uq_transactions_idempotency_key", table_name="transactions")
    with op.batch_alter_table("transactions") as batch:
        batch.drop_column("request_fingerprint")
        batch.drop_column("idempotency_key")
