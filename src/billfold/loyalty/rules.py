"""Earning rules: what an event earns (API.md "Loyalty points").

A rule names a points program, an event (`purchase`, `first_purchase`,
`review`, `referral`, `cart_recovered` or a custom name) and a kind: `fixed`,
`percent`, `proportional`, `random` (weighted outcomes) or `multiplier` (a
seasonal multiplier on what the event's other rules award). Each may have a
validity window [starts_at, ends_at), a cap per customer per calendar period
(UTC), and its own credit expiry. A bad rule is refused whole (400 with the
offending `param`) and creates nothing; a closed rule awards nothing after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from billfold.errors import Code, InvalidRequest, refusal, require
from billfold.ids import new_id
from billfold.ledger.checks import check_id, check_name
from billfold.loyalty.arithmetic import (
    MAX_PERCENT,
    PERIODS,
    Outcome,
    format_hundredths,
    parse_multiplier,
)
from billfold.loyalty.programs import points_program
from billfold.money import parse_percent
from billfold.store.tables import loyalty_rules

RULE_ACTIVE, RULE_CLOSED = "active", "closed"
KINDS = ("fixed", "percent", "proportional", "random", "multiplier")
BUILT_IN_EVENTS = ("purchase", "first_purchase", "review", "referral", "cart_recovered")
MAX_POINTS = 10**12
MAX_OUTCOMES = 100
MAX_WEIGHT = 10**6
MAX_ACTIVE_RULES = 200
MAX_RULES_LISTED = 100
_EVENT_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
# What each kind takes besides the common fields; anything else given is refused.
_KIND_FIELDS = {"fixed": {"points"}, "percent": {"percent"},
                "proportional": {"points", "per_amount"}, "random": {"outcomes"},
                "multiplier": {"multiplier"}}


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    store_id: str
    name: str
    status: str
    program: str
    event: str
    kind: str
    points: int | None
    percent_basis_points: int | None
    per_amount: int | None
    outcomes: tuple[Outcome, ...]
    multiplier_hundredths: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    max_per_customer: int | None
    period: str | None
    credit_expires_seconds: int | None
    created_at: datetime
    closed_at: datetime | None

    @property
    def percent(self) -> str | None:
        bp = self.percent_basis_points
        return None if bp is None else format_hundredths(bp)

    @property
    def multiplier(self) -> str | None:
        m = self.multiplier_hundredths
        return None if m is None else format_hundredths(m)

    def is_active_at(self, now: datetime) -> bool:
        return (self.status == RULE_ACTIVE
                and (self.starts_at is None or self.starts_at <= now)
                and (self.ends_at is None or now < self.ends_at))


def create_rule(conn: Connection, *, store_id: str, name: str, program: str, event: str,
                kind: str, now: datetime, points: object = None, percent: object = None,
                per_amount: object = None, outcomes: object = None, multiplier: object = None,
                starts_at: datetime | None = None, ends_at: datetime | None = None,
                max_per_customer: object = None, period: object = None,
                credit_expires_seconds: int | None = None) -> Rule:
    """A new active rule, every argument checked first (see the module docstring)."""
    check_name(name)
    check_event_name(event, "event")
    require(kind in KINDS, f"kind must be one of {', '.join(KINDS)}.", param="kind")
    given = {key for key, value in (("points", points), ("percent", percent),
                                    ("per_amount", per_amount), ("outcomes", outcomes),
                                    ("multiplier", multiplier)) if value is not None}
    for key in sorted(given - _KIND_FIELDS[kind]):
        raise InvalidRequest(f"{key} is not used by a {kind} rule.", param=key)
    for key in sorted(_KIND_FIELDS[kind] - given):
        raise InvalidRequest(f"A {kind} rule needs {key}.", param=key)
    found = points_program(conn, store_id, program)
    if kind == "percent":
        require(found.points_per_unit is not None, f"Program {program!r} has no "
                "points_per_unit, which a percent rule needs.", param="program")
    checked_points = None if points is None else _positive_int(points, "points", MAX_POINTS)
    checked_per_amount = (None if per_amount is None
                          else _positive_int(per_amount, "per_amount", MAX_POINTS))
    checked_outcomes = () if outcomes is None else _outcomes(outcomes)
    _check_moment(starts_at, "starts_at")
    _check_moment(ends_at, "ends_at")
    require(starts_at is None or ends_at is None or starts_at < ends_at,
            "A rule's ends_at must be after its starts_at.", param="ends_at")
    cap = (None if max_per_customer is None
           else _positive_int(max_per_customer, "max_per_customer", MAX_POINTS))
    require(period is None or period in PERIODS,
            f"period must be one of {', '.join(PERIODS)}.", param="period")
    require(period is None or cap is not None, "period needs max_per_customer.",
            param="period")
    require(credit_expires_seconds is None or (isinstance(credit_expires_seconds, int)
                                               and credit_expires_seconds > 0),
            "expires_in must be a positive duration.", param="expires_in")
    rule_id = new_id("rule")
    conn.execute(insert(loyalty_rules).values(
        store_id=store_id, rule_id=rule_id, name=name.strip(), program=program, event=event,
        kind=kind, points=checked_points,
        percent_basis_points=(None if percent is None
                              else parse_percent(percent, maximum_percent=MAX_PERCENT)),
        per_amount=checked_per_amount,
        outcomes=[{"points": o.points, "weight": o.weight} for o in checked_outcomes],
        multiplier_hundredths=None if multiplier is None else parse_multiplier(multiplier),
        starts_at=starts_at, ends_at=ends_at, max_per_customer=cap,
        period=None if cap is None else (period or "lifetime"),
        credit_expires_seconds=credit_expires_seconds, status=RULE_ACTIVE, created_at=now,
        closed_at=None))
    return get_rule(conn, store_id, rule_id)


def close_rule(conn: Connection, *, store_id: str, rule_id: str, now: datetime) -> Rule:
    """Close a rule: it awards nothing after (points already promised keep their course)."""
    get_rule(conn, store_id, rule_id)  # NotFound first
    closed = conn.execute(update(loyalty_rules).where(
        loyalty_rules.c.store_id == store_id, loyalty_rules.c.rule_id == rule_id,
        loyalty_rules.c.status == RULE_ACTIVE).values(status=RULE_CLOSED, closed_at=now))
    if closed.rowcount != 1:
        raise refusal(Code.RULE_CLOSED, "The earning rule is already closed.")
    return get_rule(conn, store_id, rule_id)


def get_rule(conn: Connection, store_id: str, rule_id: str) -> Rule:
    check_id(rule_id, "rule_id")
    row = conn.execute(select(loyalty_rules).where(
        loyalty_rules.c.store_id == store_id,
        loyalty_rules.c.rule_id == rule_id)).one_or_none()
    if row is None:
        raise refusal(Code.RULE_NOT_FOUND, f"No earning rule {rule_id!r} in this store.",
                      param="rule_id")
    return _rule(row)


def list_rules(conn: Connection, store_id: str, *, status: str | None = None,
               limit: int = 20, starting_after: str | None = None) -> tuple[list[Rule], bool]:
    """A page of the store's rules, oldest first, keyset by id; (rules, has_more)."""
    require(isinstance(limit, int) and 1 <= limit <= MAX_RULES_LISTED,
            f"limit must be from 1 to {MAX_RULES_LISTED}.", param="limit")
    require(status is None or status in (RULE_ACTIVE, RULE_CLOSED),
            "status must be active or closed.", param="status")
    query = select(loyalty_rules).where(loyalty_rules.c.store_id == store_id)
    if status is not None:
        query = query.where(loyalty_rules.c.status == status)
    if starting_after is not None:
        query = query.where(loyalty_rules.c.rule_id > check_id(starting_after,
                                                               "starting_after"))
    rows = conn.execute(query.order_by(loyalty_rules.c.rule_id).limit(limit + 1)).all()
    return [_rule(row) for row in rows[:limit]], len(rows) > limit


