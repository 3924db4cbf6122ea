"""The event outbox: a state change writes its event in the same transaction.

Delivery (webhooks) reads this table after commit; nothing here sends anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from billfold.errors import Code, refusal, require
from billfold.ids import new_id
from billfold.ledger.checks import check_id
from billfold.ledger.models import Page
from billfold.ledger.queries import DEFAULT_PAGE_SIZE, check_limit
from billfold.store.tables import outbox_events
from billfold.store.writer import writer

# Every event type billfold writes (a webhook endpoint subscribes to some of them).
EVENT_TYPES = frozenset({
    "wallet.credited", "wallet.debited", "wallet.low_balance", "wallet.credit_expired",
    "wallet.credit_promised", "wallet.credit_granted", "wallet.credit_promise_voided",
    "wallet.transferred", "lot.expiring_soon", "lot.expiry_changed", "lot.voided",
    "transaction.reversed", "hold.created", "hold.captured", "hold.released",
    "hold.expired", "order.refunded", "points.awarded", "tier.changed", "code.redeemed",
    "topup.required", "topup.succeeded", "topup.cancelled", "topup.expired",
    "withdrawal.requested", "withdrawal.approved", "withdrawal.rejected",
})


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """One row of the outbox as the rest of billfold reads it (render.event sends it)."""

    id: str
    store_id: str
    type: str
    data: dict[str, Any]
    created_at: datetime


def event_from_row(row: RowMapping) -> OutboxEvent:
    return OutboxEvent(id=row["event_id"], store_id=row["store_id"], type=row["type"],
                       data=row["payload"], created_at=row["created_at"])


def emit(conn: Connection, store_id: str, event_type: str, payload: dict[str, Any],
         now: datetime) -> str:
    event_id = new_id("evt")
    writer(conn).add_rows(outbox_events, [{
        "store_id": store_id, "event_id": event_id, "type": event_type, "payload": payload,
        "created_at": now, "published_at": None}])
    return event_id


def get_event(conn: Connection, store_id: str, event_id: str) -> OutboxEvent:
    check_id(event_id, "event_id")
    row = conn.execute(select(outbox_events).where(
        outbox_events.c.store_id == store_id,
        outbox_events.c.event_id == event_id)).mappings().first()
    if row is None:
        raise refusal(Code.EVENT_NOT_FOUND, f"No event {event_id!r} in this store.",
                      param="event_id")
    return event_from_row(row)


def list_events(conn: Connection, store_id: str, *, type: str | None = None,
                customer_id: str | None = None, limit: int = DEFAULT_PAGE_SIZE,
                starting_after: str | None = None) -> Page[OutboxEvent]:
    """The store's events, newest first, keyset by id; only one `type` and one
    customer's (`data.customer_id`) where asked."""
    check_limit(limit)
    require(type is None or type in EVENT_TYPES,
            f"Unknown event type {type!r}.", param="type")
    query = select(outbox_events).where(outbox_events.c.store_id == store_id)
    if type is not None:
        query = query.where(outbox_events.c.type == type)
    if customer_id is not None:
        query = query.where(outbox_events.c.payload["customer_id"].as_string()
                            == check_id(customer_id, "customer_id"))
    if starting_after is not None:
        query = query.where(outbox_events.c.event_id < check_id(starting_after,
                                                                "starting_after"))
    rows = conn.execute(query.order_by(outbox_events.c.event_id.desc())
                        .limit(limit + 1)).mappings().all()
    items = tuple(event_from_row(row) for row in rows[:limit])
    has_more = len(rows) > limit
    return Page(items, has_more, items[-1].id if has_more else None)
