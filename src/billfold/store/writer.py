"""The rows a money movement reads and writes: one interface, two implementations.

Every movement of the ledger (credit, debit, hold, capture, release, reversal,
transfer, expiry) is one story in its own module — check the arguments, plan,
write the plan — and reaches the database only through a `Writer`:

- `Writer`: SQLAlchemy Core, any dialect. PostgreSQL takes it where a movement has
  no database function, or where `Billfold(fast_paths=False)` asks for it (the twin
  tests compare it with the functions in store/functions/).
- `SqliteWriter`: the same statements as fixed SQL on the raw sqlite3 connection
  under SQLAlchemy's, inside the caller's transaction (sqlite3 keeps them prepared).
  SQLAlchemy's execution costs ~50-150 µs of Python a statement, this ~5-20 µs;
  the rows written are the same (tests/ledger/test_writers.py compares them).

`writer(conn)` picks the one for a connection. Nothing here knows what a movement
means: the ledger decides which rows, this only says how they are written.
"""

from __future__ import annotations

import json
import operator
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Table,
    and_,
    bindparam,
    insert,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from billfold.store.engine import fast_path, from_sqlite_time, sqlite_connection, sqlite_time
from billfold.store.sql import insert_if_absent
from billfold.store.tables import (
    accounts,
    auto_topup_rules,
    customers,
    holds,
    idempotency_keys,
    lot_entries,
    lots,
    postings,
    programs,
    stores,
    transactions,
)

LOT_ACTIVE = "active"
LOT_SPENT = "spent"


class Totals(NamedTuple):
    """An account's running totals right after a posting to it."""

    seq: int
    balance_after: int
    held_after: int


class LotMove(NamedTuple):
    """What a transaction does to one lot: `amount` to its remaining, `held_delta` to
    its held part (negative takes away)."""

    lot_id: str
    amount: int
    held_delta: int


POSTING_COLUMNS = tuple(column.name for column in postings.columns)
assert POSTING_COLUMNS[-1] == "created_at"
# What the ledger reads of a wallet row (both writers give these, by name).
WALLET_COLUMNS = ("account_id", "customer_id", "program", "unit", "balance", "held",
                  "last_seq")


