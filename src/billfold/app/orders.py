"""`shop.orders`: orders pushed by the shop, their status, and refunds to the wallet."""

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
from billfold.commerce.order_records import Order
from billfold.commerce.refunds import Refund


@dataclass(frozen=True, slots=True)
class PlaceOrder(Mutation[Order]):
    operation = "place_order"
    result_type = Order
    order_id: str
    customer_id: str
    amount: int
    currency: str
    lines: list[dict[str, Any]]
    checkout_id: str | None = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> Order:
        return orders.place_order(conn, store_id=store_id, order_id=self.order_id,
                                  customer_id=self.customer_id, currency=self.currency,
                                  amount=self.amount, lines=self.lines, now=now,
                                  checkout_id=self.checkout_id)


@dataclass(frozen=True, slots=True)
class SetOrderStatus(Mutation[Order]):
    operation = "set_order_status"
    result_type = Order
    order_id: str
    status: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Order:
        return orders.set_order_status(conn, store_id=store_id, order_id=self.order_id,
                                       status=self.status, now=now)


@dataclass(frozen=True, slots=True)
class RefundOrder(Mutation[Refund]):
    operation = "refund_order"
    result_type = Refund
    order_id: str
    amount: int
    to: str = "wallet"

    def run(self, conn: Connection, store_id: str, now: datetime) -> Refund:
        return refunds.refund_order(conn, store_id=store_id, order_id=self.order_id,
                                    amount=self.amount, now=now, to=self.to)


class Orders(Namespace):
    def create(self, order_id: str, customer_id: str, amount: int, *, currency: str,
               lines: list[dict[str, Any]], checkout_id: str | None = None,
               idempotency_key: str | None = None) -> contract.Order:
        """Record the order, take its wallet payment from the checkout, promise cashback."""
        return render.order(self._mutate(PlaceOrder(
            order_id, customer_id, amount, currency, lines, checkout_id), idempotency_key))

    def get(self, order_id: str) -> contract.Order:
        return render.order(self._snapshot(lambda c: order_records.get_order(
            c, self.store_id, order_id)))

    def set_status(self, order_id: str, status: str, *,
                   idempotency_key: str | None = None) -> contract.Order:
        return render.order(self._mutate(SetOrderStatus(order_id, status), idempotency_key))

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
