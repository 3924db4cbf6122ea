"""Request bodies for the commerce endpoints: settings, checkouts, cashback offers,
orders, refunds, statistics (API.md). Percentages are accepted as a JSON number or a
decimal string with at most two decimals (answers carry them as decimal strings
beside integer basis points — never as floats)."""

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
)

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


class TierIn(Strict):
    """A loyalty tier: `min_points` granted within the rolling `window`."""

    name: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    min_points: Annotated[StrictInt, Field(ge=0, le=10**15)]
    window: Duration
    multiplier: Percent | None = Field(None, description="Multiplies every award to the "
                                                         "tier's customers; 1 when left out.")


class SettingsPatch(Strict):
    wallet_enabled: StrictBool | None = None
    currency: StrictStr | None = None
    cashback_expires_in: Duration | None = None
    auto_apply: StrictBool | None = None
    allow_topup: StrictBool | None = None
    topup_amounts: Annotated[list[Amount], Field(max_length=20)] | None = None
    low_balance_threshold: Count | None = None
    withdrawals_enabled: StrictBool | None = None
    allow_transfers: StrictBool | None = None
    topup_min_amount: Amount | None = None
    topup_max_amount: Amount | None = None
    topup_expires_in: Duration | None = None
    expiry_notice_before: Duration | None = None
    portal_session_expires_in: Duration | None = None
    clawback_shortfall: Literal["record", "deduct_from_refund"] | None = Field(
        None, description="Cashback that cannot be taken back on a refund (already spent): "
                          "only recorded (default), or deducted from the refund.")
    programs: Annotated[dict[Program, ProgramPatch], Field(max_length=20)] | None = None
    # -- loyalty --
    tiers: Annotated[list[TierIn], Field(max_length=20)] | None = Field(
        None, description="Loyalty tiers; a list replaces the whole list.")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"wallet_enabled": True, "programs": {"rewards": {
            "unit": "SAR", "max_per_order_amount": 2000}}}]})

    def changes(self) -> dict[str, Any]:
        """What the caller sent (a null kept as a clearing null)."""
        sent = self.model_dump(exclude_unset=True)
        if self.programs is not None:
            sent["programs"] = {name: patch.model_dump(exclude_unset=True)
                                for name, patch in self.programs.items()}
        if self.tiers is not None:
            sent["tiers"] = [tier.model_dump(exclude_unset=True) for tier in self.tiers]
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
