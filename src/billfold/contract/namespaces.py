"""One Protocol per resource namespace: the interface the embedded library
(`shop.wallets`, `shop.holds`, …) and the SDK (`api.wallets`, …) both implement, so a
shop can move from one to the other by changing the line that makes the handle.

Amounts are int minor units; `expires_in` is a duration ("30m", "90d", or seconds);
every mutation takes an `idempotency_key`. The async SDK offers the same methods,
awaited (and `iter_transactions` as an async iterator).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol

from billfold.contract.commerce import CashbackOffer, Checkout, Order, Refund
from billfold.contract.common import Page
from billfold.contract.events import (
    Event,
    NewWebhookEndpoint,
    PortalSession,
    WebhookDelivery,
    WebhookEndpoint,
)
from billfold.contract.funding import AutoTopup, NewWalletCodeBatch, Topup, WalletCodeBatch
from billfold.contract.loyalty import EarningRule, LoyaltyEvent, Referral
from billfold.contract.settings import Settings, Stats
from billfold.contract.wallets import Customer, Hold, Lot, Transaction, Wallet
from billfold.contract.withdrawals import Withdrawal

Duration = int | str
Percent = int | float | str


class CustomersAPI(Protocol):
    def create(self, customer_id: str, *, email: str | None = None, name: str | None = None,
               metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> Customer: ...

    def get(self, customer_id: str) -> Customer: ...


class WalletsAPI(Protocol):
    def get(self, customer_id: str, program: str = "main") -> Wallet: ...

    def credit(self, customer_id: str, program: str, amount: int, *, funding_type: str,
               expires_in: Duration | None = None, expires_at: datetime | None = None,
               withdrawable: bool | None = None, description: str | None = None,
               reference: str | None = None, metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> Transaction: ...

    def debit(self, customer_id: str, program: str, amount: int, *,
              description: str | None = None, reference: str | None = None,
              metadata: dict[str, Any] | None = None,
              idempotency_key: str | None = None) -> Transaction: ...

    def list_transactions(self, customer_id: str, program: str = "main", *,
                          limit: int | None = None,
                          starting_after: str | None = None) -> Page[Transaction]: ...

    def iter_transactions(self, customer_id: str, program: str = "main", *,
                          page_size: int = 100) -> Iterator[Transaction]: ...

    def list_lots(self, customer_id: str, program: str = "main", *,
                  status: str | None = None, limit: int | None = None,
                  starting_after: str | None = None) -> Page[Lot]: ...


class TransactionsAPI(Protocol):
    def get(self, transaction_id: str) -> Transaction: ...

    def reverse(self, transaction_id: str, *, description: str, amount: int | None = None,
                metadata: dict[str, Any] | None = None,
                idempotency_key: str | None = None) -> Transaction: ...


class HoldsAPI(Protocol):
    def create(self, customer_id: str, program: str, amount: int, *,
               expires_in: Duration | None = None, expires_at: datetime | None = None,
               reference: str | None = None, metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> Hold: ...

    def get(self, hold_id: str) -> Hold: ...

    def capture(self, hold_id: str, *, amount: int | None = None,
                description: str | None = None,
                idempotency_key: str | None = None) -> Hold: ...

    def release(self, hold_id: str, *, idempotency_key: str | None = None) -> Hold: ...


class TransfersAPI(Protocol):
    def create(self, from_customer_id: str, to_customer_id: str, program: str, amount: int,
               *, description: str | None = None, reference: str | None = None,
               metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> Transaction: ...


class WithdrawalsAPI(Protocol):
    def create(self, customer_id: str, program: str, amount: int, *,
               idempotency_key: str | None = None) -> Withdrawal: ...

    def get(self, withdrawal_id: str) -> Withdrawal: ...

    def list(self, *, customer_id: str | None = None, status: str | None = None,
             limit: int | None = None, starting_after: str | None = None) -> Page[Withdrawal]: ...

    def approve(self, withdrawal_id: str, *,
                idempotency_key: str | None = None) -> Withdrawal: ...

    def reject(self, withdrawal_id: str, *,
               idempotency_key: str | None = None) -> Withdrawal: ...


class CodesAPI(Protocol):
    def create(self, amount: int, program: str, *, count: int | None = None,
               funding_type: str | None = None, max_redemptions: int | None = None,
               expires_at: datetime | None = None, credit_expires_in: Duration | None = None,
               withdrawable: bool | None = None,
               idempotency_key: str | None = None) -> NewWalletCodeBatch: ...

    def get(self, batch_id: str) -> WalletCodeBatch: ...

    def disable(self, batch_id: str, *,
                idempotency_key: str | None = None) -> WalletCodeBatch: ...

    def redeem(self, code: str, customer_id: str, *,
               idempotency_key: str | None = None) -> Transaction: ...


class TopupsAPI(Protocol):
    def create(self, customer_id: str, program: str, amount: int, *,
               idempotency_key: str | None = None) -> Topup: ...

    def get(self, topup_id: str) -> Topup: ...

    def list(self, customer_id: str, program: str = "main", *, status: str | None = None,
             limit: int | None = None, starting_after: str | None = None) -> Page[Topup]: ...

    def confirm(self, topup_id: str, payment_reference: str, *,
                idempotency_key: str | None = None) -> Topup: ...

    def cancel(self, topup_id: str, *, idempotency_key: str | None = None) -> Topup: ...

    def set_auto(self, customer_id: str, program: str, threshold: int, amount: int, *,
                 idempotency_key: str | None = None) -> AutoTopup: ...

    def get_auto(self, customer_id: str, program: str = "main") -> AutoTopup: ...

    def delete_auto(self, customer_id: str, program: str = "main", *,
                    idempotency_key: str | None = None) -> AutoTopup: ...


class EventsAPI(Protocol):
    def list(self, *, type: str | None = None, customer_id: str | None = None,
             limit: int | None = None, starting_after: str | None = None) -> Page[Event]: ...

    def get(self, event_id: str) -> Event: ...


class WebhooksAPI(Protocol):
    def create(self, url: str, *, events: list[str] | None = None,
               idempotency_key: str | None = None) -> NewWebhookEndpoint: ...

    def get(self, endpoint_id: str) -> WebhookEndpoint: ...

    def list(self) -> Page[WebhookEndpoint]: ...

    def update(self, endpoint_id: str, *, url: str | None = None,
               events: list[str] | None = None, status: str | None = None,
               every_event: bool = False,
               idempotency_key: str | None = None) -> WebhookEndpoint: ...

    def rotate_secret(self, endpoint_id: str, *,
                      idempotency_key: str | None = None) -> NewWebhookEndpoint: ...

    def list_deliveries(self, endpoint_id: str, *, limit: int | None = None,
                        starting_after: str | None = None) -> Page[WebhookDelivery]: ...

    def replay(self, endpoint_id: str, delivery_id: str, *,
               idempotency_key: str | None = None) -> WebhookDelivery: ...


class PortalSessionsAPI(Protocol):
    def create(self, customer_id: str, *, locale: str | None = None,
               return_url: str | None = None,
               idempotency_key: str | None = None) -> PortalSession: ...


class CheckoutsAPI(Protocol):
    def create(self, customer_id: str, order_id: str, amount: int, *, currency: str,
               programs: list[str] | None = None, expires_in: Duration | None = None,
               idempotency_key: str | None = None) -> Checkout: ...

    def get(self, checkout_id: str) -> Checkout: ...

    def complete(self, checkout_id: str, *,
                 idempotency_key: str | None = None) -> Checkout: ...

    def cancel(self, checkout_id: str, *, idempotency_key: str | None = None) -> Checkout: ...


class OffersAPI(Protocol):
    def create(self, name: str, *, program: str = "main", percent: Percent | None = None,
               amount: int | None = None, product_ids: list[str] | None = None,
               category_ids: list[str] | None = None, min_order_amount: int | None = None,
               max_amount: int | None = None, first_order_only: bool | None = None,
               starts_at: datetime | None = None, ends_at: datetime | None = None,
               credit_expires_in: Duration | None = None,
               idempotency_key: str | None = None) -> CashbackOffer: ...

    def get(self, offer_id: str) -> CashbackOffer: ...

    def close(self, offer_id: str, *, idempotency_key: str | None = None) -> CashbackOffer: ...


class OrdersAPI(Protocol):
    def create(self, order_id: str, customer_id: str, amount: int, *, currency: str,
               lines: list[dict[str, Any]], checkout_id: str | None = None,
               idempotency_key: str | None = None) -> Order: ...

    def get(self, order_id: str) -> Order: ...

    def set_status(self, order_id: str, status: str, *,
                   idempotency_key: str | None = None) -> Order: ...

    def refund(self, order_id: str, amount: int, *, to: str = "wallet",
               idempotency_key: str | None = None) -> Refund: ...

    def list_refunds(self, order_id: str) -> Page[Refund]: ...


class SettingsAPI(Protocol):
    def get(self) -> Settings: ...

    def update(self, changes: dict[str, Any], *,
               idempotency_key: str | None = None) -> Settings: ...


class StatsAPI(Protocol):
    def get(self, *, start: datetime | None = None, end: datetime | None = None) -> Stats: ...


class LoyaltyAPI(Protocol):
    """Earning rules, reported events and referrals (flat: `shop.loyalty.create_rule`)."""

    def create_rule(self, name: str, *, program: str, event: str, kind: str,
                    points: int | None = None, percent: Percent | None = None,
                    per_amount: int | None = None,
                    outcomes: list[dict[str, int]] | None = None,
                    multiplier: Percent | None = None, starts_at: datetime | None = None,
                    ends_at: datetime | None = None, max_per_customer: int | None = None,
                    period: str | None = None, expires_in: Duration | None = None,
                    idempotency_key: str | None = None) -> EarningRule: ...

    def get_rule(self, rule_id: str) -> EarningRule: ...

    def list_rules(self, *, status: str | None = None, limit: int | None = None,
                   starting_after: str | None = None) -> Page[EarningRule]: ...

    def close_rule(self, rule_id: str, *,
                   idempotency_key: str | None = None) -> EarningRule: ...

    def create_event(self, type: str, customer_id: str, *, id: str | None = None,
                     properties: dict[str, Any] | None = None,
                     idempotency_key: str | None = None) -> LoyaltyEvent: ...

    def create_referral(self, referrer_id: str, referee_id: str, *,
                        idempotency_key: str | None = None) -> Referral: ...


class ShopAPI(Protocol):
    """A store's handle: the library's `Billfold(...).store(id)` or the SDK's `Client`."""

    @property
    def customers(self) -> CustomersAPI: ...
    @property
    def wallets(self) -> WalletsAPI: ...
    @property
    def transactions(self) -> TransactionsAPI: ...
    @property
    def holds(self) -> HoldsAPI: ...
    @property
    def checkouts(self) -> CheckoutsAPI: ...
    @property
    def offers(self) -> OffersAPI: ...
    @property
    def orders(self) -> OrdersAPI: ...
    @property
    def settings(self) -> SettingsAPI: ...
    @property
    def stats(self) -> StatsAPI: ...
    @property
    def loyalty(self) -> LoyaltyAPI: ...
    @property
    def transfers(self) -> TransfersAPI: ...
    @property
    def withdrawals(self) -> WithdrawalsAPI: ...
    @property
    def codes(self) -> CodesAPI: ...
    @property
    def topups(self) -> TopupsAPI: ...
    @property
    def events(self) -> EventsAPI: ...
    @property
    def webhooks(self) -> WebhooksAPI: ...
    @property
    def portal_sessions(self) -> PortalSessionsAPI: ...


NAMESPACES: dict[str, type] = {
    "customers": CustomersAPI, "wallets": WalletsAPI, "transactions": TransactionsAPI,
    "holds": HoldsAPI, "checkouts": CheckoutsAPI, "offers": OffersAPI, "orders": OrdersAPI,
    "settings": SettingsAPI, "stats": StatsAPI,
    "loyalty": LoyaltyAPI,
    "transfers": TransfersAPI, "withdrawals": WithdrawalsAPI,
    "codes": CodesAPI, "topups": TopupsAPI, "events": EventsAPI, "webhooks": WebhooksAPI,
    "portal_sessions": PortalSessionsAPI,
}
