"""Cashback on orders: promised on placement, granted once on fulfilment, voided on
cancellation, shrunk or clawed back in proportion to refunds.

- *Promise*: when an order is placed and the wallet is on, each offer that
  applies (see `offers`) becomes one pending promise (`funding_type`
  cashback) in its program. Wallet off: nothing is promised.
- *Grant*: on the first of shipped/delivered/completed each pending promise
  becomes a `cashback` lot — unless its offer was closed before then, or the
  wallet is off then: that promise is voided, and turning the wallet back on
  grants nothing of it. The credit expires after the offer's
  `credit_expires_in`, else the store's `cashback_expires_in`, else the
  program's default expiry.
- *Refunds*: with R refunded in total of an order of amount A, a promise
  originally P keeps `P - share(P, R, A)`; cashback granted G owes back
  `share(G, R, A)` in total. What is owed is taken from what is left of that
  cashback lot, never more (the wallet never goes below zero); the part
  already spent, held or expired is the *shortfall*. With the store setting
  `clawback_shortfall: "deduct_from_refund"` the shortfall is deducted from
  the refund being paid instead (as far as the refund allows); by default
  (`"record"`) it is only recorded, and `GET /v1/stats` reports it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from billfold.commerce.offers import OFFER_ACTIVE, cashback_for, list_offers
from billfold.commerce.order_records import Line
from billfold.commerce.rounding import proportion
from billfold.commerce.settings import StoreSettings
from billfold.ledger import promises, queries, reverse
from billfold.ledger.models import PROMISE_PENDING
from billfold.store.tables import cashback_offers, order_cashbacks
from billfold.store.tables import promises as promises_table

CASHBACK_PENDING, CASHBACK_GRANTED, CASHBACK_VOIDED = "pending", "granted", "voided"


def promise_order_cashback(conn: Connection, *, store_id: str, settings: StoreSettings,
                           order_id: str, customer_id: str, amount: int,
                           lines: tuple[Line, ...], is_first_order: bool,
                           now: datetime) -> int:
    """Promise each applying offer's cashback for a new order; returns the total."""
    if not settings.wallet_enabled:
        return 0
    total = 0
    for offer in list_offers(conn, store_id, status=OFFER_ACTIVE):
        cashback = cashback_for(offer, amount=amount, lines=lines,
                                is_first_order=is_first_order, now=now)
        if cashback == 0:
            continue
        expires = (offer.credit_expires_seconds or settings.cashback_expires_seconds
                   or _program_default(settings, offer.program))
        promise = promises.promise_credit(
            conn, store_id=store_id, customer_id=customer_id, program=offer.program,
            amount=cashback, funding_type="cashback", now=now, credit_expires_seconds=expires,
            source_type="order", source_id=order_id,
            description=f"Cashback on order {order_id}: {offer.name}",
            metadata={"offer_id": offer.id, "order_id": order_id})
        conn.execute(insert(order_cashbacks).values(
            store_id=store_id, order_id=order_id, offer_id=offer.id, program=offer.program,
            promise_id=promise.id, promised_amount=cashback, status=CASHBACK_PENDING,
            granted_amount=0, grant_transaction_id=None, clawed_back=0, shortfall=0,
            deducted=0, created_at=now, settled_at=None))
        total += cashback
    return total


def fulfil_order_cashback(conn: Connection, *, store_id: str, order_id: str,
                          wallet_enabled: bool, now: datetime) -> None:
    """Grant every pending promise of the order, or void it (offer closed, wallet off)."""
    for row in _pending(conn, store_id, order_id):
        closed = row.offer_status != OFFER_ACTIVE and row.closed_at is not None \
            and row.closed_at <= now
        if closed or not wallet_enabled:
            promises.void_promise(conn, store_id=store_id, promise_id=row.promise_id, now=now,
                                  description="Offer closed" if closed else "Wallet off")
            _set(conn, store_id, row, status=CASHBACK_VOIDED, settled_at=now)
            continue
        granted = promises.grant_promise(conn, store_id=store_id, promise_id=row.promise_id,
                                         now=now)
        txn_id = conn.execute(select(promises_table.c.settled_transaction_id).where(
            promises_table.c.store_id == store_id,
            promises_table.c.promise_id == row.promise_id)).scalar_one()
        _set(conn, store_id, row, status=CASHBACK_GRANTED, granted_amount=granted.amount,
             grant_transaction_id=txn_id, settled_at=now)


