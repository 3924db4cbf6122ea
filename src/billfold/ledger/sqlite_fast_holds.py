"""SQLite: place, capture and release a hold in a few raw statements.

The algorithm of `holds.place_hold` / `capture_hold` / `release_hold`, run on the
sqlite3 connection inside the caller's `BEGIN IMMEDIATE` transaction with the
pieces of sqlite_fast.py (fixed SQL, kept prepared; totals from `RETURNING`).
That transaction already holds SQLite's one write lock, so a capture or release
reads its hold once and its wallet not at all: the Python path reads the hold,
locks the wallet and reads the hold again (what PostgreSQL needs), but the hold
row carries the wallet's id, unit, customer and program, and the postings
return the wallet's totals.

Refusals: placing raises the Python path's own errors (via sqlite_fast). A
capture or release that would be refused (no such hold, not open, timed out,
more than held) returns None having written nothing; the caller then runs the
Python path, which raises the refusal with its own code and message. Lots that
lapsed while held are swept by `expire_wallet_lots` itself, in the same
transaction (rare). Tests compare both paths row for row
(tests/ledger/test_sqlite_fast_holds.py).

Measured in one transaction: placing ~0.3 ms, capturing ~0.35 ms, against ~1.3
and ~1.8 ms on the Python path. What bounds a keyed hold + capture now is what
bounds a debit, twice over: two commits of ~33 pages each (count them with
`python -m bench.sqlite_wal_frames --op hold_capture`) and the work around each.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection

from billfold.ids import new_id
from billfold.ledger.accounts import bucket_of
from billfold.ledger.checks import check_id
from billfold.ledger.expiry import expire_wallet_lots
from billfold.ledger.models import (
    HOLD_CAPTURED,
    HOLD_EXPIRED,
    HOLD_HELD,
    Hold,
    LotEntry,
    Transaction,
)
from billfold.ledger.sqlite_fast import (
    draw_to_spend,
    insert_event,
    insert_postings,
    insert_transaction,
    move_lots,
    post_to_store_account,
    post_to_wallet,
)
from billfold.money import check_amount
from billfold.store.engine import from_sqlite_time, sqlite_connection, sqlite_time

_INSERT_HOLD = (
    "INSERT INTO holds (store_id, hold_id, wallet_id, customer_id, program, unit, amount, "
    "captured_amount, status, reference, metadata, expires_at, transaction_id, "
    "settled_transaction_id, created_at, settled_at) "
    f"VALUES (?, ?, ?, ?, ?, ?, ?, 0, '{HOLD_HELD}', ?, ?, ?, ?, NULL, ?, NULL)")
_GET_HOLD = (
    "SELECT wallet_id, customer_id, program, unit, amount, status, reference, metadata, "
    "expires_at, transaction_id, created_at FROM holds WHERE store_id = ? AND hold_id = ?")
# The lots a hold drew, in the order it drew them, and whether each is past its
# expiry now (naive UTC text compares as the datetimes do).
_HELD_LOTS = (
    "SELECT e.lot_id, l.funding_type, e.held_delta, coalesce(l.expires_at <= ?, 0) "
    "FROM lot_entries AS e JOIN lots AS l ON l.store_id = e.store_id AND l.lot_id = e.lot_id "
    "WHERE e.store_id = ? AND e.transaction_id = ? ORDER BY e.position")
_SETTLE = (
    "UPDATE holds SET status = ?, captured_amount = ?, settled_at = ?, "
    "settled_transaction_id = ? WHERE store_id = ? AND hold_id = ?")


class _OpenHold(NamedTuple):
    """A holds row as `_GET_HOLD` reads it (datetimes and metadata as stored text)."""

    store_id: str
    hold_id: str
    wallet_id: str
    customer_id: str
    program: str
    unit: str
    amount: int
    status: str
    reference: str | None
    metadata: str
    expires_at: str
    transaction_id: str
    created_at: str


class _Wallet(NamedTuple):
    """What `expire_wallet_lots` reads of a locked wallet row."""

    account_id: str
    customer_id: str
    program: str
    unit: str


def place_hold(conn: Connection, *, store_id: str, customer_id: str, program: str,
               amount: int, now: datetime, expires_at: datetime, reference: str | None,
               metadata: dict[str, Any]) -> Hold:
    """`holds.place_hold` (arguments checked, expiry resolved): draw lots in spending
    order and hold them, or refuse (NotFound, InsufficientFunds) before writing."""
    db = sqlite_connection(conn)
    at = sqlite_time(now)
    wallet_id, unit, draws = draw_to_spend(conn, db, store_id, customer_id, program, amount,
                                           at)
    hold_id, transaction_id = new_id("hold"), new_id("txn")  # the Python path's order
    entries = [LotEntry(lot_id, funding_type, 0, take) for lot_id, funding_type, take in draws]
    move_lots(db, store_id, transaction_id, entries, at)
    wallet_posting = post_to_wallet(db, store_id, transaction_id, wallet_id, unit, 0, amount,
                                    at)
    insert_postings(db, [wallet_posting, post_to_store_account(
        db, store_id, transaction_id, "holds", None, unit, bucket_of(wallet_id), 0, -amount,
        at)])
    insert_transaction(db, Transaction(
        id=transaction_id, store_id=store_id, type="hold", wallet_id=wallet_id,
        customer_id=customer_id, program=program, unit=unit, amount=amount,
        balance_after=wallet_posting.balance_after, held_after=wallet_posting.held_after,
        funding_type=None, description=None, reference=reference, metadata=metadata,
        reverses_transaction_id=None, hold_id=hold_id, lot_id=None, created_at=now,
        lots=tuple(entries)), at)
    db.execute(_INSERT_HOLD, (store_id, hold_id, wallet_id, customer_id, program, unit, amount,
                              reference, json.dumps(metadata), sqlite_time(expires_at),
                              transaction_id, at))
    hold = Hold(id=hold_id, store_id=store_id, wallet_id=wallet_id, customer_id=customer_id,
                program=program, unit=unit, status=HOLD_HELD, amount=amount,
                captured_amount=0, reference=reference, metadata=metadata,
                expires_at=expires_at, created_at=now, settled_at=None,
                transaction_id=transaction_id, settled_transaction_id=None)
    insert_event(db, store_id, "hold.created", hold_payload(hold), at)
    return hold


def capture_hold(conn: Connection, *, store_id: str, hold_id: str, now: datetime,
                 amount: int | None, description: str | None) -> Hold | None:
    """`holds.capture_hold` (description checked): spend `amount` (default all) of an
    open hold and let go of the rest; None, having written nothing, where the Python
    path refuses."""
    db = sqlite_connection(conn)
    at = sqlite_time(now)
    hold = _open_hold(db, store_id, hold_id, at, allow_expired=False)
    if hold is None:
        return None
    amount = hold.amount if amount is None else check_amount(amount)
    if amount > hold.amount:
        return None
    return _let_go(conn, db, hold, now, at, captured=amount, status=HOLD_CAPTURED,
                   type="capture", amount=amount, description=description)


def release_hold(conn: Connection, *, store_id: str, hold_id: str, now: datetime,
                 status: str) -> Hold | None:
    """`holds.release_hold`: let go of an open hold, even one past its time; None,
    having written nothing, where the Python path refuses."""
    db = sqlite_connection(conn)
    at = sqlite_time(now)
    hold = _open_hold(db, store_id, hold_id, at, allow_expired=True)
    if hold is None:
        return None
    return _let_go(conn, db, hold, now, at, captured=0, status=status, type="release",
                   amount=hold.amount,
                   description="Hold expired" if status == HOLD_EXPIRED else None)


def _open_hold(db: sqlite3.Connection, store_id: str, hold_id: str, at: str, *,
               allow_expired: bool) -> _OpenHold | None:
    """The hold if it is open and (unless `allow_expired`) not past its time, else None."""
    check_id(hold_id, "hold_id")
    row = db.execute(_GET_HOLD, (store_id, hold_id)).fetchone()
    if row is None:
        return None
    hold = _OpenHold(store_id, hold_id, *row)
    if hold.status != HOLD_HELD or (hold.expires_at <= at and not allow_expired):
        return None
    return hold


def _let_go(conn: Connection, db: sqlite3.Connection, hold: _OpenHold, now: datetime,
            at: str, *, captured: int, status: str, type: str, amount: int,
            description: str | None) -> Hold:
    """Spend `captured` from the held lots in the order the hold drew them, let go of
    the rest, settle the hold as `status` (a 'capture' or 'release' transaction of
    `amount`), and expire what lapsed while held."""
    entries: list[LotEntry] = []
    spent_per_type: dict[str, int] = {}
    still, lapsed = captured, False
    for lot_id, funding_type, held, expired in db.execute(
            _HELD_LOTS, (at, hold.store_id, hold.transaction_id)).fetchall():
        take = min(held, still)
        still -= take
        entries.append(LotEntry(lot_id, funding_type, -take, -held))
        if take:
            spent_per_type[funding_type] = spent_per_type.get(funding_type, 0) + take
        lapsed = lapsed or bool(expired)
    assert still == 0 and sum(e.held_delta for e in entries) == -hold.amount, hold
    transaction_id = new_id("txn")
    move_lots(db, hold.store_id, transaction_id, entries, at)
    bucket = bucket_of(hold.wallet_id)
    postings = [
        post_to_wallet(db, hold.store_id, transaction_id, hold.wallet_id, hold.unit,
                       -captured, -hold.amount, at),
        post_to_store_account(db, hold.store_id, transaction_id, "holds", None, hold.unit,
                              bucket, 0, hold.amount, at),
        *(post_to_store_account(db, hold.store_id, transaction_id, "spent", funding_type,
                                hold.unit, bucket, spent_per_type[funding_type], 0, at)
          for funding_type in sorted(spent_per_type))]
    insert_postings(db, postings)
    insert_transaction(db, Transaction(
        id=transaction_id, store_id=hold.store_id, type=type, wallet_id=hold.wallet_id,
        customer_id=hold.customer_id, program=hold.program, unit=hold.unit, amount=amount,
        balance_after=postings[0].balance_after, held_after=postings[0].held_after,
        funding_type=next(iter(spent_per_type)) if len(spent_per_type) == 1 else None,
        description=description, reference=hold.reference, metadata={},
        reverses_transaction_id=None, hold_id=hold.hold_id, lot_id=None, created_at=now,
        lots=tuple(entries)), at)
    db.execute(_SETTLE, (status, captured, at, transaction_id, hold.store_id, hold.hold_id))
    if lapsed:
        expire_wallet_lots(conn, hold.store_id, _Wallet(
            hold.wallet_id, hold.customer_id, hold.program, hold.unit), now)
    settled = Hold(
        id=hold.hold_id, store_id=hold.store_id, wallet_id=hold.wallet_id,
        customer_id=hold.customer_id, program=hold.program, unit=hold.unit, status=status,
        amount=hold.amount, captured_amount=captured, reference=hold.reference,
        metadata=json.loads(hold.metadata), expires_at=from_sqlite_time(hold.expires_at),
        created_at=from_sqlite_time(hold.created_at), settled_at=now,
        transaction_id=hold.transaction_id, settled_transaction_id=transaction_id)
    insert_event(db, hold.store_id, f"hold.{status}", hold_payload(settled), at)
    return settled


def hold_payload(hold: Hold) -> dict[str, Any]:
    """A hold's event payload; the same as holds._hold_payload (the twin test compares
    the outbox rows of both paths)."""
    return {"hold_id": hold.id, "status": hold.status, "wallet_id": hold.wallet_id,
            "customer_id": hold.customer_id, "program": hold.program, "unit": hold.unit,
            "amount": hold.amount, "captured_amount": hold.captured_amount,
            "reference": hold.reference}
