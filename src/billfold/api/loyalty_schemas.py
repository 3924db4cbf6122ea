"""Request bodies for the loyalty endpoints (API.md "Loyalty points"). Points are
whole numbers; a percent or a multiplier is a JSON number or a decimal string with
at most two decimals. The library checks the rule's arithmetic fields (so every bad
rule is a 400 naming its `param`); these models check their JSON types."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from billfold.api.schemas import CustomerId, Duration, Moment, Program, Strict

Decimal2 = Annotated[StrictInt | StrictFloat | StrictStr, Field(
    description="A number with at most two decimals: 15, 12.5 or \"2.25\".", examples=[2])]
EventName = Annotated[StrictStr, Field(min_length=1, max_length=64,
                                       pattern=r"^[A-Za-z0-9_.\-]+$", examples=["review"])]


class OutcomeIn(Strict):
    points: StrictInt
    weight: StrictInt


class EarningRuleCreate(Strict):
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    program: Program
    event: EventName
    kind: StrictStr = Field(description="fixed, percent, proportional, random or "
                                        "multiplier.")
    points: StrictInt | None = None
    percent: Decimal2 | None = None
    per_amount: StrictInt | None = None
    outcomes: Annotated[list[OutcomeIn], Field(max_length=100)] | None = None
    multiplier: Decimal2 | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    max_per_customer: StrictInt | None = None
    period: StrictStr | None = Field(None, description="day, week, month, year or "
                                                       "lifetime (default with a cap).")
    expires_in: Duration | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "100 points per 100 SAR", "program": "points", "event": "purchase",
         "kind": "proportional", "points": 100, "per_amount": 10000},
        {"name": "20 points per review", "program": "points", "event": "review",
         "kind": "fixed", "points": 20, "max_per_customer": 100, "period": "month"},
        {"name": "Double points in Ramadan", "program": "points", "event": "purchase",
         "kind": "multiplier", "multiplier": 2, "starts_at": "2026-02-18T00:00:00Z",
         "ends_at": "2026-03-20T00:00:00Z"}]})

    def outcome_dicts(self) -> list[dict[str, int]] | None:
        return None if self.outcomes is None else [o.model_dump() for o in self.outcomes]


class EventCreate(Strict):
    id: Annotated[StrictStr, Field(min_length=1, max_length=200)] | None = Field(
        None, description="Your event id: the same id again awards nothing more.")
    type: EventName
    customer_id: CustomerId
    properties: Annotated[dict[str, Any], Field(max_length=50)] | None = Field(
        None, description="`amount` (minor units) is what percent and proportional rules "
                          "are computed on.")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id": "review-991", "type": "review", "customer_id": "cus-42"},
        {"type": "cart_recovered", "customer_id": "cus-42",
         "properties": {"amount": 25000}}]})


class ReferralCreate(Strict):
    referrer_id: CustomerId
    referee_id: CustomerId

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"referrer_id": "cus-42", "referee_id": "cus-77"}]})
