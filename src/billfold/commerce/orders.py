"""Orders pushed by the shop, and their status lifecycle.

placed → paid → shipped → delivered → completed, forward only, steps may be
skipped; `cancelled` only from placed or paid; anything else is a Conflict.
Placing an order promises its cashback; the first of shipped/delivered/
completed grants it (once); cancelling voids it and refunds to the wallet at
once what was paid and not yet refunded. An order placed with a `checkout_id`
is paid by that checkout's wallet holds (captured now if still open).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from billfold.commerce.cashback import (
    fulfil_order_cashback,
    promise_order_cashback,
    void_order_cashback,
)
from billfold.commerce.checkout import (
    CHECKOUT_COMPLETED,
    CHECKOUT_OPEN,
    complete_checkout,
    get_checkout,
)
from billfold.commerce.offers import Line
from billfold.commerce.order_records import (
    FULFILLED_STATUSES,
    ORDER_STATUSES,
    Order,
    Payment,
    check_order_id,
    get_order,
    lock_order,
    paid_amount,
    payment_json,
)
from billfold.commerce.refunds import refund_locked_order
from billfold.commerce.settings import get_settings, require_store_currency
from billfold.errors import Code, refusal, require
from billfold.ledger.accounts import ensure_customer, lock_customer
from billfold.ledger.checks import check_id
from billfold.money import MAX_AMOUNT_MINOR, check_amount
from billfold.store.sql import insert_if_absent
from billfold.store.tables import orders

MAX_LINES = 500
MAX_CATEGORIES_PER_LINE = 50
MAX_QUANTITY = 1_000_000
_FORWARD = ("placed", "paid", "shipped", "delivered", "completed")
_CANCELLABLE = frozenset({"placed", "paid"})


def place_order(conn: Connection, *, store_id: str, order_id: str, customer_id: str,
                currency: str, amount: int, lines: list[dict[str, Any]], now: datetime,
                checkout_id: str | None = None) -> Order:
    """Record a new order, take its wallet payment from the checkout, promise cashback."""
    check_order_id(order_id)
    check_id(customer_id, "customer_id")
    check_amount(amount)
    settings = get_settings(conn, store_id)
    require_store_currency(settings, currency)
    order_lines = _check_lines(lines)
    ensure_customer(conn, store_id, customer_id, now)
    lock_customer(conn, store_id, customer_id)  # one order of a customer at a time: who is first
    payments = _checkout_payments(conn, store_id, checkout_id, order_id, customer_id, amount,
                                  now)
    wallet_amount = sum(p.amount for p in payments)
    is_first = _is_first_order(conn, store_id, customer_id)
    inserted = insert_if_absent(conn, orders, {
        "store_id": store_id, "order_id": order_id, "customer_id": customer_id,
        "currency": currency, "amount": amount,
        "lines": [{"product_id": line.product_id, "category_ids": list(line.category_ids),
                   "quantity": line.quantity, "unit_amount": line.unit_amount}
                  for line in order_lines],
        "status": "placed", "checkout_id": checkout_id, "wallet_amount": wallet_amount,
        "payments": [payment_json(p) for p in payments], "refunded_amount": 0,
        "card_refunded_amount": 0, "is_first_order": is_first, "created_at": now,
        "updated_at": now, "paid_at": None, "fulfilled_at": None, "cancelled_at": None})
    if not inserted:
        raise refusal(Code.ORDER_EXISTS, f"The store already has an order {order_id!r}.",
                      param="id")
    promise_order_cashback(conn, store_id=store_id, settings=settings, order_id=order_id,
                           customer_id=customer_id, amount=amount, lines=order_lines,
                           is_first_order=is_first, now=now)
    return get_order(conn, store_id, order_id)


def set_order_status(conn: Connection, *, store_id: str, order_id: str, status: str,
                     now: datetime) -> Order:
    """Move the order to `status` (see the module docstring for what each move does)."""
    require(status in ORDER_STATUSES[1:],
            f"status must be one of {', '.join(ORDER_STATUSES[1:])}.", param="status")
    row = lock_order(conn, store_id, order_id)
    _check_move(row.status, status)
    values: dict[str, Any] = {"status": status, "updated_at": now}
    if status == "cancelled":
        void_order_cashback(conn, store_id=store_id, order_id=order_id, now=now)
        refundable = paid_amount(row) - row.refunded_amount
        if refundable:
            refund_locked_order(conn, store_id=store_id, row=row, amount=refundable, now=now,
                                reason="cancellation", settings=get_settings(conn, store_id))
        values["cancelled_at"] = now
    else:
        if row.paid_at is None:
            values["paid_at"] = now
        if status in FULFILLED_STATUSES and row.fulfilled_at is None:
            fulfil_order_cashback(conn, store_id=store_id, order_id=order_id,
                                  wallet_enabled=get_settings(conn, store_id).wallet_enabled,
                                  now=now)
            values["fulfilled_at"] = now
    conn.execute(update(orders).where(orders.c.store_id == store_id,
                                      orders.c.order_id == order_id).values(**values))
    return get_order(conn, store_id, order_id)


def _check_move(current: str, target: str) -> None:
    if target == "cancelled":
        allowed = current in _CANCELLABLE
    else:
        allowed = current in _FORWARD and _FORWARD.index(target) > _FORWARD.index(current)
    if not allowed:
        raise refusal(Code.ILLEGAL_STATUS_CHANGE,
                      f"An order that is {current} cannot become {target}.", param="status")


def _checkout_payments(conn: Connection, store_id: str, checkout_id: str | None,
                       order_id: str, customer_id: str, amount: int,
                       now: datetime) -> list[Payment]:
    if checkout_id is None:
        return []
    checkout = get_checkout(conn, store_id, checkout_id, now)
    require(checkout.customer_id == customer_id and checkout.order_id == order_id
            and checkout.amount == amount,
            "The checkout is for another customer, order or amount.", param="checkout_id")
    taken = conn.execute(select(orders.c.order_id).where(
        orders.c.store_id == store_id, orders.c.checkout_id == checkout_id)).first()
    if taken is not None:
        raise refusal(Code.CHECKOUT_USED, "The checkout already paid another order.",
                      param="checkout_id")
    if checkout.status == CHECKOUT_OPEN:
        checkout = complete_checkout(conn, store_id=store_id, checkout_id=checkout_id, now=now)
    if checkout.status != CHECKOUT_COMPLETED:
        raise refusal(Code.CHECKOUT_NOT_OPEN,
                      f"The checkout is {checkout.status}; it cannot pay an order.",
                      param="checkout_id")
    payments = []
    for part in checkout.parts:
        assert part.capture_transaction_id is not None
        payments.append(Payment(part.program, part.unit, part.amount, part.points,
                                part.capture_transaction_id))
    return payments


def _is_first_order(conn: Connection, store_id: str, customer_id: str) -> bool:
    """No earlier order of this customer that was not cancelled."""
    return conn.execute(select(orders.c.order_id).where(
        orders.c.store_id == store_id, orders.c.customer_id == customer_id,
        orders.c.status != "cancelled").limit(1)).first() is None


def _check_lines(lines: object) -> tuple[Line, ...]:
    require(isinstance(lines, list) and len(lines) <= MAX_LINES,
            f"lines is a list of at most {MAX_LINES} lines.", param="lines")
    found = []
    for line in lines:  # type: ignore[union-attr]
        require(isinstance(line, dict), "Each line is an object.", param="lines")
        product_id = line.get("product_id")
        categories = line.get("category_ids") or []
        quantity, unit_amount = line.get("quantity"), line.get("unit_amount")
        require(isinstance(product_id, str) and 0 < len(product_id) <= 200,
                "Each line needs a product_id.", param="lines")
        require(isinstance(categories, list) and len(categories) <= MAX_CATEGORIES_PER_LINE
                and all(isinstance(c, str) and 0 < len(c) <= 200 for c in categories),
                "category_ids is a list of ids.", param="lines")
        require(isinstance(quantity, int) and not isinstance(quantity, bool)
                and 1 <= quantity <= MAX_QUANTITY,
                f"quantity is an integer from 1 to {MAX_QUANTITY}.", param="lines")
        require(isinstance(unit_amount, int) and not isinstance(unit_amount, bool)
                and 0 <= unit_amount <= MAX_AMOUNT_MINOR
                and quantity * unit_amount <= MAX_AMOUNT_MINOR,
                "unit_amount is an integer amount in minor units.", param="lines")
        found.append(Line(product_id, tuple(categories), quantity, unit_amount))
    return tuple(found)