class Writer:
    """A movement's statements through SQLAlchemy Core (any dialect)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    # Reads, under the movement's locks.

    def program(self, store_id: str, name: str) -> Any:
        """(name, unit, spending strategy, default expiry seconds), or None."""
        return self.conn.execute(_GET_PROGRAM, {"b_store_id": store_id,
                                                "b_name": name}).one_or_none()

    def lock_wallet(self, store_id: str, customer_id: str, program: str) -> Any:
        """The customer's wallet row in `program`, locked until commit, or None."""
        return self.conn.execute(_LOCK_WALLET, {
            "b_store_id": store_id, "b_customer_id": customer_id,
            "b_program": program}).one_or_none()

    def lock_wallet_by_id(self, store_id: str, wallet_id: str) -> Any:
        return self.conn.execute(_LOCK_WALLET_BY_ID, {
            "b_store_id": store_id, "b_account_id": wallet_id}).one_or_none()

    def spendable_lots(self, store_id: str, wallet_id: str, strategy: str, now: datetime,
                       offset: int, limit: int, *,
                       withdrawable_only: bool = False) -> list[tuple[str, str, int]]:
        """(lot id, funding type, free part) of the lots that can pay now (only the
        withdrawable ones if `withdrawable_only`), in the program's spending order,
        `limit` of them from `offset`."""
        return [(lot_id, funding_type, free) for lot_id, funding_type, free in self.conn.execute(
            _draw_statement(strategy, withdrawable_only),
            {"b_store_id": store_id, "b_wallet_id": wallet_id, "b_now": now,
             "b_offset": offset, "b_limit": limit})]

    def hold(self, store_id: str, hold_id: str) -> dict[str, Any] | None:
        """The holds row as a dict of its columns, or None."""
        row = self.conn.execute(_GET_HOLD, {"b_store_id": store_id,
                                            "b_hold_id": hold_id}).one_or_none()
        return None if row is None else dict(row._mapping)

    def held_lots(self, store_id: str, transaction_id: str,
                  now: datetime) -> list[tuple[str, str, int, bool]]:
        """The lots the hold transaction drew, in the order it drew them: (lot id,
        funding type, amount held, whether the lot is past its expiry now)."""
        return [(lot_id, funding_type, held, expires_at is not None and expires_at <= now)
                for lot_id, funding_type, held, expires_at in self.conn.execute(
                    _HELD_LOTS, {"b_store_id": store_id, "b_transaction_id": transaction_id})]

    def idempotency_record(self, store_id: str, key: str) -> tuple[Any, ...] | None:
        """(operation, fingerprint, outcome, status code, response) stored for `key`."""
        found = self.conn.execute(_GET_IDEMPOTENCY, {"b_store_id": store_id,
                                                     "b_key": key}).one_or_none()
        return None if found is None else tuple(found)

    def thresholds(self, store_id: str, customer_id: str,
                   program: str) -> tuple[dict[str, Any], int | None, int | None]:
        """(the store's settings, the wallet's automatic top-up threshold and amount)."""
        row = self.conn.execute(_GET_THRESHOLDS, {
            "b_store_id": store_id, "b_customer_id": customer_id,
            "b_program": program}).one()
        return row[0] or {}, row[1], row[2]

    def keyed_transaction(self, store_id: str, key: str) -> tuple[str, str] | None:
        """(transaction id, fingerprint) of the transaction that carries `key`."""
        found = self.conn.execute(_GET_KEYED_TRANSACTION, {"b_store_id": store_id,
                                                           "b_key": key}).one_or_none()
        return None if found is None else (found[0], found[1])

    # Writes.

    def add_idempotency_record(self, store_id: str, key: str, operation: str,
                               fingerprint: str, outcome: str, status_code: int | None,
                               response: Any, now: datetime) -> bool:
        """Store a request's outcome under its key; False if one is there already."""
        return self.conn.execute(_add_idempotency(self.conn.dialect.name), {
            "store_id": store_id, "key": key, "operation": operation,
            "fingerprint": fingerprint, "outcome": outcome, "status_code": status_code,
            "response": response, "created_at": now}).first() is not None

    def add_customer(self, store_id: str, customer_id: str, now: datetime) -> None:
        """The customer, unless there already is one by that id."""
        insert_if_absent(self.conn, customers, {
            "store_id": store_id, "customer_id": customer_id, "email": None, "name": None,
            "metadata": {}, "created_at": now})

    def add_account(self, values: dict[str, Any]) -> None:
        """An account row (all columns), unless one with its key or wallet is there."""
        insert_if_absent(self.conn, accounts, values)

    def add_to_account(self, store_id: str, account_id: str, amount: int, held_delta: int,
                       pending_delta: int) -> Totals | None:
        """Add to an account's totals and count one posting; None if there is no such
        account."""
        row = self.conn.execute(_ADD_TO_ACCOUNT, {
            "b_store_id": store_id, "b_account_id": account_id, "b_amount": amount,
            "b_held": held_delta, "b_pending": pending_delta, "b_credit": max(amount, 0),
            "b_debit": max(-amount, 0)}).one_or_none()
        return None if row is None else Totals(*row)

    def add_rows(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows (dicts of all of `table`'s columns)."""
        if rows:
            self.conn.execute(insert(table), list(rows))

    def add_postings(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert postings, each a tuple in POSTING_COLUMNS order (created_at last)."""
        self.add_rows(postings, [dict(zip(POSTING_COLUMNS, row, strict=True)) for row in rows])

    def move_lots(self, store_id: str, transaction_id: str, moves: Sequence[LotMove],
                  now: datetime) -> None:
        """Apply the moves to their lots, record them numbered in order as the
        transaction's lot entries, and mark spent a lot drawn down to nothing (nothing
        held either). A lot's remaining is always the sum of its entries."""
        if not moves:
            return
        self.conn.execute(_MOVE_LOT, [
            {"b_store_id": store_id, "b_lot_id": m.lot_id, "b_amount": m.amount,
             "b_held": m.held_delta} for m in moves])
        self.add_rows(lot_entries, [
            {"store_id": store_id, "transaction_id": transaction_id, "lot_id": m.lot_id,
             "amount": m.amount, "held_delta": m.held_delta, "position": position,
             "created_at": now} for position, m in enumerate(moves)])
        drained = [m.lot_id for m in moves if m.amount < 0]
        if drained:
            self.conn.execute(_MARK_SPENT, {"b_store_id": store_id, "b_lot_ids": drained,
                                            "b_now": now})

    def settle_hold(self, store_id: str, hold_id: str, status: str, captured: int,
                    transaction_id: str, now: datetime) -> None:
        self.conn.execute(_SETTLE_HOLD, {
            "b_store_id": store_id, "b_hold_id": hold_id, "status": status,
            "captured_amount": captured, "settled_at": now,
            "settled_transaction_id": transaction_id})


class SqliteWriter(Writer):
    """The same statements as fixed SQL on the raw sqlite3 connection.

    What bounds a movement here is the commit: a debit changes ~33 pages in ~20
    b-trees (tables and indexes), each a WAL frame to write and fsync, where the
    bare loop of bench/refs.py changes 2 (`python -m bench.sqlite_wal_frames`).
    """

    def __init__(self, conn: Connection):
        super().__init__(conn)
        self.db: sqlite3.Connection = sqlite_connection(conn)

    def program(self, store_id: str, name: str) -> Any:
        return self.db.execute(_SQLITE_PROGRAM, (store_id, name)).fetchone()

    def lock_wallet(self, store_id: str, customer_id: str, program: str) -> Any:
        # The transaction's BEGIN IMMEDIATE already holds SQLite's one write lock.
        row = self.db.execute(_SQLITE_WALLET, (store_id, customer_id, program)).fetchone()
        return None if row is None else _WalletRow(*row)

    def lock_wallet_by_id(self, store_id: str, wallet_id: str) -> Any:
        row = self.db.execute(_SQLITE_WALLET_BY_ID, (store_id, wallet_id)).fetchone()
        return None if row is None else _WalletRow(*row)

    def spendable_lots(self, store_id: str, wallet_id: str, strategy: str, now: datetime,
                       offset: int, limit: int, *,
                       withdrawable_only: bool = False) -> list[tuple[str, str, int]]:
        return self.db.execute(_sqlite_draw(strategy, withdrawable_only),
                               (store_id, wallet_id, sqlite_time(now), limit, offset)).fetchall()

    def hold(self, store_id: str, hold_id: str) -> dict[str, Any] | None:
        row = self.db.execute(_SQLITE_HOLD, (store_id, hold_id)).fetchone()
        if row is None:
            return None
        return {name: (convert(value) if convert and value is not None else value)
                for (name, convert), value in zip(_HOLD_READERS, row, strict=True)}

    def held_lots(self, store_id: str, transaction_id: str,
                  now: datetime) -> list[tuple[str, str, int, bool]]:
        return [(lot_id, funding_type, held, bool(expired)) for lot_id, funding_type, held, expired
                in self.db.execute(_SQLITE_HELD_LOTS, (sqlite_time(now), store_id,
                                                       transaction_id))]

    def idempotency_record(self, store_id: str, key: str) -> tuple[Any, ...] | None:
        found = self.db.execute(_SQLITE_GET_IDEMPOTENCY, (store_id, key)).fetchone()
        return None if found is None else (*found[:4], json.loads(found[4]))

    def thresholds(self, store_id: str, customer_id: str,
                   program: str) -> tuple[dict[str, Any], int | None, int | None]:
        settings, threshold, amount = self.db.execute(
            _SQLITE_GET_THRESHOLDS, (customer_id, program, store_id)).fetchone()
        return json.loads(settings) if settings else {}, threshold, amount

    def keyed_transaction(self, store_id: str, key: str) -> tuple[str, str] | None:
        found = self.db.execute(_SQLITE_GET_KEYED_TRANSACTION, (store_id, key)).fetchone()
        return None if found is None else (found[0], found[1])

    def add_idempotency_record(self, store_id: str, key: str, operation: str,
                               fingerprint: str, outcome: str, status_code: int | None,
                               response: Any, now: datetime) -> bool:
        return self.db.execute(_SQLITE_ADD_IDEMPOTENCY, (
            store_id, key, operation, fingerprint, outcome, status_code, json.dumps(response),
            sqlite_time(now))).fetchone() is not None

    def add_customer(self, store_id: str, customer_id: str, now: datetime) -> None:
        self.db.execute(_SQLITE_ADD_CUSTOMER, (store_id, customer_id, sqlite_time(now)))

    def add_to_account(self, store_id: str, account_id: str, amount: int, held_delta: int,
                       pending_delta: int) -> Totals | None:
        row = self.db.execute(_SQLITE_ADD_TO_ACCOUNT, (amount, held_delta, pending_delta,
                                                       store_id, account_id)).fetchone()
        return None if row is None else Totals(*row)

    def add_rows(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        sql, values_of, converted = _sqlite_insert(table)
        params = []
        for row in rows:
            values = list(values_of(row))
            for index, convert in converted:
                if values[index] is not None:
                    values[index] = convert(values[index])
            params.append(values)
        self.db.executemany(sql, params)

    def add_postings(self, rows: Sequence[tuple[Any, ...]]) -> None:
        self.db.executemany(_SQLITE_ADD_POSTING, [(*row[:-1], sqlite_time(row[-1]))
                                                  for row in rows])

    def move_lots(self, store_id: str, transaction_id: str, moves: Sequence[LotMove],
                  now: datetime) -> None:
        if not moves:
            return
        at = sqlite_time(now)
        self.db.executemany(_SQLITE_MOVE_LOT, [(m.amount, m.held_delta, store_id, m.lot_id)
                                               for m in moves])
        self.db.executemany(_SQLITE_ADD_ENTRY, [
            (store_id, transaction_id, m.lot_id, m.amount, m.held_delta, position, at)
            for position, m in enumerate(moves)])
        drained = [(at, store_id, m.lot_id) for m in moves if m.amount < 0]
        if drained:
            self.db.executemany(_SQLITE_MARK_SPENT, drained)

    def settle_hold(self, store_id: str, hold_id: str, status: str, captured: int,
                    transaction_id: str, now: datetime) -> None:
        self.db.execute(_SQLITE_SETTLE_HOLD, (status, captured, sqlite_time(now),
                                              transaction_id, store_id, hold_id))


def writer(conn: Connection) -> Writer:
    """The writer for `conn`: raw sqlite3 on SQLite, SQLAlchemy Core otherwise (and on
    SQLite too under `Billfold(fast_paths=False)`). Made once per checkout of a
    connection: a movement asks for it at every statement."""
    made = conn.info.get("billfold_writer")
    if made is None or made.conn is not conn:
        made = SqliteWriter(conn) if fast_path(conn) == "sqlite" else Writer(conn)
        conn.info["billfold_writer"] = made
    return made


# The spending order as SQL ORDER BY clauses: the one SQL form of it for both writers
# (billfold.ledger.lots documents it and keeps the Python form, spending_key).
SPENDING_ORDER = {
    "expiry_first": [lots.c.expires_at.asc().nulls_last(), lots.c.is_withdrawable.asc(),
                     lots.c.created_at.asc(), lots.c.lot_id.asc()],
    "oldest_first": [lots.c.created_at.asc(), lots.c.lot_id.asc()],
}


@cache
def _draw_statement(strategy: str, withdrawable_only: bool = False) -> Any:
    """Spendable lots (active, a free part, not past expiry) in spending order; with
    `withdrawable_only`, the same draw restricted to withdrawable lots (a withdrawal)."""
    now = bindparam("b_now", type_=lots.c.created_at.type)
    statement = (select(lots.c.lot_id, lots.c.funding_type, (lots.c.remaining - lots.c.held))
                 .where(lots.c.store_id == bindparam("b_store_id"),
                        lots.c.wallet_id == bindparam("b_wallet_id"),
                        lots.c.status == literal_column(f"'{LOT_ACTIVE}'"),
                        lots.c.remaining > lots.c.held,
                        (lots.c.expires_at.is_(None)) | (lots.c.expires_at > now)))
    if withdrawable_only:
        statement = statement.where(lots.c.is_withdrawable.is_(true()))
    return (statement.order_by(*SPENDING_ORDER[strategy])
            .limit(bindparam("b_limit")).offset(bindparam("b_offset")))


@cache
def _sqlite_draw(strategy: str, withdrawable_only: bool = False) -> str:
    """`_draw_statement` compiled once for sqlite3: (store, wallet, now, limit, offset)."""
    compiled = _draw_statement(strategy, withdrawable_only).compile(dialect=sqlite.dialect())
    assert compiled.positiontup == ["b_store_id", "b_wallet_id", "b_now", "b_limit",
                                    "b_offset"], compiled.positiontup
    return str(compiled)


@cache
def _sqlite_insert(table: Table) -> tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]],
                                          tuple[tuple[int, Callable[[Any], Any]], ...]]:
    """INSERT of all of `table`'s columns for sqlite3, a function that takes a row's
    values in column order, and (position, conversion) for each column whose value
    SQLAlchemy would convert (datetimes to text, JSON to text, booleans to integers)."""
    dialect = sqlite.dialect()
    names = [column.name for column in table.columns]
    converted = tuple((index, convert) for index, column in enumerate(table.columns)
                      if (convert := _bind(column.type, dialect)) is not None)
    marks = ", ".join("?" for _ in names)
    return (f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})",
            operator.itemgetter(*names), converted)


