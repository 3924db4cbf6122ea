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

What bounds a debit now is the commit: it changes ~33 pages in ~20 b-trees (tables
and indexes), each a WAL frame to write and fsync, where the bare loop of
bench/refs.py changes 2 (count them with `python -m bench.sqlite_wal_frames`).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from billfold.errors import InsufficientFunds
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
# A lot drawn down to nothing (nothing held either) is spent (lots.apply_entries).
_TAKE_FROM_LOT = (
    f"UPDATE lots SET remaining = remaining - ?1, "
    f"status = CASE WHEN remaining = ?1 AND held = 0 AND status = '{LOT_ACTIVE}' "
    f"THEN '{LOT_SPENT}' ELSE status END, "
    f"closed_at = CASE WHEN remaining = ?1 AND held = 0 AND status = '{LOT_ACTIVE}' "
    f"THEN ?2 ELSE closed_at END "
    f"WHERE store_id = ?3 AND lot_id = ?4")
_INSERT_LOT = (
    "INSERT INTO lots (store_id, lot_id, wallet_id, unit, amount, remaining, held, "
    "funding_type, is_withdrawable, expires_at, status, source_type, source_id, description, "
    "transaction_id, created_at, closed_at) "
    f"VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, '{LOT_ACTIVE}', 'manual', NULL, ?, ?, ?, NULL)")
_INSERT_ENTRY = (
    "INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position, "
    "created_at) VALUES (?, ?, ?, ?, 0, ?, ?)")
# A wallet posting: `amount` signed, the other of the two totals gets |amount|.
_POST_TO_WALLET = (
    "UPDATE accounts SET balance = balance + ?1, credits_posted = credits_posted + ?2, "
    "debits_posted = debits_posted + ?3, last_seq = last_seq + 1 "
    "WHERE store_id = ?4 AND account_id = ?5 RETURNING last_seq, balance, held")
# A store account is created on first use (accounts.create_store_account) with the
# totals of its first posting, which is what the create-then-update of the Python
# path leaves behind.
_POST_TO_STORE_ACCOUNT = (
    "INSERT INTO accounts (store_id, account_id, kind, customer_id, program, code, "
    "funding_type, bucket, unit, balance, held, pending, debits_posted, credits_posted, "
    "last_seq, created_at) VALUES (?, ?, 'store', NULL, NULL, ?, ?, ?, ?, ?, 0, 0, ?, ?, 1, ?) "
    "ON CONFLICT (store_id, account_id) DO UPDATE SET "
    "balance = balance + excluded.balance, "
    "debits_posted = debits_posted + excluded.debits_posted, "
    "credits_posted = credits_posted + excluded.credits_posted, last_seq = last_seq + 1 "
    "RETURNING last_seq, balance, held")
_INSERT_POSTING = (
    "INSERT INTO postings (store_id, account_id, seq, transaction_id, unit, amount, "
    "held_delta, pending_delta, balance_after, held_after, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)")
_INSERT_TRANSACTION = (
    "INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, "
    "program, unit, amount, balance_after, held_after, funding_type, description, reference, "
    "metadata, reverses_transaction_id, hold_id, lot_id, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)")
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


def _program_and_wallet(conn: Connection, db: Any, store_id: str, customer_id: str,
                        program: str) -> Any:
    """(unit, strategy, default expiry seconds) of the program, then (wallet id, unit)
    of the customer's wallet there or Nones; NotFound if the program is not."""
    found = db.execute(_PROGRAM_AND_WALLET, (customer_id, store_id, program)).fetchone()
    if found is None:
        get_program(conn, store_id, program)  # raises the Python path's NotFound
        raise AssertionError("get_program found a program the join did not")
    return found


