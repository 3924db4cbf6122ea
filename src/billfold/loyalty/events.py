"""Events the shop reports (`POST /v1/events`): a review, a recovered cart, a custom
event. The event id is its idempotency key: the same id again answers the first
outcome (`replayed`), awarding nothing more. `purchase`, `first_purchase` and
`referral` are not reported here: orders and referrals award them."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from billfold.errors import require
from billfold.ids import new_id
from billfold.ledger.accounts import ensure_customer, lock_customer
from billfold.ledger.checks import check_id
from billfold.loyalty.arithmetic import Draw
from billfold.loyalty.awards import award, draw_from_json, draw_json
from billfold.loyalty.rules import check_event_name
from billfold.money import check_amount
from billfold.store.sql import insert_if_absent
from billfold.store.tables import loyalty_events

RESERVED_EVENTS = ("purchase", "first_purchase", "referral")
MAX_PROPERTIES = 50
MAX_PROPERTIES_BYTES = 8_000


@dataclass(frozen=True, slots=True)
class Awarded:
    rule_id: str
    program: str
    amount: int
    award_id: str
    transaction_id: str | None
    draw: Draw | None


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: str
    customer_id: str
    properties: dict[str, Any]
    awarded: tuple[Awarded, ...]
    created_at: datetime
    replayed: bool = False


def record_event(conn: Connection, *, store_id: str, type: str, customer_id: str,
                 now: datetime, event_id: str | None = None,
                 properties: dict[str, Any] | None = None) -> Event:
    """Record the event and award what its rules give, once per event id."""
    if event_id is not None:
        check_id(event_id, "id")
    check_event_name(type, "type")
    require(type not in RESERVED_EVENTS, f"{type!r} points come from orders and referrals, "
            "not from reported events.", param="type")
    check_id(customer_id, "customer_id")
    props = _properties(properties)
    amount = props.get("amount")
    if amount is not None:
        check_amount(amount, param="properties.amount")
    event_id = event_id or new_id("lev")
    if not insert_if_absent(conn, loyalty_events, {
            "store_id": store_id, "event_id": event_id, "type": type,
            "customer_id": customer_id, "properties": props, "awarded": [],
            "created_at": now}):
        return replace(get_event(conn, store_id, event_id), replayed=True)
    ensure_customer(conn, store_id, customer_id, now)
    lock_customer(conn, store_id, customer_id)
    awards = award(conn, store_id=store_id, customer_id=customer_id, events=(type,),
                   amount=amount, source_type="event", source_id=event_id, now=now)
    awarded = tuple(Awarded(a.rule_id, a.program, a.amount, a.id, a.transaction_id, a.draw)
                    for a in awards)
    conn.execute(update(loyalty_events).where(
        loyalty_events.c.store_id == store_id, loyalty_events.c.event_id == event_id)
        .values(awarded=[_awarded_json(a) for a in awarded]))
    return Event(event_id, type, customer_id, props, awarded, now)


def get_event(conn: Connection, store_id: str, event_id: str) -> Event:
    row = conn.execute(select(loyalty_events).where(
        loyalty_events.c.store_id == store_id,
        loyalty_events.c.event_id == event_id)).one()
    return Event(row.event_id, row.type, row.customer_id, dict(row.properties),
                 tuple(Awarded(a["rule_id"], a["program"], a["amount"], a["award_id"],
                               a["transaction_id"], draw_from_json(a["draw"]))
                       for a in row.awarded), row.created_at)


def _properties(value: object) -> dict[str, Any]:
    if value is None:
        return {}
    require(isinstance(value, dict) and len(value) <= MAX_PROPERTIES
            and all(isinstance(k, str) and 0 < len(k) <= 64 for k in value),
            f"properties is an object of at most {MAX_PROPERTIES} keys.", param="properties")
    try:
        size = len(json.dumps(value))
    except (TypeError, ValueError):
        size = MAX_PROPERTIES_BYTES + 1
    require(size <= MAX_PROPERTIES_BYTES,
            f"properties must be JSON of at most {MAX_PROPERTIES_BYTES} bytes.",
            param="properties")
    return dict(value)  # type: ignore[arg-type]


def _awarded_json(value: Awarded) -> dict[str, Any]:
    return {"rule_id": value.rule_id, "program": value.program, "amount": value.amount,
            "award_id": value.award_id, "transaction_id": value.transaction_id,
            "draw": None if value.draw is None else draw_json(value.draw)}
