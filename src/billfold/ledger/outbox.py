"""The event outbox: a state change writes its event in the same transaction.

Delivery (webhooks) reads this table after commit; nothing here sends anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from billfold.ids import new_id
from billfold.store.tables import outbox_events

_INSERT_EVENT = insert(outbox_events)  # built once: a hot statement


def emit(conn: Connection, store_id: str, event_type: str, payload: dict[str, Any],
         now: datetime) -> str:
    event_id = new_id("evt")
    conn.execute(_INSERT_EVENT, {
        "store_id": store_id, "event_id": event_id, "type": event_type, "payload": payload,
        "created_at": now, "published_at": None})
    return event_id
