"""The event outbox: a state change writes its event in the same transaction.

Delivery (webhooks) reads this table after commit; nothing here sends anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping

from billfold.ids import new_id
from billfold.store.tables import outbox_events
from billfold.store.writer import writer


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