def active_rules(conn: Connection, store_id: str, events: tuple[str, ...],
                 now: datetime) -> list[Rule]:
    """The rules of `events` in force at `now`, multipliers included, by id."""
    rows = conn.execute(select(loyalty_rules).where(
        loyalty_rules.c.store_id == store_id, loyalty_rules.c.event.in_(events),
        loyalty_rules.c.status == RULE_ACTIVE)
        .order_by(loyalty_rules.c.rule_id).limit(MAX_ACTIVE_RULES)).all()
    return [rule for rule in map(_rule, rows) if rule.is_active_at(now)]


def check_event_name(value: object, param: str) -> str:
    require(isinstance(value, str) and bool(_EVENT_NAME.match(value)),
            f"{param} is an event name of 1 to 64 letters, digits, '_', '.' or '-'.",
            param=param)
    return value  # type: ignore[return-value]


def _positive_int(value: object, param: str, maximum: int) -> int:
    require(isinstance(value, int) and not isinstance(value, bool) and 0 < value <= maximum,
            f"{param} must be a whole number from 1 to {maximum}.", param=param)
    return value  # type: ignore[return-value]


def _outcomes(value: object) -> tuple[Outcome, ...]:
    require(isinstance(value, list) and 0 < len(value) <= MAX_OUTCOMES,
            f"outcomes is a list of 1 to {MAX_OUTCOMES} {{points, weight}}.", param="outcomes")
    found = []
    for item in value:  # type: ignore[union-attr]
        require(isinstance(item, dict) and set(item) <= {"points", "weight"},
                "Each outcome is {points, weight}.", param="outcomes")
        points, weight = item.get("points"), item.get("weight")
        require(isinstance(points, int) and not isinstance(points, bool)
                and 0 <= points <= MAX_POINTS,
                f"An outcome's points is a whole number from 0 to {MAX_POINTS}.",
                param="outcomes")
        require(isinstance(weight, int) and not isinstance(weight, bool)
                and 0 < weight <= MAX_WEIGHT,
                f"An outcome's weight is a whole number from 1 to {MAX_WEIGHT}.",
                param="outcomes")
        found.append(Outcome(points, weight))
    return tuple(found)


def _check_moment(value: object, param: str) -> None:
    require(value is None or (isinstance(value, datetime) and value.tzinfo is not None),
            f"{param} must be a time with a timezone.", param=param)


def _rule(row: Any) -> Rule:
    return Rule(
        id=row.rule_id, store_id=row.store_id, name=row.name, status=row.status,
        program=row.program, event=row.event, kind=row.kind, points=row.points,
        percent_basis_points=row.percent_basis_points, per_amount=row.per_amount,
        outcomes=tuple(Outcome(o["points"], o["weight"]) for o in row.outcomes),
        multiplier_hundredths=row.multiplier_hundredths, starts_at=row.starts_at,
        ends_at=row.ends_at, max_per_customer=row.max_per_customer, period=row.period,
        credit_expires_seconds=row.credit_expires_seconds, created_at=row.created_at,
        closed_at=row.closed_at)
