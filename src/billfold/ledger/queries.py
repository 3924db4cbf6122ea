"""Reads: balance, lots, history, one transaction, and traceability both ways.

A balance read is the wallet row plus the wallet's live lots (never the
history). History pages by (account, seq) keyset, newest first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Row,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    literal_column,
    select,
    true,
    tuple_,
    union_all,
)

from billfold.errors import Code, InvalidRequest, refusal, require
from billfold.ledger.accounts import (
    customer_exists,
    customer_not_found,
    get_program,
    program_not_found,
)
from billfold.ledger.checks import check_id
from billfold.ledger.lots import lot_from_row
from billfold.ledger.models import (
    LOT_ACTIVE,
    LOT_EXPIRED,
    LOT_SPENT,
    LOT_VOIDED,
    Balance,
    Lot,
    LotEntry,
    LotUsage,
    NextExpiry,
    Page,
    Transaction,
)
from billfold.store.sql import InList
from billfold.store.tables import (
    accounts,
    customers,
    lot_entries,
    lots,
    postings,
    programs,
    transactions,
)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
LOT_FILTERS = ("active", "expired", "spent")


def balance(conn: Connection, store_id: str, customer_id: str, program: str,
            now: datetime) -> Balance:
    """The wallet's figures at `now`; zeros for a known customer with no wallet yet.

    One statement (program, wallet and live lots), so it reads one snapshot even
    outside a transaction: `Billfold.read` runs it in one round trip."""
    check_id(customer_id, "customer_id")
    rows = conn.execute(_BALANCE, {"b_store_id": store_id, "b_customer_id": customer_id,
                                   "b_program": program}).all()
    if not rows:
        raise program_not_found(program)
    first = rows[0]
    if first.account_id is None:
        if not first.customer_known:
            raise customer_not_found(customer_id)
        return Balance(None, customer_id, program, first.program_unit, 0, 0, 0, 0, {}, None)
    by_type: dict[str, int] = defaultdict(int)
    expired_free = 0
    soonest: datetime | None = None
    soonest_amount = 0
    for row in rows:
        if row.funding_type is None:
            continue  # the wallet has no live lot (the outer join's one empty row)
        funding_type, expires_at, free = row.funding_type, row.expires_at, row.free
        if expires_at is not None and expires_at <= now:
            expired_free += free
            continue
        by_type[funding_type] += free
        if expires_at is not None and (soonest is None or expires_at < soonest):
            soonest, soonest_amount = expires_at, free
        elif expires_at is not None and expires_at == soonest:
            soonest_amount += free
    available = first.balance - first.held - expired_free
    assert available == sum(by_type.values()), "wallet counters disagree with its lots"
    return Balance(
        wallet_id=first.account_id, customer_id=customer_id, program=program,
        unit=first.unit, available=available, held=first.held, pending=first.pending,
        total=available + first.held, by_funding_type=dict(sorted(by_type.items())),
        next_expiry=None if soonest is None else NextExpiry(soonest_amount, soonest))


def list_lots(conn: Connection, store_id: str, customer_id: str, program: str, now: datetime,
              *, status: str | None = None, limit: int = DEFAULT_PAGE_SIZE,
              starting_after: str | None = None) -> Page[Lot]:
    """Lots newest first. `active`: something left and not expired; `expired`: past
    expiry with something left, or swept; `spent`: nothing left (spent or voided)."""
    limit = check_limit(limit)
    require(status is None or status in LOT_FILTERS,
            f"status must be one of {', '.join(LOT_FILTERS)}.", param="status")
    wallet = _wallet_row(conn, store_id, customer_id, program)
    if wallet is None:
        get_program(conn, store_id, program)
        return Page((), False, None)
    query = select(lots).where(lots.c.store_id == store_id,
                               lots.c.wallet_id == wallet.account_id)
    not_expired = lots.c.expires_at.is_(None) | (lots.c.expires_at > now)
    if status == "active":
        query = query.where(lots.c.status == LOT_ACTIVE, lots.c.remaining > 0, not_expired)
    elif status == "expired":
        query = query.where((lots.c.status == LOT_EXPIRED) | (
            (lots.c.status == LOT_ACTIVE) & (lots.c.remaining > 0) & ~not_expired))
    elif status == "spent":
        query = query.where(lots.c.status.in_((LOT_SPENT, LOT_VOIDED)))
    if starting_after is not None:
        query = query.where(lots.c.lot_id < check_id(starting_after, "starting_after"))
    rows = conn.execute(query.order_by(lots.c.lot_id.desc()).limit(limit + 1)).all()
    items = tuple(lot_from_row(row, now) for row in rows[:limit])
    has_more = len(rows) > limit
    return Page(items, has_more, items[-1].id if has_more else None)


def history(conn: Connection, store_id: str, customer_id: str, program: str, *,
            limit: int = DEFAULT_PAGE_SIZE, starting_after: str | None = None,
            ) -> Page[Transaction]:
    """The wallet's transactions, newest first; the cursor is the wallet posting's seq.

    Two statements over rows that never change once written (the page, then its lot
    entries), so `Billfold.read` may run them outside a transaction."""
    limit = check_limit(limit)
    before = _NO_CURSOR if starting_after is None else _parse_cursor(starting_after)
    rows = conn.execute(_HISTORY_PAGE, {
        "b_store_id": store_id, "b_customer_id": customer_id, "b_program": program,
        "b_before": before, "b_limit": limit + 1}).all()
    if not rows:  # no wallet, or nothing before the cursor: the errors say which
        if _wallet_row(conn, store_id, customer_id, program) is None:
            get_program(conn, store_id, program)
        return Page((), False, None)
    page = rows[:limit]
    entries = _entries_for(conn, store_id, page)
    items = tuple(_transaction(row, entries.get(row.transaction_id, ()),
                               wallet_view=True) for row in page)
    has_more = len(rows) > limit
    return Page(items, has_more, str(page[-1].seq) if has_more else None)


def get_transaction(conn: Connection, store_id: str, transaction_id: str) -> Transaction:
    row = transaction_row(conn, store_id, transaction_id)
    entries = _entries_for(conn, store_id, [row])
    return _transaction(row, entries.get(transaction_id, ()))


def lot_usage(conn: Connection, store_id: str, lot_id: str) -> tuple[LotUsage, ...]:
    """Every transaction that touched the lot, oldest first (the credit that made it,
    each debit, hold, capture, release, expiry and reversal)."""
    check_id(lot_id, "lot_id")
    lot = conn.execute(select(lots.c.transaction_id).where(
        lots.c.store_id == store_id, lots.c.lot_id == lot_id)).first()
    if lot is None:
        raise refusal(Code.LOT_NOT_FOUND, param="lot_id", lot_id=lot_id)
    maker = transaction_row(conn, store_id, lot.transaction_id)
    made = ((LotUsage(maker.transaction_id, maker.type, maker.amount, 0, maker.created_at),)
            if maker.lot_id == lot_id else ())  # a filled lot: no entry of its making
    rows = conn.execute(
        select(lot_entries.c.transaction_id, transactions.c.type, lot_entries.c.amount,
               lot_entries.c.held_delta, lot_entries.c.created_at)
        .join(transactions, (transactions.c.store_id == lot_entries.c.store_id)
              & (transactions.c.transaction_id == lot_entries.c.transaction_id))
        .where(lot_entries.c.store_id == store_id, lot_entries.c.lot_id == lot_id)
        .order_by(lot_entries.c.created_at, lot_entries.c.transaction_id)
    ).all()
    return made + tuple(LotUsage(*row) for row in rows)


def get_lot(conn: Connection, store_id: str, lot_id: str, now: datetime) -> Lot:
    check_id(lot_id, "lot_id")
    row = conn.execute(select(lots).where(lots.c.store_id == store_id,
                                          lots.c.lot_id == lot_id)).one_or_none()
    if row is None:
        raise refusal(Code.LOT_NOT_FOUND, param="lot_id", lot_id=lot_id)
    return lot_from_row(row, now)


def _wallet_row(conn: Connection, store_id: str, customer_id: str,
                program: str) -> Row[Any] | None:
    row = conn.execute(select(accounts).where(
        accounts.c.store_id == store_id, accounts.c.customer_id == customer_id,
        accounts.c.program == program)).one_or_none()
    if row is None and not customer_exists(conn, store_id, customer_id):
        raise customer_not_found(customer_id)
    return row


def _entries_for(conn: Connection, store_id: str,
                 rows: Sequence[Any]) -> dict[str, tuple[LotEntry, ...]]:
    """The lot entries of transaction rows, in order: first the lot a transaction made
    filled (named by its `lot_id`, no entry written: see lots.create_lot), then its
    entries."""
    if not rows:
        return {}
    grouped: dict[str, list[LotEntry]] = defaultdict(list)
    for row in conn.execute(_ENTRIES, {
            "b_store_id": store_id, "b_transaction_ids": [r.transaction_id for r in rows],
            "b_lot_ids": sorted({r.lot_id for r in rows if r.lot_id is not None})}):
        grouped[row.transaction_id].append(LotEntry(row.lot_id, row.funding_type, row.amount,
                                                    row.held_delta))
    return {key: tuple(value) for key, value in grouped.items()}


def _transaction(row: Row[Any], entries: tuple[LotEntry, ...], *,
                 wallet_view: bool = False) -> Transaction:
    """A transaction as stored; `wallet_view` takes the balances from the wallet's own
    posting (they differ for the receiving side of a transfer)."""
    balance_after = row.posting_balance_after if wallet_view else row.balance_after
    held_after = row.posting_held_after if wallet_view else row.held_after
    return Transaction(
        id=row.transaction_id, store_id=row.store_id, type=row.type, wallet_id=row.wallet_id,
        customer_id=row.customer_id, program=row.program, unit=row.unit, amount=row.amount,
        balance_after=balance_after, held_after=held_after,
        funding_type=row.funding_type, description=row.description, reference=row.reference,
        metadata=row.metadata, reverses_transaction_id=row.reverses_transaction_id,
        hold_id=row.hold_id, lot_id=row.lot_id, created_at=row.created_at, lots=entries)


def check_limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidRequest(f"limit must be an integer from 1 to {MAX_PAGE_SIZE}.",
                             param="limit")
    return limit


def _parse_cursor(cursor: str) -> int:
    require(isinstance(cursor, str) and cursor.isdigit() and len(cursor) < 19,
            "starting_after is not a cursor this list gave out.", param="starting_after")
    return int(cursor)


# Hot statements, built once (see ledger/accounts.py).
_WALLET = accounts.alias("wallet")
_BALANCE = (
    select(programs.c.unit.label("program_unit"), _WALLET.c.account_id, _WALLET.c.unit,
           _WALLET.c.balance, _WALLET.c.held, _WALLET.c.pending,
           # Only asked when there is no wallet: is the customer known at all?
           case((_WALLET.c.account_id.is_(None), exists().where(
               customers.c.store_id == programs.c.store_id,
               customers.c.customer_id == bindparam("b_customer_id"))),
                else_=true()).label("customer_known"),
           lots.c.funding_type, lots.c.expires_at, (lots.c.remaining - lots.c.held).label("free"))
    .select_from(
        programs
        .outerjoin(_WALLET, and_(_WALLET.c.store_id == programs.c.store_id,
                                 _WALLET.c.customer_id == bindparam("b_customer_id"),
                                 _WALLET.c.program == programs.c.name))
        .outerjoin(lots, and_(lots.c.store_id == _WALLET.c.store_id,
                              lots.c.wallet_id == _WALLET.c.account_id,
                              lots.c.status == LOT_ACTIVE, lots.c.remaining > lots.c.held)))
    .where(programs.c.store_id == bindparam("b_store_id"),
           programs.c.name == bindparam("b_program"))
)
# The wallet's id as a scalar subquery: the database finds it once, then walks the
# postings' primary key backwards from the cursor (never sorts the wallet's history).
_WALLET_ID = (select(accounts.c.account_id)
              .where(accounts.c.store_id == bindparam("b_store_id"),
                     accounts.c.customer_id == bindparam("b_customer_id"),
                     accounts.c.program == bindparam("b_program"))
              .scalar_subquery())
_NO_CURSOR = 2**63 - 1
_HISTORY_PAGE = (
    select(postings.c.seq, postings.c.balance_after.label("posting_balance_after"),
           postings.c.held_after.label("posting_held_after"), transactions)
    .join(transactions, (transactions.c.store_id == postings.c.store_id)
          & (transactions.c.transaction_id == postings.c.transaction_id))
    .where(postings.c.store_id == bindparam("b_store_id"),
           postings.c.account_id == _WALLET_ID,
           postings.c.seq < bindparam("b_before"))
    .order_by(postings.c.seq.desc())
    .limit(bindparam("b_limit"))
)
# The entries of some transactions, each led by the lot it made filled (a lot whose
# `transaction_id` is one of them and which they name; a lot admin's transaction names a
# lot another transaction made).
_ENTRIES = union_all(
    select(lot_entries.c.transaction_id, lot_entries.c.lot_id, lots.c.funding_type,
           lot_entries.c.amount, lot_entries.c.held_delta, lot_entries.c.position)
    .join(lots, (lots.c.store_id == lot_entries.c.store_id)
          & (lots.c.lot_id == lot_entries.c.lot_id))
    .where(lot_entries.c.store_id == bindparam("b_store_id"),
           InList(lot_entries.c.transaction_id, "b_transaction_ids")),
    select(lots.c.transaction_id, lots.c.lot_id, lots.c.funding_type, lots.c.amount,
           literal(0).label("held_delta"), literal(-1).label("position"))
    .where(lots.c.store_id == bindparam("b_store_id"),
           InList(lots.c.lot_id, "b_lot_ids"),
           InList(lots.c.transaction_id, "b_transaction_ids")),
).order_by(literal_column("transaction_id"), literal_column("position"))


def transaction_row(conn: Connection, store_id: str, transaction_id: str) -> Any:
    """The transactions row, or NotFound (transaction_not_found)."""
    check_id(transaction_id, "transaction_id")
    row = conn.execute(select(transactions).where(
        transactions.c.store_id == store_id,
        transactions.c.transaction_id == transaction_id)).one_or_none()
    if row is None:
        raise refusal(Code.TRANSACTION_NOT_FOUND,
                      f"No transaction {transaction_id!r} in this store.",
                      param="transaction_id")
    return row


def left_in_credited_lot(conn: Connection, store_id: str, transaction_id: str) -> int:
    """What can still be taken back from the lot a credit transaction created: its
    remaining less what is held, or 0 once it is spent or expired (a grant's clawback)."""
    row = conn.execute(
        select(lots.c.status, lots.c.remaining, lots.c.held)
        .join(transactions, (transactions.c.store_id == lots.c.store_id)
              & (transactions.c.lot_id == lots.c.lot_id))
        .where(transactions.c.store_id == store_id,
               transactions.c.transaction_id == transaction_id)).one()
    return int(row.remaining - row.held) if row.status == LOT_ACTIVE else 0


def unswept_free(store_id: str, now: datetime) -> Any:
    """Per wallet, the free part of its lots past their expiry that the sweep has not
    reached yet (a balance read leaves it out; the wallet's running total still holds
    it): a subquery of (wallet_id, free). Few rows, found by the lots' (store, status,
    expiry) index."""
    return (select(lots.c.wallet_id, func.sum(lots.c.remaining - lots.c.held).label("free"))
            .where(lots.c.store_id == store_id, lots.c.status == LOT_ACTIVE,
                   lots.c.expires_at <= now, lots.c.remaining > lots.c.held)
            .group_by(lots.c.wallet_id).subquery())


class WalletLine(NamedTuple):
    """One wallet of a store-wide listing (the balances export, which writes it as is:
    a tuple in the export's column order)."""

    customer_id: str
    program: str
    unit: str
    available: int
    held: int
    pending: int


def wallet_balances(conn: Connection, store_id: str, now: datetime, *,
                    after: tuple[str, str] | None = None,
                    limit: int = 1000) -> list[WalletLine]:
    """Every wallet of the store by (customer, program), keyset after `after`: its
    available (lots past their expiry left out, as in a balance read), held and
    pending, from the wallet row less its unswept expired part."""
    unswept = unswept_free(store_id, now)
    available = accounts.c.balance - accounts.c.held - func.coalesce(unswept.c.free, 0)
    query = (select(accounts.c.customer_id, accounts.c.program, accounts.c.unit, available,
                    accounts.c.held, accounts.c.pending)
             .outerjoin(unswept, unswept.c.wallet_id == accounts.c.account_id)
             .where(accounts.c.store_id == store_id, accounts.c.kind == "wallet"))
    if after is not None:
        query = query.where(tuple_(accounts.c.customer_id, accounts.c.program) > after)
    rows = conn.execute(query.order_by(accounts.c.customer_id, accounts.c.program)
                        .limit(limit)).all()
    return [WalletLine._make(row) for row in rows]
