"""PostgreSQL: a keyed credit or debit in one round trip

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

`billfold_debit_keyed` and `billfold_credit_keyed` wrap `billfold_debit` and
`billfold_credit` with the idempotency record (billfold.app.idempotency): a stored
record for the key is returned as is (the caller replays it or reports the
conflict); otherwise the movement runs and its outcome is stored beside it, in
the same transaction. Called outside an explicit transaction, a movement is
then one statement: one round trip, row locks held only while it runs.

A concurrent request with the same key that commits first makes our insert of
the key find a conflict: we raise serialization_failure (40001), the caller
retries, and the retry finds the first request's record.

The function bodies are the live files under `billfold/store/functions/`
(see `billfold.store.pg_functions`); this revision installs the ones it introduced.
"""

from __future__ import annotations

from alembic import op

from billfold.store import pg_functions

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

FUNCTIONS = [
    "billfold_idempotency_replay",
    "billfold_debit_keyed",
    "billfold_credit_keyed",
]


def upgrade() -> None:
    pg_functions.install(op.get_bind(), FUNCTIONS)


def downgrade() -> None:
    pg_functions.drop(op.get_bind(), reversed(FUNCTIONS))
