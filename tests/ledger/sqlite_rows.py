"""For the SQLite twin tests (fast path against Python path): every row of the
database file as stored, and results and rows with ids replaced by their rank."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from billfold.errors import BillfoldError

ID = re.compile(r"\b(?:txn|lot|wal|evt|hold|sto|prm)_[0-9a-z]{26}\b")
TABLES = ("customers", "accounts", "lots", "holds", "transactions", "postings",
          "lot_entries", "outbox_events", "idempotency_keys")
LEDGER_TABLES = [t for t in TABLES if t != "idempotency_keys"]


def dump_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row as stored in the file (datetimes and JSON as their text)."""
    db = sqlite3.connect(path)
    try:
        return {table: db.execute(f"SELECT * FROM {table}").fetchall() for table in TABLES}
    finally:
        db.close()


def refusal_of(call: Any) -> dict[str, Any]:
    """The error body `call` is refused with (it must be refused)."""
    with pytest.raises(BillfoldError) as caught:
        call()
    return caught.value.to_dict()


def normalise(outcomes: list[Any], rows: dict[str, list[tuple[Any, ...]]]) -> tuple[Any, Any]:
    """Replace each id by its rank among all ids (ids grow in creation order)."""
    text = repr((outcomes, rows))
    names = {value: f"{value[:3]}#{n}" for n, value in enumerate(sorted(set(ID.findall(text))))}
    rename = lambda value: ID.sub(lambda m: names[m.group(0)], repr(value))  # noqa: E731
    tables = {table: sorted(map(rename, table_rows)) for table, table_rows in rows.items()}
    return [rename(o) for o in outcomes], tables
