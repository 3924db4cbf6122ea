"""SQLite: a credit or a debit in a few prepared statements on the raw sqlite3 connection.

The same algorithm as the Python path of `movements.credit` / `movements.debit`
(and as PostgreSQL's `billfold_credit` / `billfold_debit`), run inside the
caller's transaction on the sqlite3 connection under SQLAlchemy's: SQL strings
are fixed (sqlite3 keeps them prepared in its statement cache), repeated rows go
through `executemany`, totals come back with `RETURNING`. SQLAlchemy's execution
costs ~50-150 µs of Python a statement; a debit here is about ten statements of
~5-20 µs. Tests compare both paths row for row (tests/ledger/test_sqlite_fast_path.py).

Refusals are raised before anything is written, by the Python path's own
functions (`get_program`, `wallet_to_spend_from`), so messages stay the same.
The public helpers (a lot move, a posting, the transaction row, an event) are
the pieces the holds' fast path (sqlite_fast_holds.py) is built from too.

What bounds a debit now is the commit: it changes ~33 pages in ~20 b-trees (tables
and indexes), each a WAL frame to write and fsync, where the bare loop of
bench/refs.py changes 2 (count them with `python -m bench.sqlite_wal_frames`).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any, NamedTuple, NoReturn

from sqlalchemy import Connection

from billfold.errors import Code, refusal
from billfold.ids import new_id
from billfold.ledger.accounts import Program, bucket_of, get_program, wallet_to_spend_from
from billfold.ledger.journal import event_payload
from billfold.ledger.lots import LOT_DRAW_BATCH, MAX_LOTS_PER_DRAW
from billfold.ledger.models import LOT_ACTIVE, LOT_SPENT, LotEntry, Transaction
from billfold.store.engine import sqlite_connection, sqlite_time

# The Python path reads lots in batches of LOT_DRAW_BATCH until it has seen
# MAX_LOTS_PER_DRAW; this many lots at most, read in one scan here.
MAX_LOTS_SCANNED = -(-MAX_LOTS_PER_DRAW // LOT_DRAW_BATCH) * LOT_DRAW_BATCH

# The program, and the customer's wallet in it if there is one (NULLs if not).
_PROGRAM_AND_WALLET = (
    "SELECT p.unit, p.spending_strategy, p.default_expires_seconds, a.account_id, a.unit "
    "FROM programs AS p LEFT JOIN accounts AS a "
    "ON a.store_id = p.store_id AND a.customer_id = ? AND a.program = p.name "
    "WHERE p.store_id = ? AND p.name = ?")
# Spendable lots in spending order (billfold.ledger.lots.spending_order_by).
_DRAW_WHERE = (
    "SELECT lot_id, funding_type, remaining - held FROM lots "
    "WHERE store_id = ? AND wallet_id = ? AND status = 'active' AND remaining > held "
    "AND (expires_at IS NULL OR expires_at > ?) ORDER BY ")
_DRAW = {
    "expiry_first": _DRAW_WHERE + "expires_at ASC NULLS LAST, is_withdrawable ASC, "
                                  "created_at ASC, lot_id ASC LIMIT ?",
    "oldest_first": _DRAW_WHERE + "created_at ASC, lot_id ASC LIMIT ?",
}
# Lot moves as lots.apply_entries makes them: remaining and held first, then a lot
# drawn down to nothing (nothing held either) is spent. Two statements, not one with
# CASE: setting `status` to itself would still rewrite both of its index entries
# (two more pages in the commit for every lot moved).
_MOVE_LOT = ("UPDATE lots SET remaining = remaining + ?, held = held + ? "
             "WHERE store_id = ? AND lot_id = ?")
_MARK_SPENT = (
    f"UPDATE lots SET status = '{LOT_SPENT}', closed_at = ? WHERE store_id = ? AND lot_id = ? "
    f"AND remaining = 0 AND held = 0 AND status = '{LOT_ACTIVE}'")
_INSERT_LOT = (
    "INSERT INTO lots (store_id, lot_id, wallet_id, unit, amount, remaining, held, "
    "funding_type, is_withdrawable, expires_at, status, source_type, source_id, description, "
    "transaction_id, created_at, closed_at) "
    f"VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, '{LOT_ACTIVE}', 'manual', NULL, ?, ?, ?, NULL)")
_INSERT_ENTRY = (
    "INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
# A posting to an account: `amount` signed goes to one of the two totals (accounts.post).
_POST_TO_ACCOUNT = (
    "UPDATE accounts SET balance = balance + ?1, held = held + ?2, "
    "credits_posted = credits_posted + max(?1, 0), "
    "debits_posted = debits_posted + max(-?1, 0), last_seq = last_seq + 1 "
    "WHERE store_id = ?3 AND account_id = ?4 RETURNING last_seq, balance, held")
# A store account on first use (accounts.create_store_account): the posting then
# updates it. Cheaper than an upsert on every posting, which costs ~15 µs more than
# the plain update for an account that is there all but once.
_CREATE_STORE_ACCOUNT = (
    "INSERT INTO accounts (store_id, account_id, kind, customer_id, program, code, "
    "funding_type, bucket, unit, balance, held, pending, debits_posted, credits_posted, "
    "last_seq, created_at) VALUES (?, ?, 'store', NULL, NULL, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, ?)")
_INSERT_POSTING = (
    "INSERT INTO postings (store_id, account_id, seq, transaction_id, unit, amount, "
    "held_delta, pending_delta, balance_after, held_after, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)")
_INSERT_TRANSACTION = (
    "INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, "
    "program, unit, amount, balance_after, held_after, funding_type, description, reference, "
    "metadata, reverses_transaction_id, hold_id, lot_id, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)")
_INSERT_EVENT = (
    "INSERT INTO outbox_events (store_id, event_id, type, payload, created_at, published_at) "
    "VALUES (?, ?, ?, ?, ?, NULL)")
_INSERT_CUSTOMER = (
    "INSERT INTO customers (store_id, customer_id, email, name, metadata, created_at) "
    "VALUES (?, ?, NULL, NULL, '{}', ?) ON CONFLICT DO NOTHING")
_INSERT_WALLET = (
    "INSERT INTO accounts (store_id, account_id, kind, customer_id, program, code, "
    "funding_type, bucket, unit, balance, held, pending, debits_posted, credits_posted, "
    "last_seq, created_at) VALUES (?, ?, 'wallet', ?, ?, NULL, NULL, ?, ?, 0, 0, 0, 0, 0, 0, ?)")


class PostingRow(NamedTuple):
    """A postings row as `_INSERT_POSTING` takes it (pending_delta is always 0 here)."""

    store_id: str
    account_id: str
    seq: int
    transaction_id: str
    unit: str
    amount: int
    held_delta: int
    balance_after: int
    held_after: int
    created_at: str


def program_and_wallet(conn: Connection, db: sqlite3.Connection, store_id: str,
                       customer_id: str, program: str) -> Any:
    """(unit, strategy, default expiry seconds) of the program, then (wallet id, unit)
    of the customer's wallet there or Nones; NotFound if the program is not."""
    found = db.execute(_PROGRAM_AND_WALLET, (customer_id, store_id, program)).fetchone()
    if found is None:
        get_program(conn, store_id, program)  # raises the Python path's NotFound
        raise AssertionError("get_program found a program the join did not")
    return found


