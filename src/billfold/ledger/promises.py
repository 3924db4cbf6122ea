"""Promised credit: pending now, a lot later, or nothing.

Cashback is promised when an order is placed (the wallet's `pending` grows,
nothing is spendable), granted once when the order is fulfilled (pending
becomes a lot of the promised funding type) and voided if the order is
cancelled first. A partial refund before fulfilment shrinks the promise.
The store side of a promise is its `promised.<funding type>` account.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from billfold.errors import Code, InvalidRequest, refusal
from billfold.ids import new_id
from billfold.ledger import outbox
from billfold.ledger.accounts import (
    Leg,
    get_program,
    lock_wallet_by_id,
    open_wallet,
    store_account_id,
)
from billfold.ledger.checks import (
    check_credit,
    check_id,
)
from billfold.ledger.journal import event_payload, record
from billfold.ledger.lots import create_lot
from billfold.ledger.models import (
    PROMISE_GRANTED,
    PROMISE_PENDING,
    PROMISE_VOIDED,
    LotEntry,
    Promise,
)
from billfold.store.tables import promises


def promise_credit(conn: Connection, *, store_id: str, customer_id: str, program: str,
                   amount: int, funding_type: str, now: datetime,
                   credit_expires_seconds: int | None = None,
                   is_withdrawable: bool | None = None, source_type: str = "manual",
                   source_id: str | None = None, description: str | None = None,
                   metadata: dict[str, Any] | None = None) -> Promise:
    """Promise `amount` to the wallet: shown as pending, not spendable."""
    withdrawable, metadata = check_credit(customer_id, amount, funding_type, is_withdrawable,
                                          metadata, description, None)
    if credit_expires_seconds is not None and (
            not isinstance(credit_expires_seconds, int) or credit_expires_seconds < 1):
        raise InvalidRequest("credit expiry must be a positive number of seconds.",
                             param="credit_expires_in")
    prog = get_program(conn, store_id, program)
    wallet = open_wallet(conn, store_id, customer_id, prog, now)
    promise_id = new_id("prm")
    txn = record(conn, store_id=store_id, wallet=wallet, type="promise", amount=amount,
                 legs=[Leg(wallet.account_id, pending_delta=amount),
                       Leg(_promised_account(wallet, funding_type), pending_delta=-amount)],
                 entries=[], now=now, funding_type=funding_type, description=description,
                 metadata={**metadata, "promise_id": promise_id})
    conn.execute(insert(promises).values(
        store_id=store_id, promise_id=promise_id, wallet_id=wallet.account_id,
        customer_id=customer_id, program=program, unit=wallet.unit, amount=amount,
        original_amount=amount, status=PROMISE_PENDING, funding_type=funding_type,
        is_withdrawable=withdrawable, credit_expires_seconds=credit_expires_seconds,
        source_type=source_type, source_id=source_id, description=description,
        metadata=metadata, transaction_id=txn.id, settled_transaction_id=None, lot_id=None,
        created_at=now, settled_at=None))
    outbox.emit(conn, store_id, "wallet.credit_promised",
                {**event_payload(txn), "promise_id": promise_id}, now)
    return get_promise(conn, store_id, promise_id)


def shrink_promise(conn: Connection, *, store_id: str, promise_id: str, new_amount: int,
                   now: datetime, description: str | None = None) -> Promise:
    """Lower a pending promise to `new_amount` (zero voids it)."""
    wallet, row = _lock_pending(conn, store_id, promise_id)
    if isinstance(new_amount, bool) or not isinstance(new_amount, int) or not (
            0 <= new_amount <= row.amount):
        raise InvalidRequest(f"A promise of {row.amount} can only shrink to 0..{row.amount}.",
                             param="amount")
    if new_amount == 0:
        return void_promise(conn, store_id=store_id, promise_id=promise_id, now=now,
                            description=description)
    cut = row.amount - new_amount
    if cut:
        record(conn, store_id=store_id, wallet=wallet, type="promise_adjustment", amount=cut,
               legs=[Leg(wallet.account_id, pending_delta=-cut),
                     Leg(_promised_account(wallet, row.funding_type), pending_delta=cut)],
               entries=[], now=now, funding_type=row.funding_type, description=description,
               metadata={"promise_id": promise_id})
        conn.execute(update(promises).where(promises.c.store_id == store_id,
                                            promises.c.promise_id == promise_id)
                     .values(amount=new_amount))
    return get_promise(conn, store_id, promise_id)


def grant_promise(conn: Connection, *, store_id: str, promise_id: str, now: datetime,
                  type: str = "cashback", description: str | None = None) -> Promise:
    """Turn a pending promise into a spendable lot, once."""
    wallet, row = _lock_pending(conn, store_id, promise_id)
    expires_at = (None if row.credit_expires_seconds is None
                  else now + timedelta(seconds=row.credit_expires_seconds))
    transaction_id = new_id("txn")
    lot_id = create_lot(
        conn, store_id, wallet.account_id, wallet.unit, row.amount,
        funding_type=row.funding_type, is_withdrawable=row.is_withdrawable,
        expires_at=expires_at, source_type=row.source_type, source_id=row.source_id,
        description=description or row.description, transaction_id=transaction_id, now=now)
    txn = record(
        conn, store_id=store_id, wallet=wallet, type=type, amount=row.amount,
        legs=[Leg(wallet.account_id, row.amount, pending_delta=-row.amount),
              Leg(_promised_account(wallet, row.funding_type), pending_delta=row.amount),
              Leg(store_account_id("issued", wallet.unit, row.funding_type,
                                   wallet.account_id), -row.amount)],
        entries=[], created=LotEntry(lot_id, row.funding_type, row.amount, 0), now=now,
        funding_type=row.funding_type, description=description or row.description,
        metadata={"promise_id": promise_id}, lot_id=lot_id, transaction_id=transaction_id)
    _settle(conn, store_id, promise_id, PROMISE_GRANTED, txn.id, now, lot_id=lot_id)
    outbox.emit(conn, store_id, "wallet.credit_granted",
                {**event_payload(txn), "promise_id": promise_id}, now)
    return get_promise(conn, store_id, promise_id)


def void_promise(conn: Connection, *, store_id: str, promise_id: str, now: datetime,
                 description: str | None = None) -> Promise:
    """End a pending promise without credit."""
    wallet, row = _lock_pending(conn, store_id, promise_id)
    txn = record(conn, store_id=store_id, wallet=wallet, type="promise_void", amount=row.amount,
                 legs=[Leg(wallet.account_id, pending_delta=-row.amount),
                       Leg(_promised_account(wallet, row.funding_type),
                           pending_delta=row.amount)],
                 entries=[], now=now, funding_type=row.funding_type, description=description,
                 metadata={"promise_id": promise_id})
    _settle(conn, store_id, promise_id, PROMISE_VOIDED, txn.id, now)
    outbox.emit(conn, store_id, "wallet.credit_promise_voided",
                {**event_payload(txn), "promise_id": promise_id}, now)
    return get_promise(conn, store_id, promise_id)


def get_promise(conn: Connection, store_id: str, promise_id: str) -> Promise:
    check_id(promise_id, "promise_id")
    row = conn.execute(select(promises).where(promises.c.store_id == store_id,
                                              promises.c.promise_id == promise_id)
                       ).one_or_none()
    if row is None:
        raise refusal(Code.PROMISE_NOT_FOUND, f"No promise {promise_id!r} in this store.",
                      param="promise_id")
    return Promise(
        id=row.promise_id, store_id=row.store_id, wallet_id=row.wallet_id,
        customer_id=row.customer_id, program=row.program, unit=row.unit, status=row.status,
        amount=row.amount, original_amount=row.original_amount,
        funding_type=row.funding_type, source_type=row.source_type, source_id=row.source_id,
        created_at=row.created_at, settled_at=row.settled_at, lot_id=row.lot_id)


def _lock_pending(conn: Connection, store_id: str, promise_id: str) -> tuple[Any, Any]:
    wallet = lock_wallet_by_id(conn, store_id, get_promise(conn, store_id, promise_id).wallet_id)
    row = conn.execute(select(promises).where(promises.c.store_id == store_id,
                                              promises.c.promise_id == promise_id)).one()
    if row.status != PROMISE_PENDING:
        raise refusal(Code.PROMISE_NOT_PENDING, f"The promise is already {row.status}.")
    return wallet, row


def _settle(conn: Connection, store_id: str, promise_id: str, status: str,
            transaction_id: str, now: datetime, lot_id: str | None = None) -> None:
    conn.execute(update(promises).where(promises.c.store_id == store_id,
                                        promises.c.promise_id == promise_id)
                 .values(status=status, settled_transaction_id=transaction_id,
                         settled_at=now, lot_id=lot_id))


def _promised_account(wallet: Any, funding_type: str) -> str:
    return store_account_id("promised", wallet.unit, funding_type, wallet.account_id)
