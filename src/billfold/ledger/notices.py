"""`lot.expiring_soon`: once per lot whose `expires_at` is within the store's
`expiry_notice_before` while something is left in it (`shared/API.md`, "Events and
webhooks").

The worker finds them by the lots' (store, status, expires_at) index, a batch at a
time; each lot it writes the event for goes into `lot_notices` in the same
transaction, so a lot is noticed once whatever the number of workers or restarts (a
second worker's insert conflicts and its transaction retries without that lot).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, exists, select

from billfold.ledger import outbox
from billfold.store.sql import insert_rows
from billfold.store.tables import accounts, lot_notices, lots

BATCH = 1000
LOT_ACTIVE = "active"


def notice_expiring(conn: Connection, store_id: str, now: datetime, notice_seconds: int,
                    *, limit: int = BATCH) -> int:
    """Write `lot.expiring_soon` for up to `limit` lots newly within the notice; how many."""
    noticed = exists().where(lot_notices.c.store_id == lots.c.store_id,
                             lot_notices.c.lot_id == lots.c.lot_id)
    rows = conn.execute(
        select(lots.c.lot_id, lots.c.wallet_id, lots.c.unit, lots.c.remaining,
               lots.c.funding_type, lots.c.expires_at, accounts.c.customer_id,
               accounts.c.program)
        .select_from(lots.join(accounts, and_(accounts.c.store_id == lots.c.store_id,
                                              accounts.c.account_id == lots.c.wallet_id)))
        .where(lots.c.store_id == store_id, lots.c.status == LOT_ACTIVE,
               lots.c.expires_at > now,
               lots.c.expires_at <= now + timedelta(seconds=notice_seconds),
               lots.c.remaining > 0, ~noticed)
        .order_by(lots.c.expires_at).limit(limit)).all()
    if not rows:
        return 0
    insert_rows(conn, lot_notices, [{"store_id": store_id, "lot_id": row.lot_id,
                                     "created_at": now} for row in rows])
    for row in rows:
        outbox.emit(conn, store_id, "lot.expiring_soon", {
            "lot_id": row.lot_id, "wallet_id": row.wallet_id,
            "customer_id": row.customer_id, "program": row.program, "unit": row.unit,
            "amount": row.remaining, "funding_type": row.funding_type,
            "expires_at": row.expires_at.isoformat().replace("+00:00", "Z")}, now)
    return len(rows)
