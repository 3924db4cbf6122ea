"""Checkouts, cashback offers, orders and refunds as the API sends them. Percentages
are decimal strings ("12.50") beside integer basis points, never floats."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from billfold.contract.common import ContractModel, Page, Timestamp
from billfold.contract.loyalty import OrderPoints
from billfold.contract.wallets import Hold


def _is_none(value: object) -> bool:
    return value is None


class BreakdownPart(ContractModel):
    """What one program pays of a checkout; `points` only for a points program."""

    program: str
    amount: int = Field(description="In the store currency.")
    points: int | None = Field(None, exclude_if=_is_none,
                               description="Points drawn for `amount` (points programs only).")


class Checkout(ContractModel):
    id: str
    status: str = Field(description="open, completed, cancelled or expired.")
    customer_id: str
    order_id: str
    currency: str
    amount: int
    wallet_amount: int
    remaining_amount: int = Field(description="What is left for the card.")
    holds: list[Hold]
    breakdown: list[BreakdownPart]
    expires_at: Timestamp
    created_at: Timestamp
    settled_at: Timestamp | None


class CashbackOffer(ContractModel):
    id: str
    status: str = Field(description="active or closed.")
    name: str
    percent: str | None = Field(description='A decimal string: "15.00" is 15 %.')
    percent_basis_points: int | None
    amount: int | None = Field(description="A fixed cashback, instead of `percent`.")
    program: str
    product_ids: list[str]
    category_ids: list[str]
    min_order_amount: int | None
    max_amount: int | None = Field(description="Caps the cashback of one order.")
    first_order_only: bool
    starts_at: Timestamp | None
    ends_at: Timestamp | None
    credit_expires_in: int | None = Field(description="Seconds the granted credit lasts.")
    created_at: Timestamp
    closed_at: Timestamp | None


class OrderLine(ContractModel):
    product_id: str
    category_ids: list[str]
    quantity: int
    unit_amount: int


class Payment(ContractModel):
    """What one wallet program paid of an order (and how much of it was refunded)."""

    program: str
    unit: str
    amount: int
    points: int | None
    transaction_id: str
    refunded_amount: int
    refunded_points: int = Field(description="Points given back by refunds (points programs; "
                                             "0 otherwise).")


class CashbackSummary(ContractModel):
    pending: int
    granted: int
    voided: int
    clawed_back: int
    shortfall: int = Field(description="Cashback that could not be taken back (spent).")
    deducted: int = Field(description="Shortfall deducted from refunds instead.")


class OfferCashback(ContractModel):
    """One offer's cashback on one order."""

    offer_id: str
    program: str
    status: str
    promised: int
    pending: int
    granted: int
    voided: int
    clawed_back: int
    shortfall: int
    deducted: int


class Order(ContractModel):
    id: str
    status: str = Field(description="placed, paid, shipped, delivered, completed or "
                                    "cancelled.")
    customer_id: str
    currency: str
    amount: int
    lines: list[OrderLine]
    checkout_id: str | None
    wallet_amount: int
    card_amount: int
    paid_amount: int
    refunded_amount: int
    refundable_amount: int
    first_order: bool
    payments: list[Payment]
    cashback: CashbackSummary
    cashback_offers: list[OfferCashback]
    points: OrderPoints = Field(default_factory=OrderPoints,
                                description="Purchase points: pending until fulfilment.")
    created_at: Timestamp
    updated_at: Timestamp


class Refund(ContractModel):
    id: str
    status: Literal["succeeded"]
    order_id: str
    customer_id: str
    to: Literal["wallet"]
    amount: int
    wallet_amount: int
    card_amount: int
    credited_amount: int
    clawed_back: int
    deducted: int
    reason: str
    transaction_ids: list[str]
    created_at: Timestamp


RefundPage = Page[Refund]
