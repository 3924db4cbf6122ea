"""Test helpers: snapshots of every number the ledger keeps, to prove nothing moved."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from billfold.app import Billfold
from billfold.errors import BillfoldError
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


# Every prefixed id the ledger and checkout mint (billfold.ids), whole strings only.
OBJECT_ID = re.compile(
    r"^(txn|lot|wal|evt|hold|sto|prm|chk|off|ref|key|rule|awd|lev|rfl|wdh|wd|code|top|whe|dlv)_[0-9a-z]{26}$")


def rename_ids(value: Any, names: dict[str, str]) -> Any:
    """`value` (results, rows, dataclasses, contract models) with each id replaced by its
    name in `names` (a new id gets the next number): two runs that mint different ids
    compare equal."""
    if isinstance(value, str):
        if OBJECT_ID.match(value):
            return names.setdefault(value, f"{value[:3]}#{len(names)}")
        return value
    if isinstance(value, dict):
        return {k: rename_ids(v, names) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rename_ids(v, names) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return rename_ids({f: getattr(value, f) for f in value.__dataclass_fields__}, names)
    if isinstance(value, BaseModel):  # a contract object: its fields, as they are
        return rename_ids({f: getattr(value, f) for f in type(value).model_fields}, names)
    return value


def race_calls(calls: list[Callable[[], object]]) -> Counter[str]:
    """Run library `calls` at once (a barrier lines them up); count outcomes by error
    code ("ok" for a call that returned)."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> str:
        barrier.wait()
        try:
            call()
        except BillfoldError as refusal:
            return refusal.code
        return "ok"

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return Counter(pool.map(run, calls))
