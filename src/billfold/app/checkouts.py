"""`shop.checkouts`: what the wallets pay of an order, held until complete or cancel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.commerce import checkout
from billfold.commerce.checkout import Checkout
from billfold.durations import parse_duration_seconds
from billfold.ledger import holds
from billfold.ledger.models import Hold


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
               idempotency_key: str | None = None) -> contract.Checkout:
        """Hold what each program pays (caps, points, draw order); the rest is for the
        card. Never refused for want of balance."""
        return self._with_holds(self._mutate(CreateCheckout(
            customer_id, order_id, amount, currency, programs, expires_in), idempotency_key))

    def get(self, checkout_id: str) -> contract.Checkout:
        def read(conn: Connection) -> tuple[Checkout, list[Hold]]:
            found = checkout.get_checkout(conn, self.store_id, checkout_id, self.now)
            return found, self._holds_of(conn, found)

        return render.checkout(*self._snapshot(read))

    def complete(self, checkout_id: str, *,
                 idempotency_key: str | None = None) -> contract.Checkout:
        """Capture every hold (409 if the checkout is not open)."""
        return self._with_holds(self._mutate(CompleteCheckout(checkout_id), idempotency_key))

    def cancel(self, checkout_id: str, *,
               idempotency_key: str | None = None) -> contract.Checkout:
        """Release every hold."""
        return self._with_holds(self._mutate(CancelCheckout(checkout_id), idempotency_key))

    def _with_holds(self, value: Checkout) -> contract.Checkout:
        """The checkout with its holds as they are now (one per program that pays; each
        read on its own, as `shop.holds.get` reads one)."""
        held = self._read(lambda c: self._holds_of(c, value)) if value.parts else []
        return render.checkout(value, held)

    def _holds_of(self, conn: Connection, value: Checkout) -> list[Hold]:
        return [holds.get_hold(conn, self.store_id, part.hold_id) for part in value.parts]