def void_order_cashback(conn: Connection, *, store_id: str, order_id: str,
                        now: datetime) -> None:
    """Void every pending promise of the order (it was cancelled)."""
    for row in _pending(conn, store_id, order_id):
        promises.void_promise(conn, store_id=store_id, promise_id=row.promise_id, now=now,
                              description=f"Order {order_id} cancelled")
        _set(conn, store_id, row, status=CASHBACK_VOIDED, settled_at=now)


def adjust_cashback_for_refund(conn: Connection, *, store_id: str, order_id: str,
                               order_amount: int, refunded_total: int, deduct_up_to: int,
                               settings: StoreSettings, now: datetime) -> tuple[int, int]:
    """Shrink pending promises and claw back granted cashback for an order now refunded
    `refunded_total` in all. Returns (clawed back now, deducted from this refund now)."""
    clawed_now = deducted_now = 0
    deduct = settings.clawback_shortfall == "deduct_from_refund"
    rows = conn.execute(select(order_cashbacks).where(
        order_cashbacks.c.store_id == store_id, order_cashbacks.c.order_id == order_id)
        .order_by(order_cashbacks.c.offer_id)).all()
    for row in rows:
        if row.status == CASHBACK_PENDING:
            keep = row.promised_amount - proportion(row.promised_amount, refunded_total,
                                                    order_amount)
            current = promises.get_promise(conn, store_id, row.promise_id).amount
            if keep < current:
                promises.shrink_promise(conn, store_id=store_id, promise_id=row.promise_id,
                                        new_amount=keep, now=now,
                                        description=f"Order {order_id} partly refunded")
                if keep == 0:
                    _set(conn, store_id, row, status=CASHBACK_VOIDED, settled_at=now)
            continue
        if row.status != CASHBACK_GRANTED:
            continue
        owed = proportion(row.granted_amount, refunded_total, order_amount) - (
            row.clawed_back + row.shortfall + row.deducted)
        if owed <= 0:
            continue
        take = min(owed, queries.left_in_credited_lot(conn, store_id, row.grant_transaction_id))
        if take:
            reverse.reverse(conn, store_id=store_id, transaction_id=row.grant_transaction_id,
                              now=now, amount=take,
                              description=f"Cashback taken back: order {order_id} refunded",
                              metadata={"order_id": order_id, "offer_id": row.offer_id})
        short = owed - take
        taken_from_refund = min(short, deduct_up_to - deducted_now) if deduct else 0
        _set(conn, store_id, row, clawed_back=row.clawed_back + take,
             deducted=row.deducted + taken_from_refund,
             shortfall=row.shortfall + short - taken_from_refund)
        clawed_now += take
        deducted_now += taken_from_refund
    return clawed_now, deducted_now



def _pending(conn: Connection, store_id: str, order_id: str) -> list[object]:
    return list(conn.execute(
        select(order_cashbacks, cashback_offers.c.status.label("offer_status"),
               cashback_offers.c.closed_at)
        .join(cashback_offers, (cashback_offers.c.store_id == order_cashbacks.c.store_id)
              & (cashback_offers.c.offer_id == order_cashbacks.c.offer_id))
        .join(promises_table, (promises_table.c.store_id == order_cashbacks.c.store_id)
              & (promises_table.c.promise_id == order_cashbacks.c.promise_id))
        .where(order_cashbacks.c.store_id == store_id, order_cashbacks.c.order_id == order_id,
               order_cashbacks.c.status == CASHBACK_PENDING,
               promises_table.c.status == PROMISE_PENDING)
        .order_by(order_cashbacks.c.offer_id)).all())


def _set(conn: Connection, store_id: str, row: object, **values: object) -> None:
    conn.execute(update(order_cashbacks).where(
        order_cashbacks.c.store_id == store_id,
        order_cashbacks.c.order_id == row.order_id,  # type: ignore[attr-defined]
        order_cashbacks.c.offer_id == row.offer_id)  # type: ignore[attr-defined]
        .values(**values))


def _program_default(settings: StoreSettings, program: str) -> int | None:
    found = settings.program(program)
    return None if found is None else found.default_expires_seconds
