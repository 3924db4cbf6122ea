"""`shop.orders`: orders pushed by the shop, their status, and refunds to the wallet.

Each mutation runs the commerce use case and then, in the same transaction, the
loyalty one (purchase points: promised on placing, granted on fulfilment, voided
on cancellation, taken back in proportion on refunds; referral rewards on the
referee's first completed order)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.commerce import order_records, orders, refunds
from billfold.commerce.order_records import FULFILLED_STATUSES, Order
from billfold.commerce.refunds import Refund
from billfold.loyalty import orders as loyalty_orders
from billfold.loyalty import referrals
from billfold.loyalty.orders import OrderPoints


@dataclass(frozen=True, slots=True)
class OrderView:
    """An order with its purchase points."""

    order: Order
    points: OrderPoints


def read_order(conn: Connection, store_id: str, order_id: str) -> OrderView:
    return OrderView(order_records.get_order(conn, store_id, order_id),
                     loyalty_orders.order_points(conn, store_id, order_id))


@dataclass(frozen=True, slots=True)
class PlaceOrder(Mutation[OrderView]):
    operation = "place_order"
    result_type = OrderView
    order_id: str
    customer_id: str
    amount: int
    currency: str
    lines: list[dict[str, Any]]
    checkout_id: str | None = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> OrderView:
        order = orders.place_order(conn, store_id=store_id, order_id=self.order_id,
                                   customer_id=self.customer_id, currency=self.currency,
                                   amount=self.amount, lines=self.lines, now=now,
                                   checkout_id=self.checkout_id)
        points = loyalty_orders.promise_order_points(
            conn, store_id=store_id, order_id=order.id, customer_id=order.customer_id,
            earning_amount=order.amount - order.wallet_amount,
            is_first_order=order.is_first_order, now=now)
        return OrderView(order, points)


@dataclass(frozen=True, slots=True)
class SetOrderStatus(Mutation[OrderView]):
    operation = "set_order_status"
    result_type = OrderView
    order_id: str
    status: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> OrderView:
        order = orders.set_order_status(conn, store_id=store_id, order_id=self.order_id,
                                        status=self.status, now=now)
        if order.status == "cancelled":
            loyalty_orders.void_order_points(conn, store_id=store_id, order_id=order.id,
                                             now=now)
        elif order.status in FULFILLED_STATUSES:
            loyalty_orders.fulfil_order_points(conn, store_id=store_id, order_id=order.id,
                                               now=now)
        if order.status == "completed" and order.is_first_order:
            referrals.reward_referral(conn, store_id=store_id, referee_id=order.customer_id,
                                      order_id=order.id,
                                      amount=order.amount - order.wallet_amount, now=now)
        return read_order(conn, store_id, order.id)


@dataclass(frozen=True, slots=True)
class RefundOrder(Mutation[Refund]):
    operation = "refund_order"
    result_type = Refund
    order_id: str
    amount: int
    to: str = "wallet"

    def run(self, conn: Connection, store_id: str, now: datetime) -> Refund:
        refund = refunds.refund_order(conn, store_id=store_id, order_id=self.order_id,
                                      amount=self.amount, now=now, to=self.to)
        order = order_records.get_order(conn, store_id, self.order_id)
        loyalty_orders.adjust_points_for_refund(
            conn, store_id=store_id, order_id=order.id, order_amount=order.amount,
            refunded_total=order.refunded_amount, now=now)
        return refund


class Orders(Namespace):
    def create(self, order_id: str, customer_id: str, amount: int, *, currency: str,
               lines: list[dict[str, Any]], checkout_id: str | None = None,
               idempotency_key: str | None = None) -> contract.Order:
        """Record the order, take its wallet payment from the checkout, promise cashback."""
        view = self._mutate(PlaceOrder(order_id, customer_id, amount, currency, lines,
                                       checkout_id), idempotency_key)
        return render.order(view.order, view.points)

    def get(self, order_id: str) -> contract.Order:
        view = self._snapshot(lambda c: read_order(c, self.store_id, order_id))
        return render.order(view.order, view.points)

    def set_status(self, order_id: str, status: str, *,
                   idempotency_key: str | None = None) -> contract.Order:
        view = self._mutate(SetOrderStatus(order_id, status), idempotency_key)
        return render.order(view.order, view.points)

    def refund(self, order_id: str, amount: int, *, to: str = "wallet",
               idempotency_key: str | None = None) -> contract.Refund:
        """Refund `amount` of a paid order to the wallet, at once."""
        return render.refund(self._mutate(RefundOrder(order_id, amount, to), idempotency_key))

    def list_refunds(self, order_id: str) -> contract.Page[contract.Refund]:
        """Every refund of the order, as one page (NotFound for an unknown order)."""
        def read(conn: Connection) -> tuple[Refund, ...]:
            order_records.get_order(conn, self.store_id, order_id)
            return refunds.list_refunds(conn, self.store_id, order_id)

        return render.whole_list(contract.Refund, self._snapshot(read), render.refund)
