"""The audit log: every money action a dashboard user took — who, when, what, why.
Append-only: nothing here updates or deletes an entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from billfold.access.users import User
from billfold.ids import new_id
from billfold.store.tables import audit_log

MAX_LISTED = 100


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    email: str
    action: str
    target: str | None
    amount: int | None
    unit: str | None
    reason: str | None
    object_id: str | None
    created_at: datetime


def record(conn: Connection, user: User, action: str, now: datetime, *,
           target: str | None = None, amount: int | None = None, unit: str | None = None,
           reason: str | None = None, object_id: str | None = None) -> None:
    conn.execute(audit_log.insert().values(
        store_id=user.store_id, entry_id=new_id("aud"), user_id=user.id, email=user.email,
        action=action, target=target, amount=amount, unit=unit, reason=reason,
        object_id=object_id, created_at=now))


def entries(conn: Connection, store_id: str, *, before: str | None = None,
            limit: int = 50) -> list[Entry]:
    """Newest first, keyset by id."""
    query = select(audit_log).where(audit_log.c.store_id == store_id)
    if before is not None:
        query = query.where(audit_log.c.entry_id < before)
    rows = conn.execute(query.order_by(audit_log.c.entry_id.desc())
                        .limit(min(limit, MAX_LISTED))).all()
    return [Entry(r.entry_id, r.email, r.action, r.target, r.amount, r.unit, r.reason,
                  r.object_id, r.created_at) for r in rows]