def debit(conn: Connection, *, store_id: str, customer_id: str, program: str, amount: int,
          now: datetime, description: str | None, reference: str | None,
          metadata: dict[str, Any]) -> Transaction:
    """`movements.debit` (arguments already checked): draw lots in spending order, or
    refuse with InsufficientFunds / NotFound before writing anything."""
    db = sqlite_connection(conn)
    at = sqlite_time(now)
    program_unit, strategy, default_seconds, wallet_id, unit = _program_and_wallet(
        conn, db, store_id, customer_id, program)
    if wallet_id is None:
        wallet_to_spend_from(conn, store_id, customer_id,
                             Program(program, program_unit, strategy, default_seconds), amount)
        raise AssertionError("wallet_to_spend_from found a wallet the join did not")
    draws = _draw(db, store_id, wallet_id, amount, strategy, at, unit)
    transaction_id = new_id("txn")
    db.executemany(_TAKE_FROM_LOT, [(take, at, store_id, lot_id) for lot_id, _, take in draws])
    db.executemany(_INSERT_ENTRY, [(store_id, transaction_id, lot_id, -take, position, at)
                                   for position, (lot_id, _, take) in enumerate(draws)])
    per_type: dict[str, int] = {}
    for _, funding_type, take in draws:
        per_type[funding_type] = per_type.get(funding_type, 0) + take
    assert sum(per_type.values()) == amount, "unbalanced debit"  # double entry
    seq, balance_after, held_after = db.execute(
        _POST_TO_WALLET, (-amount, 0, amount, store_id, wallet_id)).fetchone()
    postings = [(store_id, wallet_id, seq, transaction_id, unit, -amount, balance_after,
                 held_after, at)]
    bucket = bucket_of(wallet_id)
    for funding_type in sorted(per_type):
        postings.append(_post_to_store_account(
            db, store_id, transaction_id, "spent", funding_type, unit, bucket,
            per_type[funding_type], at))
    db.executemany(_INSERT_POSTING, postings)
    funding = draws[0][1] if len(per_type) == 1 else None
    txn = Transaction(
        id=transaction_id, store_id=store_id, type="debit", wallet_id=wallet_id,
        customer_id=customer_id, program=program, unit=unit, amount=amount,
        balance_after=balance_after, held_after=held_after, funding_type=funding,
        description=description, reference=reference, metadata=metadata,
        reverses_transaction_id=None, hold_id=None, lot_id=None, created_at=now,
        lots=tuple(LotEntry(lot_id, funding_type, -take, 0)
                   for lot_id, funding_type, take in draws))
    _record(db, txn, at, "wallet.debited")
    return txn


def credit(conn: Connection, *, store_id: str, customer_id: str, program: str, amount: int,
           funding_type: str, is_withdrawable: bool, expires_at: datetime | None,
           now: datetime, description: str | None, reference: str | None,
           metadata: dict[str, Any]) -> Transaction:
    """`movements.credit` of type 'credit' from a manual source (arguments already
    checked): a new lot, the customer and wallet created if new."""
    db = sqlite_connection(conn)
    at = sqlite_time(now)
    program_unit, _strategy, default_seconds, wallet_id, unit = _program_and_wallet(
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
    db.execute(_INSERT_ENTRY, (store_id, transaction_id, lot_id, amount, 0, at))
    seq, balance_after, held_after = db.execute(
        _POST_TO_WALLET, (amount, amount, 0, store_id, wallet_id)).fetchone()
    db.executemany(_INSERT_POSTING, [
        (store_id, wallet_id, seq, transaction_id, unit, amount, balance_after, held_after, at),
        _post_to_store_account(db, store_id, transaction_id, "issued", funding_type, unit,
                               bucket_of(wallet_id), -amount, at)])
    txn = Transaction(
        id=transaction_id, store_id=store_id, type="credit", wallet_id=wallet_id,
        customer_id=customer_id, program=program, unit=unit, amount=amount,
        balance_after=balance_after, held_after=held_after, funding_type=funding_type,
        description=description, reference=reference, metadata=metadata,
        reverses_transaction_id=None, hold_id=None, lot_id=lot_id, created_at=now,
        lots=(LotEntry(lot_id, funding_type, amount, 0),))
    _record(db, txn, at, "wallet.credited")
    return txn


def _draw(db: sqlite3.Connection, store_id: str, wallet_id: str, amount: int, strategy: str,
          at: str, unit: str) -> list[tuple[str, str, int]]:
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
        raise InsufficientFunds(
            f"The wallet has {amount - needed} {unit} available, {amount} {unit} needed.",
            param="amount")
    return draws


def _post_to_store_account(db: sqlite3.Connection, store_id: str, transaction_id: str,
                           code: str, funding_type: str, unit: str, bucket: int, amount: int,
                           at: str) -> tuple[Any, ...]:
    """Add `amount` to a store account (created on first use); its posting row."""
    account_id = f"acc_{code}.{funding_type}.{unit}.{bucket}"
    seq, balance_after, held_after = db.execute(_POST_TO_STORE_ACCOUNT, (
        store_id, account_id, code, funding_type, bucket, unit, amount, max(-amount, 0),
        max(amount, 0), at)).fetchone()
    return (store_id, account_id, seq, transaction_id, unit, amount, balance_after,
            held_after, at)


def _record(db: sqlite3.Connection, txn: Transaction, at: str, event_type: str) -> None:
    """The transaction row and its outbox event (journal.record, outbox.emit)."""
    db.execute(_INSERT_TRANSACTION, (
        txn.store_id, txn.id, txn.type, txn.wallet_id, txn.customer_id, txn.program, txn.unit,
        txn.amount, txn.balance_after, txn.held_after, txn.funding_type, txn.description,
        txn.reference, json.dumps(txn.metadata), txn.lot_id, at))
    db.execute(_INSERT_EVENT, (txn.store_id, new_id("evt"), event_type,
                               json.dumps(event_payload(txn)), at))
