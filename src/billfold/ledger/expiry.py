"""Expiry: lots past `expires_at` move their free part to the store's breakage.

`available` never counts an expired lot whether or not this ran (the balance
read subtracts unswept ones); the sweep makes the books say so too. A held
part is not expired while held: it expires when its hold lets go of it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from billfold import outbox
from billfold.ledger.accounts import Leg, lock_wallet_by_id, store_account_id
from billfold.ledger.journal import event_payload, record
from billfold.ledger.lots import close_lots, expired_free_lots
from billfold.ledger.models import LOT_ACTIVE, LOT_EXPIRED, LotEntry, SweepResult, Transaction
from billfold.store.tables import lots

SWEEP_WALLET_BATCH = 500


def expire_wallet_lots(conn: Connection, store_id: str, wallet: Any,
                       now: datetime) -> Transaction | None:
    """Sweep one locked wallet's expired free credit into one 'expiry' transaction."""
    rows = expired_free_lots(conn, store_id, wallet.account_id, now)
    if not rows:
        return None
    entries = [LotEntry(r.lot_id, r.funding_type, -(r.remaining - r.held), 0) for r in rows]
    per_type: dict[str, int] = defaultdict(int)
    for entry in entries:
        per_type[entry.funding_type] -= entry.amount
    total = sum(per_type.values())
    legs = [Leg(wallet.account_id, -total)] + [
        Leg(store_account_id("expired", wallet.unit, funding_type, wallet.account_id), amount)
        for funding_type, amount in sorted(per_type.items())
    ]
    txn = record(conn, store_id=store_id, wallet=wallet, type="expiry", amount=total, legs=legs,
                 entries=entries, now=now,
                 funding_type=next(iter(per_type)) if len(per_type) == 1 else None,
                 description="Credit expired")
    close_lots(conn, store_id, [e.lot_id for e in entries], LOT_EXPIRED, now)
    outbox.emit(conn, store_id, "wallet.credit_expired", event_payload(txn), now)
    return txn


def sweep_expired_lots(conn: Connection, store_id: str, now: datetime,
                       limit: int = SWEEP_WALLET_BATCH) -> SweepResult:
    """Expire the lots of up to `limit` wallets of one store; call again until zero."""
    wallet_ids = [row[0] for row in conn.execute(
        select(lots.c.wallet_id)
        .where(lots.c.store_id == store_id, lots.c.status == LOT_ACTIVE,
               lots.c.expires_at.is_not(None), lots.c.expires_at <= now,
               lots.c.remaining > lots.c.held)
        .group_by(lots.c.wallet_id).order_by(lots.c.wallet_id).limit(limit)
    ).all()]
    transactions = swept_lots = amount = 0
    for wallet_id in wallet_ids:  # sorted: the one lock order
        wallet = lock_wallet_by_id(conn, store_id, wallet_id)
        txn = expire_wallet_lots(conn, store_id, wallet, now)
        if txn is not None:
            transactions += 1
            swept_lots += len(txn.lots)
            amount += txn.amount
    return SweepResult(transactions=transactions, lots=swept_lots, amount=amount)
