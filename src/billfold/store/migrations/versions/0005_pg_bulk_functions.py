"""PostgreSQL: a bulk grant and an expiry sweep batch in one call each

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

`billfold_grant` is `billfold.ledger.bulk.grant_credits` and
`billfold_sweep_expired` is the batch of `billfold.ledger.expiry.sweep_expired_lots`,
set-based over the whole batch: one statement per table, running totals of the
store accounts by window function, account totals with one UPDATE … FROM. The
caller mints the ids and passes them as arrays, so no row comes back to the
client; `billfold_grant` names the customers who have no wallet yet, and the
caller calls again with wallet ids (and their buckets) for them. SQLite keeps
the Python path; tests compare the two row for row.

Lock order as everywhere: wallets by id (`FOR UPDATE`), then store accounts by id.

The function bodies are the live files under `billfold/store/functions/`
(see `billfold.store.pg_functions`); this revision installs the ones it introduced.
"""

from __future__ import annotations

from alembic import op

from billfold.store import pg_functions

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FUNCTIONS = [
    "billfold_post_store_legs",
    "billfold_grant",
    "billfold_sweep_expired",
]


def upgrade() -> None:
    pg_functions.install(op.get_bind(), FUNCTIONS)


def downgrade() -> None:
    pg_functions.drop(op.get_bind(), reversed(FUNCTIONS))