def _bind(column_type: Any, dialect: Any) -> Callable[[Any], Any] | None:
    if type(column_type).__name__ == "UtcDateTime":
        return sqlite_time
    if "JSON" in repr(column_type):
        return json.dumps
    processor: Callable[[Any], Any] | None = column_type.bind_processor(dialect)
    return processor


class _WalletRow(NamedTuple):
    account_id: str
    customer_id: str
    program: str
    unit: str
    balance: int
    held: int
    last_seq: int


# SQLAlchemy Core statements, built once: per call only parameters change.
_GET_PROGRAM = (select(programs.c.name, programs.c.unit, programs.c.spending_strategy,
                       programs.c.default_expires_seconds)
                .where(programs.c.store_id == bindparam("b_store_id"),
                       programs.c.name == bindparam("b_name")))
_WALLET = select(*(accounts.c[name] for name in WALLET_COLUMNS))
_LOCK_WALLET = (_WALLET.where(accounts.c.store_id == bindparam("b_store_id"),
                              accounts.c.customer_id == bindparam("b_customer_id"),
                              accounts.c.program == bindparam("b_program"))
                .with_for_update())
_LOCK_WALLET_BY_ID = (_WALLET.where(accounts.c.store_id == bindparam("b_store_id"),
                                    accounts.c.account_id == bindparam("b_account_id"),
                                    accounts.c.kind == "wallet")
                      .with_for_update())
