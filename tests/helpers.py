"""Test helpers: snapshots of every number the ledger keeps, to prove nothing moved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from billfold.app import Billfold
from billfold.store.tables import (
    accounts,
    holds,
    idempotency_keys,
    lot_entries,
    lots,
    outbox_events,
    postings,
    transactions,
)

_SNAPSHOT_TABLES = [accounts, lots, holds, transactions, postings, lot_entries, outbox_events]


def snapshot(bf: Billfold, *, with_idempotency: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table, sorted: equal snapshots mean nothing changed."""
    tables = _SNAPSHOT_TABLES + ([idempotency_keys] if with_idempotency else [])
    with bf.begin(read_only=True) as conn:
        return {
            table.name: sorted(tuple(row) for row in conn.execute(select(table)).all())
            for table in tables
        }


def assert_books_balance(bf: Billfold) -> None:
    report = bf.verify()
    assert report.ok, report.render()
