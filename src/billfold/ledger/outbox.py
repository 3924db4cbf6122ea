"""The event outbox: a state change writes its event in the same transaction.

Delivery (webhooks) reads this table after commit; nothing here sends anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billfold.ids import new_id
from billfold.store.tables import outbox_events
from billfold.store.writer import writer


def emit(conn: Connection, store_id: str, event_type: str, payload: dict[str, Any],
         now: datetime) -> str:
    event_id = new_id("evt")
    writer(conn).add_rows(outbox_events, [{
        "store_id": store_id, "event_id": event_id, "type": event_type, "payload": payload,
        "created_at": now, "published_at": None}])
    return event_id
