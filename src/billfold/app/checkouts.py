"""`shop.checkouts`: what the wallets pay of an order, held until complete or cancel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.commerce import checkout
from billfold.commerce.checkout import Checkout
from billfold.durations import parse_duration_seconds


@dataclass(frozen=True, slots=True)
class CreateCheckout(Mutation[Checkout]):
    operation = "create_checkout"
    result_type = Checkout
    customer_id: str
    order_id: str
    amount: int
    currency: str
    programs: list[str] | None = None
    expires_in: object = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> Checkout:
        seconds = None if self.expires_in is None else parse_duration_seconds(self.expires_in)
        return checkout.create_checkout(
            conn, store_id=store_id, customer_id=self.customer_id, order_id=self.order_id,
            currency=self.currency, amount=self.amount, now=now, programs=self.programs,
            expires_seconds=seconds)


@dataclass(frozen=True, slots=True)
class CompleteCheckout(Mutation[Checkout]):
    operation = "complete_checkout"
    result_type = Checkout
    checkout_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Checkout:
        return checkout.complete_checkout(conn, store_id=store_id,
                                          checkout_id=self.checkout_id, now=now)


@dataclass(frozen=True, slots=True)
class CancelCheckout(Mutation[Checkout]):
    operation = "cancel_checkout"
    result_type = Checkout
    checkout_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Checkout:
        return checkout.cancel_checkout(conn, store_id=store_id, checkout_id=self.checkout_id,
                                        now=now)


class Checkouts(Namespace):
    def create(self, customer_id: str, order_id: str, amount: int, *, currency: str,
               programs: list[str] | None = None, expires_in: object = None,
               idempotency_key: str | None = None) -> Checkout:
        """Hold what each program pays (caps, points, draw order); the rest is for the
        card. Never refused for want of balance."""
        return self._mutate(CreateCheckout(customer_id, order_id, amount, currency, programs,
                                           expires_in), idempotency_key)

    def get(self, checkout_id: str) -> Checkout:
        return self._snapshot(lambda c: checkout.get_checkout(c, self.store_id, checkout_id,
                                                              self.now))

    def complete(self, checkout_id: str, *, idempotency_key: str | None = None) -> Checkout:
        """Capture every hold (409 if the checkout is not open)."""
        return self._mutate(CompleteCheckout(checkout_id), idempotency_key)

    def cancel(self, checkout_id: str, *, idempotency_key: str | None = None) -> Checkout:
        """Release every hold."""
        return self._mutate(CancelCheckout(checkout_id), idempotency_key)
