"""PostgreSQL: placing, capturing and releasing a hold in one call each

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

`billfold_hold`, `billfold_capture` and `billfold_release` implement the same
algorithm as `billfold.ledger.holds.place_hold`, `capture_hold` and
`release_hold`, and write the same rows: the lots' `held`/`remaining` and lot
entries, postings with running totals (the wallet, the wallet's `holds` store
account and, for a capture, the `spent` accounts per funding type), the
transaction, the `holds` row and the outbox event. A capture or release that lets
go of a lot past its expiry then expires the wallet's expired free credit as
`billfold.ledger.expiry.expire_wallet_lots` does (`billfold_expire_wallet_lots`).

Refusals are returned as `{"error": …}` before anything is written; the caller
raises the Python path's typed error. The `_keyed` variants add the idempotency
record exactly as `billfold_debit_keyed` does (0006): a stored record is
returned for replay, the outcome is stored beside the effect in the same
transaction, and a concurrent duplicate key raises serialization_failure (40001).

The stored outcome is the Hold as `billfold.codec` encodes it (datetimes as
Python's `isoformat()`), so a replay decodes to an equal Hold whichever path
stored it. Lock order as everywhere: the wallet, then store accounts by id.

The function bodies are the live files under `billfold/store/functions/`
(see `billfold.store.pg_functions`); this revision installs the ones it introduced.
"""

from __future__ import annotations

from alembic import op

from billfold.store import pg_functions

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FUNCTIONS = [
    "billfold_isoformat",
    "billfold_encoded_hold",
    "billfold_hold_payload",
    "billfold_expire_wallet_lots",
    "billfold_lock_open_hold",
    "billfold_hold",
    "billfold_capture",
    "billfold_release",
    "billfold_hold_keyed",
    "billfold_capture_keyed",
    "billfold_release_keyed",
]


def upgrade() -> None:
    pg_functions.install(op.get_bind(), FUNCTIONS)


def downgrade() -> None:
    pg_functions.drop(op.get_bind(), reversed(FUNCTIONS))
