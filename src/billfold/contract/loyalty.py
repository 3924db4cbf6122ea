"""Loyalty points as the API sends them: earning rules, reported events and their
awards, referrals, the points of an order, tiers. Percentages and multipliers are
decimal strings ("12.50", "2.00") beside integers, never floats."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from billfold.contract.common import ContractModel, Page, Timestamp


class Outcome(ContractModel):
    points: int
    weight: int = Field(description="Drawn with probability weight / sum of weights.")


class EarningRule(ContractModel):
    id: str
    status: str = Field(description="active or closed.")
    name: str
    program: str
    event: str = Field(description="purchase, first_purchase, review, referral, "
                                   "cart_recovered or a custom event name.")
    kind: str = Field(description="fixed, percent, proportional, random or multiplier.")
    points: int | None
    percent: str | None = Field(description='A decimal string: "10.00" is 10 %.')
    per_amount: int | None = Field(description="proportional: `points` per this many minor "
                                               "units.")
    outcomes: list[Outcome] | None
    multiplier: str | None = Field(description='A decimal string: "2.00" doubles.')
    starts_at: Timestamp | None
    ends_at: Timestamp | None
    max_per_customer: int | None
    period: str | None = Field(description="day, week, month, year or lifetime (UTC "
                                           "calendar periods).")
    expires_in: int | None = Field(description="Seconds the awarded points last (null: "
                                               "the program's default).")
    created_at: Timestamp
    closed_at: Timestamp | None

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "rule_01jf3v8", "status": "active", "name": "100 points per 100 SAR",
        "program": "points", "event": "purchase", "kind": "proportional", "points": 100,
        "percent": None, "per_amount": 10000, "outcomes": None, "multiplier": None,
        "starts_at": None, "ends_at": None, "max_per_customer": None, "period": None,
        "expires_in": None, "created_at": "2026-01-01T00:00:00Z", "closed_at": None}]})


EarningRulePage = Page[EarningRule]


class Draw(ContractModel):
    """A random rule's draw: `outcome` is the index into the rule's outcomes that
    `seed` gives (replayable: roll = Random(seed).randrange(sum of weights))."""

    seed: int
    roll: int
    outcome: int
    points: int


class AwardedPoints(ContractModel):
    rule_id: str
    program: str
    amount: int
    award_id: str
    transaction_id: str | None
    draw: Draw | None = None


class LoyaltyEvent(ContractModel):
    id: str
    type: str
    customer_id: str
    properties: dict[str, object]
    awarded: list[AwardedPoints]
    created_at: Timestamp

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "review-991", "type": "review", "customer_id": "cus-42", "properties": {},
        "awarded": [{"rule_id": "rule_01jf3v8", "program": "points", "amount": 20,
                     "award_id": "awd_01jf3v9", "transaction_id": "txn_01jf3va",
                     "draw": None}],
        "created_at": "2026-01-01T00:00:00Z"}]})


class Referral(ContractModel):
    id: str
    status: str = Field(description="pending, or rewarded once the referee's first order "
                                    "is completed.")
    referrer_id: str
    referee_id: str
    order_id: str | None
    created_at: Timestamp
    rewarded_at: Timestamp | None


class OrderPoints(ContractModel):
    """Purchase points of an order, in the points programs' units."""

    pending: int = 0
    granted: int = 0
    voided: int = 0
    clawed_back: int = 0


class Tier(ContractModel):
    name: str
    min_points: int
    window: str = Field(description='The rolling window, "365d".')
    multiplier: str = Field(description='A decimal string, "1.50".')