def refuse_missing_wallet(conn: Connection, store_id: str, customer_id: str, program: str,
                          program_unit: str, strategy: str, default_seconds: int | None,
                          amount: int) -> NoReturn:
    """No wallet to spend from: raise what the Python path raises (NotFound for an
    unknown customer, InsufficientFunds for a known one)."""
    wallet_to_spend_from(conn, store_id, customer_id,
                         Program(program, program_unit, strategy, default_seconds), amount)
    raise AssertionError("wallet_to_spend_from found a wallet the join did not")


def draw_to_spend(conn: Connection, db: sqlite3.Connection, store_id: str, customer_id: str,
                  program: str, amount: int,
                  at: str) -> tuple[str, str, list[tuple[str, str, int]]]:
    """The customer's wallet (id, unit) and the lots `amount` draws in the program's
    spending order; refuses as the Python path does before anything is written."""
    program_unit, strategy, default_seconds, wallet_id, unit = program_and_wallet(
        conn, db, store_id, customer_id, program)
    if wallet_id is None:
        refuse_missing_wallet(conn, store_id, customer_id, program, program_unit, strategy,
                              default_seconds, amount)
    return wallet_id, unit, draw_lots(db, store_id, wallet_id, amount, strategy, at, unit)


def debit(conn: Connection, *, store_id: str, customer_id: str, program: str, amount: int,
          now: datetime, description: str | None, reference: str | None,
          metadata: dict[str, Any]) -> Transaction:
    """`movements.debit` (arguments already checked): draw lots in spending order, or
    refuse with InsufficientFunds / NotFound before writing anything."""
    db = sqlite_connection(conn)
    at = sqlite_time(now)
    wallet_id, unit, draws = draw_to_spend(conn, db, store_id, customer_id, program, amount,
                                           at)
    transaction_id = new_id("txn")
    entries = [LotEntry(lot_id, funding_type, -take, 0) for lot_id, funding_type, take in draws]
    move_lots(db, store_id, transaction_id, entries, at)
    per_type: dict[str, int] = {}
    for _, funding_type, take in draws:
        per_type[funding_type] = per_type.get(funding_type, 0) + take
    assert sum(per_type.values()) == amount, "unbalanced debit"  # double entry
    postings = [post_to_wallet(db, store_id, transaction_id, wallet_id, unit, -amount, 0, at)]
    bucket = bucket_of(wallet_id)
    for funding_type in sorted(per_type):
        postings.append(post_to_store_account(
            db, store_id, transaction_id, "spent", funding_type, unit, bucket,
            per_type[funding_type], 0, at))
    insert_postings(db, postings)
    funding = draws[0][1] if len(per_type) == 1 else None
    txn = Transaction(
        id=transaction_id, store_id=store_id, type="debit", wallet_id=wallet_id,
        customer_id=customer_id, program=program, unit=unit, amount=amount,
        balance_after=postings[0].balance_after, held_after=postings[0].held_after,
        funding_type=funding, description=description, reference=reference,
        metadata=metadata, reverses_transaction_id=None, hold_id=None, lot_id=None,
        created_at=now, lots=tuple(entries))
    insert_transaction(db, txn, at)
    insert_event(db, store_id, "wallet.debited", event_payload(txn), at)
    return txn


