"""`api.checkouts`, `api.offers`, `api.orders`, `api.settings`, `api.stats`: the
commerce resources, one definition of each call for the sync and the async client."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from billfold.client.calls import Call, Namespace, body, query, segment
from billfold.contract import (
    CashbackOffer,
    Checkout,
    Order,
    Page,
    Refund,
    RefundPage,
    Settings,
    Stats,
)
from billfold.contract.namespaces import Duration, Percent


class Checkouts(Namespace):
    """`api.checkouts`: what the wallets pay of an order, held until complete or
    cancel."""

    def create(self, customer_id: str, order_id: str, amount: int, *, currency: str,
               programs: list[str] | None = None, expires_in: Duration | None = None,
               idempotency_key: str | None = None) -> Checkout:
        """Hold what each program pays of `amount` (caps, points, draw order); the rest
        is `remaining_amount`, for the card."""
        sent = body(customer_id=customer_id, order_id=order_id, currency=currency,
                    amount=amount, programs=programs, expires_in=expires_in)
        return self._send(Call("POST", "/v1/checkouts", Checkout.model_validate_json, sent,
                               idempotency_key=idempotency_key))

    def get(self, checkout_id: str) -> Checkout:
        return self._get(f"/v1/checkouts/{segment(checkout_id)}", Checkout.model_validate_json)

    def complete(self, checkout_id: str, *, idempotency_key: str | None = None) -> Checkout:
        """Capture every hold."""
        return self._act(f"/v1/checkouts/{segment(checkout_id)}/complete",
                         Checkout.model_validate_json, idempotency_key)

    def cancel(self, checkout_id: str, *, idempotency_key: str | None = None) -> Checkout:
        """Release every hold."""
        return self._act(f"/v1/checkouts/{segment(checkout_id)}/cancel",
                         Checkout.model_validate_json, idempotency_key)


class Offers(Namespace):
    """`api.offers`: cashback offers."""

    def create(self, name: str, *, program: str = "main", percent: Percent | None = None,
               amount: int | None = None, product_ids: list[str] | None = None,
               category_ids: list[str] | None = None, min_order_amount: int | None = None,
               max_amount: int | None = None, first_order_only: bool | None = None,
               starts_at: datetime | None = None, ends_at: datetime | None = None,
               credit_expires_in: Duration | None = None,
               idempotency_key: str | None = None) -> CashbackOffer:
        """A cashback offer: `percent` (15, or "12.5") or a fixed `amount`."""
        sent = body(name=name, program=program, percent=percent, amount=amount,
                    product_ids=product_ids, category_ids=category_ids,
                    min_order_amount=min_order_amount, max_amount=max_amount,
                    first_order_only=first_order_only, starts_at=starts_at, ends_at=ends_at,
                    credit_expires_in=credit_expires_in)
        return self._send(Call("POST", "/v1/cashback_offers", CashbackOffer.model_validate_json,
                               sent, idempotency_key=idempotency_key))

    def get(self, offer_id: str) -> CashbackOffer:
        return self._get(f"/v1/cashback_offers/{segment(offer_id)}",
                         CashbackOffer.model_validate_json)

    def close(self, offer_id: str, *, idempotency_key: str | None = None) -> CashbackOffer:
        """No new order earns it; orders not yet fulfilled lose it."""
        return self._act(f"/v1/cashback_offers/{segment(offer_id)}/close",
                         CashbackOffer.model_validate_json, idempotency_key)


class Orders(Namespace):
    """`api.orders`: orders, their statuses (which grant or void cashback) and refunds."""

    def create(self, order_id: str, customer_id: str, amount: int, *, currency: str,
               lines: list[dict[str, Any]], checkout_id: str | None = None,
               idempotency_key: str | None = None) -> Order:
        """Record an order (paid by its checkout's holds, if any); promises cashback."""
        sent = body(id=order_id, customer_id=customer_id, currency=currency, amount=amount,
                    lines=lines, checkout_id=checkout_id)
        return self._send(Call("POST", "/v1/orders", Order.model_validate_json, sent,
                               idempotency_key=idempotency_key))

    def get(self, order_id: str) -> Order:
        return self._get(f"/v1/orders/{segment(order_id)}", Order.model_validate_json)

    def set_status(self, order_id: str, status: str, *,
                   idempotency_key: str | None = None) -> Order:
        """paid, shipped, delivered, completed (forward only) or cancelled."""
        return self._send(Call("POST", f"/v1/orders/{segment(order_id)}/status",
                               Order.model_validate_json, {"status": status},
                               idempotency_key=idempotency_key))

    def refund(self, order_id: str, amount: int, *, to: str = "wallet",
               idempotency_key: str | None = None) -> Refund:
        return self._send(Call("POST", f"/v1/orders/{segment(order_id)}/refunds",
                               Refund.model_validate_json, {"amount": amount, "to": to},
                               idempotency_key=idempotency_key))

    def list_refunds(self, order_id: str) -> Page[Refund]:
        return self._get(f"/v1/orders/{segment(order_id)}/refunds", RefundPage.model_validate_json)


class StoreSettings(Namespace):
    """`api.settings`."""

    def get(self) -> Settings:
        return self._get("/v1/settings", Settings.model_validate_json)

    def update(self, changes: dict[str, Any], *,
               idempotency_key: str | None = None) -> Settings:
        """Merge: keys left out keep their value; `programs` merges by name."""
        return self._send(Call("PATCH", "/v1/settings", Settings.model_validate_json, changes,
                               idempotency_key=idempotency_key))


class Statistics(Namespace):
    """`api.stats`."""

    def get(self, *, start: datetime | None = None, end: datetime | None = None) -> Stats:
        """Liability now, and the flows from `start` to `end` (default: 30 days)."""
        return self._send(Call("GET", "/v1/stats", Stats.model_validate_json,
                               params=query(**{"from": start, "to": end})))
