"""Request bodies and renderings for the commerce endpoints: settings, checkouts,
cashback offers, orders, refunds, statistics (API.md). Percentages are accepted
as a JSON number or a decimal string with at most two decimals and rendered as
decimal strings ("12.50") beside integer basis points — never as floats."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from billfold.api.schemas import (
    CUSTOMER_ID_PATTERN,
    OBJECT_ID_PATTERN,
    Amount,
    CustomerId,
    Duration,
    Moment,
    Program,
    Strict,
    hold_out,
    rfc3339,
)
from billfold.commerce.checkout import Checkout
from billfold.commerce.offers import Offer
from billfold.commerce.order_records import Order
from billfold.commerce.refunds import Refund
from billfold.commerce.settings import StoreSettings
from billfold.commerce.stats import Flows, Stats
from billfold.ledger.models import Hold

ORDER_ID_PATTERN = CUSTOMER_ID_PATTERN
OrderId = Annotated[StrictStr, Field(pattern=ORDER_ID_PATTERN, examples=["order-1001"])]
ItemId = Annotated[StrictStr, Field(min_length=1, max_length=200)]
Percent = Annotated[StrictInt | StrictFloat | StrictStr, Field(
    description="A percentage: 15 = 15 %, at most two decimals.", examples=[15])]
Count = Annotated[StrictInt, Field(ge=0, le=10**15)]


class ProgramPatch(Strict):
    unit: StrictStr | None = None
    max_per_order_amount: Amount | None = None
    max_per_order_percent: Percent | None = None
    points_per_unit: Annotated[StrictInt, Field(ge=1, le=10**9)] | None = None
    expires_in: Duration | None = None


class SettingsPatch(Strict):
    wallet_enabled: StrictBool | None = None
    currency: StrictStr | None = None
    cashback_expires_in: Duration | None = None
    auto_apply: StrictBool | None = None
    allow_topup: StrictBool | None = None
    topup_amounts: Annotated[list[Amount], Field(max_length=20)] | None = None
    low_balance_threshold: Count | None = None
    withdrawals_enabled: StrictBool | None = None
    clawback_shortfall: Literal["record", "deduct_from_refund"] | None = Field(
        None, description="Cashback that cannot be taken back on a refund (already spent): "
                          "only recorded (default), or deducted from the refund.")
    programs: Annotated[dict[Program, ProgramPatch], Field(max_length=20)] | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"wallet_enabled": True, "programs": {"rewards": {
            "unit": "SAR", "max_per_order_amount": 2000}}}]})

    def changes(self) -> dict[str, Any]:
        """What the caller sent (a null kept as a clearing null)."""
        sent = self.model_dump(exclude_unset=True)
        if self.programs is not None:
            sent["programs"] = {name: patch.model_dump(exclude_unset=True)
                                for name, patch in self.programs.items()}
        return sent


class CheckoutCreate(Strict):
    customer_id: CustomerId
    order_id: OrderId
    currency: StrictStr
    amount: Amount
    programs: Annotated[list[Program], Field(max_length=20)] | None = None
    expires_in: Duration | None = Field(None, description="Hold timeout, default 30m.")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"customer_id": "cus-42", "order_id": "order-1001", "currency": "SAR",
         "amount": 30000}]})


class OfferCreate(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    percent: Percent | None = None
    amount: Amount | None = None
    program: Program = "main"
    product_ids: Annotated[list[ItemId], Field(max_length=500)] | None = None
    category_ids: Annotated[list[ItemId], Field(max_length=500)] | None = None
    min_order_amount: Amount | None = None
    max_amount: Amount | None = None
    first_order_only: StrictBool = False
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    credit_expires_in: Duration | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "15% on the first order", "percent": 15, "program": "main",
         "first_order_only": True, "credit_expires_in": "90d"}]})


class LineIn(Strict):
    product_id: ItemId
    category_ids: Annotated[list[ItemId], Field(max_length=50)] | None = None
    quantity: Annotated[StrictInt, Field(ge=1, le=1_000_000)]
    unit_amount: Annotated[StrictInt, Field(ge=0, le=10**15)]


class OrderCreate(Strict):
    id: OrderId
    customer_id: CustomerId
    currency: StrictStr
    amount: Amount
    lines: Annotated[list[LineIn], Field(max_length=500)]
    checkout_id: Annotated[StrictStr, Field(pattern=OBJECT_ID_PATTERN)] | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id": "order-1001", "customer_id": "cus-42", "currency": "SAR", "amount": 30000,
         "lines": [{"product_id": "sku-1", "category_ids": ["shoes"], "quantity": 1,
                    "unit_amount": 30000}]}]})


class StatusChange(Strict):
    status: Literal["paid", "shipped", "delivered", "completed", "cancelled"]


class RefundCreate(Strict):
    amount: Amount
    to: Literal["wallet"] = "wallet"


# -- rendering ------------------------------------------------------------------------


def settings_out(settings: StoreSettings) -> dict[str, Any]:
    return {
        "wallet_enabled": settings.wallet_enabled, "currency": settings.currency,
        "cashback_expires_in": settings.cashback_expires_in,
        "auto_apply": settings.auto_apply, "allow_topup": settings.allow_topup,
        "topup_amounts": list(settings.topup_amounts),
        "low_balance_threshold": settings.low_balance_threshold,
        "withdrawals_enabled": settings.withdrawals_enabled,
        "clawback_shortfall": settings.clawback_shortfall,
        "programs": {p.name: {
            "unit": p.unit, "kind": p.kind, "max_per_order_amount": p.max_per_order_amount,
            "max_per_order_percent": p.max_per_order_percent,
            "points_per_unit": p.points_per_unit, "expires_in": p.expires_in,
        } for p in settings.programs},
    }


def checkout_out(checkout: Checkout, holds: list[Hold]) -> dict[str, Any]:
    return {
        "id": checkout.id, "status": checkout.status, "customer_id": checkout.customer_id,
        "order_id": checkout.order_id, "currency": checkout.currency,
        "amount": checkout.amount, "wallet_amount": checkout.wallet_amount,
        "remaining_amount": checkout.remaining_amount,
        "holds": [hold_out(h) for h in holds],
        "breakdown": [{"program": p.program, "amount": p.amount,
                       **({"points": p.points} if p.points is not None else {})}
                      for p in checkout.parts],
        "expires_at": rfc3339(checkout.expires_at), "created_at": rfc3339(checkout.created_at),
        "settled_at": rfc3339(checkout.settled_at),
    }


def offer_out(offer: Offer) -> dict[str, Any]:
    return {
        "id": offer.id, "status": offer.status, "name": offer.name, "percent": offer.percent,
        "percent_basis_points": offer.percent_basis_points, "amount": offer.fixed_amount,
        "program": offer.program, "product_ids": list(offer.product_ids),
        "category_ids": list(offer.category_ids), "min_order_amount": offer.min_order_amount,
        "max_amount": offer.max_amount, "first_order_only": offer.is_first_order_only,
        "starts_at": rfc3339(offer.starts_at), "ends_at": rfc3339(offer.ends_at),
        "credit_expires_in": offer.credit_expires_seconds,
        "created_at": rfc3339(offer.created_at), "closed_at": rfc3339(offer.closed_at),
    }


def order_out(order: Order) -> dict[str, Any]:
    summary = order.cashback
    return {
        "id": order.id, "status": order.status, "customer_id": order.customer_id,
        "currency": order.currency, "amount": order.amount,
        "lines": [{"product_id": line.product_id, "category_ids": list(line.category_ids),
                   "quantity": line.quantity, "unit_amount": line.unit_amount}
                  for line in order.lines],
        "checkout_id": order.checkout_id, "wallet_amount": order.wallet_amount,
        "card_amount": order.card_amount, "paid_amount": order.paid_amount,
        "refunded_amount": order.refunded_amount,
        "refundable_amount": order.refundable_amount, "first_order": order.is_first_order,
        "payments": [{"program": p.program, "unit": p.unit, "amount": p.amount,
                      "points": p.points, "transaction_id": p.transaction_id,
                      "refunded_amount": p.refunded_amount} for p in order.payments],
        "cashback": {"pending": summary.pending, "granted": summary.granted,
                     "voided": summary.voided, "clawed_back": summary.clawed_back,
                     "shortfall": summary.shortfall, "deducted": summary.deducted},
        "cashback_offers": [{"offer_id": c.offer_id, "program": c.program, "status": c.status,
                             "promised": c.promised_amount, "pending": c.pending,
                             "granted": c.granted, "voided": c.voided,
                             "clawed_back": c.clawed_back, "shortfall": c.shortfall,
                             "deducted": c.deducted} for c in order.cashbacks],
        "created_at": rfc3339(order.created_at), "updated_at": rfc3339(order.updated_at),
    }


def refund_out(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.id, "status": "succeeded", "order_id": refund.order_id,
        "customer_id": refund.customer_id, "to": "wallet", "amount": refund.amount,
        "wallet_amount": refund.wallet_amount, "card_amount": refund.card_amount,
        "credited_amount": refund.credited_amount, "clawed_back": refund.clawed_back,
        "deducted": refund.deducted, "reason": refund.reason,
        "transaction_ids": list(refund.transaction_ids),
        "created_at": rfc3339(refund.created_at),
    }


def _flows_out(flows: Flows) -> dict[str, int]:
    return {"issued": flows.issued, "spent": flows.spent, "expired": flows.expired,
            "voided": flows.voided, "cashback_granted": flows.cashback_granted}


def stats_out(stats: Stats) -> dict[str, Any]:
    cashback = stats.cashback
    return {
        "currency": stats.currency, "from": rfc3339(stats.start), "to": rfc3339(stats.end),
        "outstanding": {p.program: p.outstanding for p in stats.programs},
        "outstanding_by_funding_type": {p.program: dict(p.outstanding_by_funding_type)
                                        for p in stats.programs},
        "customers_with_balance": stats.customers_with_balance,
        **_flows_out(stats.flows),
        "usage_rate": stats.usage_rate_basis_points,
        "usage_rate_percent": stats.usage_rate_percent,
        "cashback": {"promised": cashback.promised, "pending": cashback.pending,
                     "granted": cashback.granted, "voided": cashback.voided,
                     "clawed_back": cashback.clawed_back, "shortfall": cashback.shortfall,
                     "deducted": cashback.deducted},
        "by_program": {p.program: {"unit": p.unit, **_flows_out(p.flows)}
                       for p in stats.programs},
        "series": [{"date": day.date, **_flows_out(day.flows)} for day in stats.series],
    }