def credit(conn: Connection, *, store_id: str, customer_id: str, program: str, amount: int,
           funding_type: str, is_withdrawable: bool, expires_at: datetime | None,
           now: datetime, description: str | None, reference: str | None,
           metadata: dict[str, Any]) -> Transaction:
    """`movements.credit` of type 'credit' from a manual source (arguments already
    checked): a new lot, the customer and wallet created if new."""
    db = sqlite_connection(conn)
    at = sqlite_time(now)
    program_unit, _strategy, default_seconds, wallet_id, unit = program_and_wallet(
        conn, db, store_id, customer_id, program)
    if expires_at is None and default_seconds:
        expires_at = now + timedelta(seconds=default_seconds)
    if wallet_id is None:
        wallet_id, unit = new_id("wal"), program_unit
        db.execute(_INSERT_CUSTOMER, (store_id, customer_id, at))
        db.execute(_INSERT_WALLET, (store_id, wallet_id, customer_id, program,
                                    bucket_of(wallet_id), unit, at))
    transaction_id, lot_id = new_id("txn"), new_id("lot")
    db.execute(_INSERT_LOT, (
        store_id, lot_id, wallet_id, unit, amount, amount, funding_type, is_withdrawable,
        None if expires_at is None else sqlite_time(expires_at), description, transaction_id,
        at))
    db.execute(_INSERT_ENTRY, (store_id, transaction_id, lot_id, amount, 0, 0, at))
    wallet_posting = post_to_wallet(db, store_id, transaction_id, wallet_id, unit, amount, 0,
                                    at)
    insert_postings(db, [
        wallet_posting,
        post_to_store_account(db, store_id, transaction_id, "issued", funding_type, unit,
                              bucket_of(wallet_id), -amount, 0, at)])
    txn = Transaction(
        id=transaction_id, store_id=store_id, type="credit", wallet_id=wallet_id,
        customer_id=customer_id, program=program, unit=unit, amount=amount,
        balance_after=wallet_posting.balance_after, held_after=wallet_posting.held_after,
        funding_type=funding_type, description=description, reference=reference,
        metadata=metadata, reverses_transaction_id=None, hold_id=None, lot_id=lot_id,
        created_at=now, lots=(LotEntry(lot_id, funding_type, amount, 0),))
    insert_transaction(db, txn, at)
    insert_event(db, store_id, "wallet.credited", event_payload(txn), at)
    return txn