_ADD_TO_ACCOUNT = (
    update(accounts)
    .where(accounts.c.store_id == bindparam("b_store_id"),
           accounts.c.account_id == bindparam("b_account_id"))
    .values(balance=accounts.c.balance + bindparam("b_amount"),
            held=accounts.c.held + bindparam("b_held"),
            pending=accounts.c.pending + bindparam("b_pending"),
            credits_posted=accounts.c.credits_posted + bindparam("b_credit"),
            debits_posted=accounts.c.debits_posted + bindparam("b_debit"),
            last_seq=accounts.c.last_seq + 1)
    .returning(accounts.c.last_seq, accounts.c.balance, accounts.c.held))
_MOVE_LOT = (update(lots)
             .where(lots.c.store_id == bindparam("b_store_id"),
                    lots.c.lot_id == bindparam("b_lot_id"))
             .values(remaining=lots.c.remaining + bindparam("b_amount"),
                     held=lots.c.held + bindparam("b_held")))
_MARK_SPENT = (update(lots)
               .where(lots.c.store_id == bindparam("b_store_id"),
                      lots.c.lot_id.in_(bindparam("b_lot_ids", expanding=True)),
                      lots.c.remaining == 0, lots.c.held == 0, lots.c.status == LOT_ACTIVE)
               .values(status=LOT_SPENT,
                       closed_at=bindparam("b_now", type_=lots.c.closed_at.type)))
