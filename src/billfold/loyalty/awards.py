"""Awards: what an event earns a customer under the store's rules, and the credit.

For one customer and one occasion (an event, an order, a referral), every rule
of the occasion's events in force now is applied on its own: its base by kind
(`arithmetic`), times the highest seasonal multiplier active for that event
(1 without), times the customer's tier multiplier, rounded down once; then
its cap for the calendar period (what the rule already awarded the customer
since the period started, voided promises aside); nothing is written for 0.

Each award is one row of `loyalty_awards` and one movement through the
ledger's use cases: an immediate `credit` (events, referrals) with the
`points.awarded` event and a tier recomputation, or a `promise` (orders: see
`orders`). Points are `promotional` credit (never withdrawable) that expires
after the rule's `expires_in`, else the program's default. A random rule's
draw (seed, roll, outcome) is stored with the award and in the credit's
metadata, so an audit can replay it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, func, insert, select

from billfold.ids import new_id
from billfold.ledger import credit, outbox, promises
from billfold.loyalty import arithmetic
from billfold.loyalty.arithmetic import HUNDREDTHS_PER_WHOLE, Draw
from billfold.loyalty.programs import PointsProgram, points_program, wallet_enabled
from billfold.loyalty.rules import Rule, active_rules
from billfold.loyalty.tiers import customer_tier, recompute_tier
from billfold.store.tables import loyalty_awards

FUNDING_TYPE = "promotional"
AWARD_PENDING, AWARD_GRANTED, AWARD_VOIDED = "pending", "granted", "voided"
CREDIT, PROMISE = "credit", "promise"


@dataclass(frozen=True, slots=True)
class Award:
    id: str
    rule_id: str
    customer_id: str
    program: str
    amount: int
    status: str
    source_type: str
    source_id: str
    transaction_id: str | None
    promise_id: str | None
    draw: Draw | None
    created_at: datetime


def award(conn: Connection, *, store_id: str, customer_id: str, events: tuple[str, ...],
          amount: int | None, source_type: str, source_id: str, now: datetime,
          mode: str = CREDIT) -> list[Award]:
    """Apply the rules of `events` for the customer (see the module docstring). The
    caller has made the customer and holds its lock, so caps count one award at a time.
    `amount` (minor units) is what percent and proportional rules are computed on."""
    assert mode in (CREDIT, PROMISE)
    if not wallet_enabled(conn, store_id):
        return []
    rules = active_rules(conn, store_id, events, now)
    seasonal = {event: max([r.multiplier_hundredths or 0 for r in rules
                            if r.kind == "multiplier" and r.event == event]
                           or [HUNDREDTHS_PER_WHOLE]) for event in events}
    tier_multiplier = customer_tier(conn, store_id, customer_id).multiplier_hundredths
    made: list[Award] = []
    for rule in rules:
        if rule.kind == "multiplier":
            continue
        program = points_program(conn, store_id, rule.program)
        base, drawn = _base(rule, program, amount)
        points = arithmetic.award_points(base, seasonal[rule.event], tier_multiplier)
        points = arithmetic.capped(points, _already(conn, store_id, rule, customer_id, now),
                                   rule.max_per_customer)
        if points == 0:
            continue
        made.append(_write(conn, store_id, rule, program, customer_id, points, drawn,
                           seasonal[rule.event], tier_multiplier, source_type, source_id,
                           now, mode))
    if mode == CREDIT and made:
        recompute_tier(conn, store_id=store_id, customer_id=customer_id, now=now)
    return made


def _base(rule: Rule, program: PointsProgram, amount: int | None) -> tuple[Fraction, Draw | None]:
    if rule.kind == "fixed":
        assert rule.points is not None
        return arithmetic.fixed_base(rule.points), None
    if rule.kind == "random":
        drawn = arithmetic.draw(rule.outcomes, arithmetic.new_seed())
        return arithmetic.fixed_base(drawn.points), drawn
    if amount is None:  # an event without properties.amount earns nothing by amount
        return Fraction(0), None
    if rule.kind == "percent":
        assert rule.percent_basis_points is not None and program.points_per_unit is not None
        return arithmetic.percent_base(amount, rule.percent_basis_points,
                                       program.points_per_unit,
                                       program.currency_precision), None
    assert rule.kind == "proportional" and rule.points and rule.per_amount
    return arithmetic.proportional_base(amount, rule.points, rule.per_amount), None


def _already(conn: Connection, store_id: str, rule: Rule, customer_id: str,
             now: datetime) -> int:
    """What `rule` awarded the customer in the current period (voided promises aside)."""
    if rule.max_per_customer is None:
        return 0
    assert rule.period is not None
    start = arithmetic.period_start(rule.period, now)
    query = select(func.coalesce(func.sum(loyalty_awards.c.amount), 0)).where(
        loyalty_awards.c.store_id == store_id, loyalty_awards.c.rule_id == rule.id,
        loyalty_awards.c.customer_id == customer_id,
        loyalty_awards.c.status != AWARD_VOIDED)
    if start is not None:
        query = query.where(loyalty_awards.c.created_at >= start)
    return int(conn.execute(query).scalar_one())


def _write(conn: Connection, store_id: str, rule: Rule, program: PointsProgram,
           customer_id: str, points: int, drawn: Draw | None, multiplier: int,
           tier_multiplier: int, source_type: str, source_id: str, now: datetime,
           mode: str) -> Award:
    award_id = new_id("awd")
    expires_seconds = rule.credit_expires_seconds or program.default_expires_seconds
    description = f"Points: {rule.name}"
    metadata: dict[str, Any] = {"award_id": award_id, "rule_id": rule.id,
                                "source_type": source_type, "source_id": source_id[:200]}
    if drawn is not None:
        metadata.update(draw_seed=drawn.seed, draw_roll=drawn.roll,
                        draw_outcome=drawn.outcome)
    transaction_id = promise_id = None
    if mode == CREDIT:
        txn = credit.credit(
            conn, store_id=store_id, customer_id=customer_id, program=rule.program,
            amount=points, funding_type=FUNDING_TYPE, now=now,
            expires_at=None if expires_seconds is None else now + timedelta(
                seconds=expires_seconds),
            description=description, metadata=metadata, source_type="loyalty",
            source_id=award_id)
        transaction_id = txn.id
    else:
        promise_id = promises.promise_credit(
            conn, store_id=store_id, customer_id=customer_id, program=rule.program,
            amount=points, funding_type=FUNDING_TYPE, now=now,
            credit_expires_seconds=expires_seconds, source_type="loyalty",
            source_id=award_id, description=description, metadata=metadata).id
    granted = mode == CREDIT
    conn.execute(insert(loyalty_awards).values(
        store_id=store_id, award_id=award_id, rule_id=rule.id, customer_id=customer_id,
        program=rule.program, source_type=source_type, source_id=source_id, amount=points,
        status=AWARD_GRANTED if granted else AWARD_PENDING,
        pending_amount=0 if granted else points, granted_amount=points if granted else 0,
        clawed_back=0, shortfall=0, promise_id=promise_id, transaction_id=transaction_id,
        draw=None if drawn is None else draw_json(drawn), multiplier_hundredths=multiplier,
        tier_multiplier_hundredths=tier_multiplier, created_at=now,
        granted_at=now if granted else None, settled_at=now if granted else None))
    if granted:
        emit_awarded(conn, store_id, award_id, rule.id, customer_id, rule.program, points,
                     transaction_id, source_type, source_id, now)
    return Award(award_id, rule.id, customer_id, rule.program, points,
                 AWARD_GRANTED if granted else AWARD_PENDING, source_type, source_id,
                 transaction_id, promise_id, drawn, now)


def emit_awarded(conn: Connection, store_id: str, award_id: str, rule_id: str,
                 customer_id: str, program: str, amount: int, transaction_id: str | None,
                 source_type: str, source_id: str, now: datetime) -> None:
    outbox.emit(conn, store_id, "points.awarded", {
        "award_id": award_id, "rule_id": rule_id, "customer_id": customer_id,
        "program": program, "amount": amount, "transaction_id": transaction_id,
        "source_type": source_type, "source_id": source_id}, now)


def draw_json(drawn: Draw) -> dict[str, int]:
    return {"seed": drawn.seed, "roll": drawn.roll, "outcome": drawn.outcome,
            "points": drawn.points}


def draw_from_json(value: dict[str, int] | None) -> Draw | None:
    return None if value is None else Draw(value["seed"], value["roll"], value["outcome"],
                                           value["points"])