def draw_lots(db: sqlite3.Connection, store_id: str, wallet_id: str, amount: int,
              strategy: str, at: str, unit: str) -> list[tuple[str, str, int]]:
    """(lot id, funding type, amount taken) in spending order, or InsufficientFunds."""
    draws: list[tuple[str, str, int]] = []
    needed = amount
    cursor = db.execute(_DRAW[strategy], (store_id, wallet_id, at, MAX_LOTS_SCANNED))
    for lot_id, funding_type, free in cursor:
        take = min(free, needed)
        draws.append((lot_id, funding_type, take))
        needed -= take
        if needed == 0:
            break
    cursor.close()
    if needed > 0:
        raise refusal(Code.INSUFFICIENT_FUNDS, param="amount", available=amount - needed,
                      unit=unit, needed=amount)
    return draws


def move_lots(db: sqlite3.Connection, store_id: str, transaction_id: str,
              entries: list[LotEntry], at: str) -> None:
    """Apply `entries` to their lots, record them numbered in order, and mark the lots
    they drained spent (lots.apply_entries)."""
    db.executemany(_MOVE_LOT, [(e.amount, e.held_delta, store_id, e.lot_id) for e in entries])
    db.executemany(_INSERT_ENTRY, [
        (store_id, transaction_id, e.lot_id, e.amount, e.held_delta, position, at)
        for position, e in enumerate(entries)])
    drained = [(at, store_id, e.lot_id) for e in entries if e.amount < 0]
    if drained:
        db.executemany(_MARK_SPENT, drained)


def post_to_wallet(db: sqlite3.Connection, store_id: str, transaction_id: str, wallet_id: str,
                   unit: str, amount: int, held_delta: int, at: str) -> PostingRow:
    """Add `amount` and `held_delta` to a wallet's totals; its posting row."""
    seq, balance_after, held_after = db.execute(
        _POST_TO_ACCOUNT, (amount, held_delta, store_id, wallet_id)).fetchone()
    return PostingRow(store_id, wallet_id, seq, transaction_id, unit, amount, held_delta,
                      balance_after, held_after, at)


def post_to_store_account(db: sqlite3.Connection, store_id: str, transaction_id: str,
                          code: str, funding_type: str | None, unit: str, bucket: int,
                          amount: int, held_delta: int, at: str) -> PostingRow:
    """Add `amount` and `held_delta` to a store account (created on first use, named as
    accounts.store_account_id names it); its posting row."""
    account_id = f"acc_{code}.{funding_type or 'all'}.{unit}.{bucket}"
    posting = (amount, held_delta, store_id, account_id)
    totals = db.execute(_POST_TO_ACCOUNT, posting).fetchone()
    if totals is None:
        db.execute(_CREATE_STORE_ACCOUNT, (store_id, account_id, code, funding_type, bucket,
                                           unit, at))
        totals = db.execute(_POST_TO_ACCOUNT, posting).fetchone()
    seq, balance_after, held_after = totals
    return PostingRow(store_id, account_id, seq, transaction_id, unit, amount, held_delta,
                      balance_after, held_after, at)


def insert_postings(db: sqlite3.Connection, rows: list[PostingRow]) -> None:
    db.executemany(_INSERT_POSTING, rows)


def insert_transaction(db: sqlite3.Connection, txn: Transaction, at: str) -> None:
    """The transaction row (journal.record)."""
    db.execute(_INSERT_TRANSACTION, (
        txn.store_id, txn.id, txn.type, txn.wallet_id, txn.customer_id, txn.program, txn.unit,
        txn.amount, txn.balance_after, txn.held_after, txn.funding_type, txn.description,
        txn.reference, json.dumps(txn.metadata), txn.hold_id, txn.lot_id, at))


def insert_event(db: sqlite3.Connection, store_id: str, event_type: str,
                 payload: dict[str, Any], at: str) -> None:
    """An outbox event (outbox.emit), its id minted now."""
    db.execute(_INSERT_EVENT, (store_id, new_id("evt"), event_type, json.dumps(payload), at))
