"""PostgreSQL: room on each page for in-place (HOT) updates of balances and lots

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

Every movement updates its wallet's and a store account's running totals and the
lots it draws; none of those columns is indexed, so PostgreSQL can update the
row on the same page without new index entries — when the page has room. Full
pages (the default fillfactor, 100) make every such update add an entry to each
index. Pages written from now on keep 20% (accounts) and 15% (lots) free.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FILLFACTORS = {"accounts": 80, "lots": 85}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, fillfactor in FILLFACTORS.items():
            op.execute(f"ALTER TABLE {table} SET (fillfactor = {fillfactor})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in FILLFACTORS:
            op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