_GET_HOLD = select(holds).where(holds.c.store_id == bindparam("b_store_id"),
                                holds.c.hold_id == bindparam("b_hold_id"))
_HELD_LOTS = (
    select(lot_entries.c.lot_id, lots.c.funding_type, lot_entries.c.held_delta,
           lots.c.expires_at)
    .join(lots, (lots.c.store_id == lot_entries.c.store_id)
          & (lots.c.lot_id == lot_entries.c.lot_id))
    .where(lot_entries.c.store_id == bindparam("b_store_id"),
           lot_entries.c.transaction_id == bindparam("b_transaction_id"))
    .order_by(lot_entries.c.position))
_SETTLE_HOLD = update(holds).where(holds.c.store_id == bindparam("b_store_id"),
                                   holds.c.hold_id == bindparam("b_hold_id"))

_GET_IDEMPOTENCY = (
    select(idempotency_keys.c.operation, idempotency_keys.c.fingerprint,
           idempotency_keys.c.outcome, idempotency_keys.c.status_code,
           idempotency_keys.c.response)
    .where(idempotency_keys.c.store_id == bindparam("b_store_id"),
           idempotency_keys.c.key == bindparam("b_key")))

_GET_THRESHOLDS = (
    select(stores.c.settings, auto_topup_rules.c.threshold, auto_topup_rules.c.amount)
    .select_from(stores.outerjoin(auto_topup_rules, and_(
        auto_topup_rules.c.store_id == stores.c.store_id,
        auto_topup_rules.c.customer_id == bindparam("b_customer_id"),
        auto_topup_rules.c.program == bindparam("b_program"))))
    .where(stores.c.store_id == bindparam("b_store_id")))
