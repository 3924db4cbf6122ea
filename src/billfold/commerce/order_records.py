"""Order rows: reading an order whole (lines, payments, cashback) and locking it.

Shared by the order lifecycle, cashback and refunds, which each change an
order only while holding its row lock (`lock_order`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from billfold.commerce.offers import Line
from billfold.errors import Code, refusal, require
from billfold.ledger.models import PROMISE_PENDING
from billfold.store.tables import order_cashbacks, orders, promises

ORDER_STATUSES = ("placed", "paid", "shipped", "delivered", "completed", "cancelled")
FULFILLED_STATUSES = frozenset({"shipped", "delivered", "completed"})
MAX_ORDER_ID_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Payment:
    """The part of the order one wallet program paid (`amount` in the store currency,
    `points` for a points program) and how much of it was refunded so far."""

    program: str
    unit: str
    amount: int
    points: int | None
    transaction_id: str
    refunded_amount: int = 0
    refunded_points: int = 0


@dataclass(frozen=True, slots=True)
class OrderCashback:
    offer_id: str
    program: str
    promise_id: str
    status: str
    promised_amount: int
    pending: int
    granted: int
    voided: int
    clawed_back: int
    shortfall: int
    deducted: int


@dataclass(frozen=True, slots=True)
class CashbackSummary:
    pending: int
    granted: int
    voided: int
    clawed_back: int
    shortfall: int
    deducted: int


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    store_id: str
    customer_id: str
    currency: str
    amount: int
    lines: tuple[Line, ...]
    status: str
    checkout_id: str | None
    wallet_amount: int
    paid_amount: int
    refunded_amount: int
    is_first_order: bool
    payments: tuple[Payment, ...]
    cashback: CashbackSummary
    cashbacks: tuple[OrderCashback, ...]
    created_at: datetime
    updated_at: datetime

    @property
    def card_amount(self) -> int:
        return self.amount - self.wallet_amount

    @property
    def refundable_amount(self) -> int:
        return self.paid_amount - self.refunded_amount


def check_order_id(order_id: object) -> str:
    require(isinstance(order_id, str) and 0 < len(order_id) <= MAX_ORDER_ID_LENGTH,
            "The order id is the shop's own non-empty string of at most 200 characters.",
            param="order_id")
    return order_id  # type: ignore[return-value]


def lock_order(conn: Connection, store_id: str, order_id: str) -> Row[Any]:
    """The order row, locked until commit; NotFound if the store has no such order."""
    return _order_row(conn, store_id, order_id, for_update=True)


def get_order(conn: Connection, store_id: str, order_id: str) -> Order:
    row = _order_row(conn, store_id, order_id, for_update=False)
    cashbacks = _cashbacks(conn, store_id, order_id)
    return Order(
        id=row.order_id, store_id=row.store_id, customer_id=row.customer_id,
        currency=row.currency, amount=row.amount,
        lines=tuple(Line(line["product_id"], tuple(line["category_ids"]), line["quantity"],
                         line["unit_amount"]) for line in row.lines),
        status=row.status, checkout_id=row.checkout_id, wallet_amount=row.wallet_amount,
        paid_amount=paid_amount(row), refunded_amount=row.refunded_amount,
        is_first_order=bool(row.is_first_order), payments=payments_of(row),
        cashback=CashbackSummary(*(sum(getattr(c, name) for c in cashbacks) for name in (
            "pending", "granted", "voided", "clawed_back", "shortfall", "deducted"))),
        cashbacks=cashbacks, created_at=row.created_at, updated_at=row.updated_at)


def paid_amount(row: Any) -> int:
    """What the customer has paid: the wallet part (captured at checkout) always, the
    card part once the order reached `paid` or a later status."""
    return row.wallet_amount + (row.amount - row.wallet_amount if row.paid_at else 0)


def payments_of(row: Any) -> tuple[Payment, ...]:
    return tuple(Payment(**payment) for payment in row.payments)


def payment_json(payment: Payment) -> dict[str, Any]:
    return {"program": payment.program, "unit": payment.unit, "amount": payment.amount,
            "points": payment.points, "transaction_id": payment.transaction_id,
            "refunded_amount": payment.refunded_amount,
            "refunded_points": payment.refunded_points}


def _order_row(conn: Connection, store_id: str, order_id: str, *,
               for_update: bool) -> Row[Any]:
    check_order_id(order_id)
    query = select(orders).where(orders.c.store_id == store_id, orders.c.order_id == order_id)
    row = conn.execute(query.with_for_update() if for_update else query).one_or_none()
    if row is None:
        raise refusal(Code.ORDER_NOT_FOUND, f"No order {order_id!r} in this store.",
                      param="order_id")
    return row


def _cashbacks(conn: Connection, store_id: str, order_id: str) -> tuple[OrderCashback, ...]:
    rows = conn.execute(
        select(order_cashbacks, promises.c.amount.label("promise_amount"),
               promises.c.status.label("promise_status"))
        .join(promises, (promises.c.store_id == order_cashbacks.c.store_id)
              & (promises.c.promise_id == order_cashbacks.c.promise_id))
        .where(order_cashbacks.c.store_id == store_id, order_cashbacks.c.order_id == order_id)
        .order_by(order_cashbacks.c.offer_id)).all()
    found = []
    for row in rows:
        pending = row.promise_amount if row.promise_status == PROMISE_PENDING else 0
        found.append(OrderCashback(
            offer_id=row.offer_id, program=row.program, promise_id=row.promise_id,
            status=row.status, promised_amount=row.promised_amount, pending=pending,
            granted=row.granted_amount,
            voided=row.promised_amount - pending - row.granted_amount,
            clawed_back=row.clawed_back, shortfall=row.shortfall, deducted=row.deducted))
    return tuple(found)
