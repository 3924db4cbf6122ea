"""Purchase points on orders: the lifecycle of cashback, in points.

- *Promise*: when an order is placed, every `purchase` rule (and
  `first_purchase` rule, on the customer's first order) in force is applied to
  the order's amount less what its checkout paid from wallets (credit spent
  earns no points); each award is a pending promise in its points program.
- *Grant*: on the first of shipped/delivered/completed each pending promise
  becomes a lot (`points.awarded`, the tier recomputed).
- *Void*: on cancellation, before any grant.
- *Refunds*: with R refunded of an order of amount A, a pending award P keeps
  `P - floor(P * R / A)`; a granted award G owes back `floor(G * R / A)` in
  total, taken from what is left of its lot (never more: the part already
  spent is recorded as `shortfall`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from billfold.ledger import promises, queries, reverse
from billfold.loyalty.arithmetic import share_floor
from billfold.loyalty.awards import (
    AWARD_GRANTED,
    AWARD_PENDING,
    AWARD_VOIDED,
    PROMISE,
    award,
    emit_awarded,
)
from billfold.loyalty.tiers import recompute_tier
from billfold.store.tables import loyalty_awards
from billfold.store.tables import promises as promises_table

ORDER_SOURCE = "order"


@dataclass(frozen=True, slots=True)
class OrderPoints:
    pending: int
    granted: int
    voided: int
    clawed_back: int


NO_POINTS = OrderPoints(0, 0, 0, 0)


def promise_order_points(conn: Connection, *, store_id: str, order_id: str,
                         customer_id: str, earning_amount: int, is_first_order: bool,
                         now: datetime) -> OrderPoints:
    """Promise the order's purchase points (the caller holds the customer's lock)."""
    events = ("purchase", "first_purchase") if is_first_order else ("purchase",)
    if earning_amount > 0 or is_first_order:
        award(conn, store_id=store_id, customer_id=customer_id, events=events,
              amount=earning_amount, source_type=ORDER_SOURCE, source_id=order_id, now=now,
              mode=PROMISE)
    return order_points(conn, store_id, order_id)


def fulfil_order_points(conn: Connection, *, store_id: str, order_id: str,
                        now: datetime) -> None:
    """Grant every pending award of the order (idempotent: none left pending after)."""
    customers = set()
    for row in _awards(conn, store_id, order_id, AWARD_PENDING):
        promises.grant_promise(conn, store_id=store_id, promise_id=row.promise_id, now=now,
                               type="credit")
        txn_id = conn.execute(select(promises_table.c.settled_transaction_id).where(
            promises_table.c.store_id == store_id,
            promises_table.c.promise_id == row.promise_id)).scalar_one()
        _set(conn, store_id, row.award_id, status=AWARD_GRANTED,
             granted_amount=row.pending_amount, pending_amount=0, transaction_id=txn_id,
             granted_at=now, settled_at=now)
        emit_awarded(conn, store_id, row.award_id, row.rule_id, row.customer_id, row.program,
                     row.pending_amount, txn_id, ORDER_SOURCE, order_id, now)
        customers.add(row.customer_id)
    for customer_id in sorted(customers):
        recompute_tier(conn, store_id=store_id, customer_id=customer_id, now=now)


def void_order_points(conn: Connection, *, store_id: str, order_id: str,
                      now: datetime) -> None:
    for row in _awards(conn, store_id, order_id, AWARD_PENDING):
        promises.void_promise(conn, store_id=store_id, promise_id=row.promise_id, now=now,
                              description=f"Order {order_id} cancelled")
        _set(conn, store_id, row.award_id, status=AWARD_VOIDED, pending_amount=0,
             settled_at=now)


def adjust_points_for_refund(conn: Connection, *, store_id: str, order_id: str,
                             order_amount: int, refunded_total: int, now: datetime) -> int:
    """Shrink pending awards, take back granted points, for an order now refunded
    `refunded_total` in all. Returns the points taken back now."""
    taken_now = 0
    customers = set()
    for row in _awards(conn, store_id, order_id, None):
        if row.status == AWARD_PENDING:
            keep = row.amount - share_floor(row.amount, refunded_total, order_amount)
            if keep < row.pending_amount:
                promises.shrink_promise(conn, store_id=store_id, promise_id=row.promise_id,
                                        new_amount=keep, now=now,
                                        description=f"Order {order_id} partly refunded")
                _set(conn, store_id, row.award_id, pending_amount=keep,
                     **({"status": AWARD_VOIDED, "settled_at": now} if keep == 0 else {}))
            continue
        if row.status != AWARD_GRANTED:
            continue
        owed = share_floor(row.granted_amount, refunded_total, order_amount) - (
            row.clawed_back + row.shortfall)
        if owed <= 0:
            continue
        take = min(owed, queries.left_in_credited_lot(conn, store_id, row.transaction_id))
        if take:
            reverse.reverse(conn, store_id=store_id, transaction_id=row.transaction_id,
                            now=now, amount=take,
                            description=f"Points taken back: order {order_id} refunded",
                            metadata={"order_id": order_id, "award_id": row.award_id})
        _set(conn, store_id, row.award_id, clawed_back=row.clawed_back + take,
             shortfall=row.shortfall + owed - take)
        taken_now += take
        customers.add(row.customer_id)
    for customer_id in sorted(customers):
        recompute_tier(conn, store_id=store_id, customer_id=customer_id, now=now)
    return taken_now


def order_points(conn: Connection, store_id: str, order_id: str) -> OrderPoints:
    rows = _awards(conn, store_id, order_id, None)
    pending = sum(r.pending_amount for r in rows if r.status == AWARD_PENDING)
    granted = sum(r.granted_amount for r in rows)
    return OrderPoints(pending=pending, granted=granted,
                       voided=sum(r.amount for r in rows) - pending - granted,
                       clawed_back=sum(r.clawed_back for r in rows))


def _awards(conn: Connection, store_id: str, order_id: str,
            status: str | None) -> list[Any]:
    query = select(loyalty_awards).where(
        loyalty_awards.c.store_id == store_id, loyalty_awards.c.source_type == ORDER_SOURCE,
        loyalty_awards.c.source_id == order_id)
    if status is not None:
        query = query.where(loyalty_awards.c.status == status)
    return list(conn.execute(query.order_by(loyalty_awards.c.award_id)).all())



def _set(conn: Connection, store_id: str, award_id: str, **values: object) -> None:
    conn.execute(update(loyalty_awards).where(loyalty_awards.c.store_id == store_id,
                                              loyalty_awards.c.award_id == award_id)
                 .values(**values))