_GET_KEYED_TRANSACTION = (
    select(transactions.c.transaction_id, transactions.c.request_fingerprint)
    .where(transactions.c.store_id == bindparam("b_store_id"),
           transactions.c.idempotency_key == bindparam("b_key")))


@cache
def _add_idempotency(dialect_name: str) -> Any:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return (dialect.insert(idempotency_keys)
            .values({column.name: bindparam(column.name) for column in idempotency_keys.columns})
            .on_conflict_do_nothing()
            .returning(idempotency_keys.c.key))


# The same for sqlite3, as fixed SQL.
_SQLITE_PROGRAM = ("SELECT name, unit, spending_strategy, default_expires_seconds FROM programs "
                   "WHERE store_id = ? AND name = ?")
_SQLITE_WALLET = (f"SELECT {', '.join(WALLET_COLUMNS)} FROM accounts "
                  "WHERE store_id = ? AND customer_id = ? AND program = ?")
_SQLITE_WALLET_BY_ID = (f"SELECT {', '.join(WALLET_COLUMNS)} FROM accounts "
                        "WHERE store_id = ? AND account_id = ? AND kind = 'wallet'")
# A posting to an account: `amount` signed goes to one of the two totals.
_SQLITE_ADD_TO_ACCOUNT = (
    "UPDATE accounts SET balance = balance + ?1, held = held + ?2, pending = pending + ?3, "
    "credits_posted = credits_posted + max(?1, 0), "
    "debits_posted = debits_posted + max(-?1, 0), last_seq = last_seq + 1 "
    "WHERE store_id = ?4 AND account_id = ?5 RETURNING last_seq, balance, held")
# Two statements, not one with CASE: setting `status` to itself would still rewrite
# both of its index entries (two more pages in the commit for every lot moved).
_SQLITE_MOVE_LOT = ("UPDATE lots SET remaining = remaining + ?, held = held + ? "
                    "WHERE store_id = ? AND lot_id = ?")
_SQLITE_MARK_SPENT = (
    f"UPDATE lots SET status = '{LOT_SPENT}', closed_at = ? WHERE store_id = ? AND lot_id = ? "
    f"AND remaining = 0 AND held = 0 AND status = '{LOT_ACTIVE}'")
_SQLITE_ADD_POSTING = (f"INSERT INTO postings ({', '.join(POSTING_COLUMNS)}) "
                       f"VALUES ({', '.join('?' for _ in POSTING_COLUMNS)})")
_SQLITE_ADD_ENTRY = (
    "INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
_SQLITE_ADD_CUSTOMER = (
    "INSERT INTO customers (store_id, customer_id, email, name, metadata, created_at) "
    "VALUES (?, ?, NULL, NULL, '{}', ?) ON CONFLICT DO NOTHING")
_HOLD_READERS: tuple[tuple[str, Callable[[Any], Any] | None], ...] = tuple(
    (column.name, from_sqlite_time if type(column.type).__name__ == "UtcDateTime"
     else json.loads if column.name == "metadata" else None)
    for column in holds.columns)
_SQLITE_HOLD = (f"SELECT {', '.join(name for name, _ in _HOLD_READERS)} FROM holds "
                "WHERE store_id = ? AND hold_id = ?")
# Naive UTC text compares as the datetimes do.
_SQLITE_HELD_LOTS = (
    "SELECT e.lot_id, l.funding_type, e.held_delta, coalesce(l.expires_at <= ?, 0) "
    "FROM lot_entries AS e JOIN lots AS l ON l.store_id = e.store_id AND l.lot_id = e.lot_id "
    "WHERE e.store_id = ? AND e.transaction_id = ? ORDER BY e.position")
# Stored as SQLAlchemy's JSON and UtcDateTime types store them: json.dumps text, naive
# UTC text.
_SQLITE_GET_IDEMPOTENCY = ("SELECT operation, fingerprint, outcome, status_code, response "
                           "FROM idempotency_keys WHERE store_id = ? AND key = ?")
_SQLITE_GET_THRESHOLDS = (
    "SELECT s.settings, r.threshold, r.amount FROM stores AS s LEFT JOIN auto_topup_rules AS r "
    "ON r.store_id = s.store_id AND r.customer_id = ? AND r.program = ? WHERE s.store_id = ?")
_SQLITE_GET_KEYED_TRANSACTION = (
    "SELECT transaction_id, request_fingerprint FROM transactions "
    "WHERE store_id = ? AND idempotency_key = ? AND idempotency_key IS NOT NULL")
_SQLITE_ADD_IDEMPOTENCY = (
    "INSERT INTO idempotency_keys (store_id, key, operation, fingerprint, outcome, "
    "status_code, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING RETURNING key")
_SQLITE_SETTLE_HOLD = (
    "UPDATE holds SET status = ?, captured_amount = ?, settled_at = ?, "
    "settled_transaction_id = ? WHERE store_id = ? AND hold_id = ?")
