"""Thresholds a movement may cross: the store's low-balance notice and a wallet's
automatic top-up (`shared/API.md`, "Events and webhooks", "Automatic top-up").

Every movement that lowers a wallet's `available` calls `watch` in its own
transaction, with the wallet locked, so `before` and `after` are exact and each
crossing is seen once by construction: a threshold fires when `available` goes
from at or above it to below it, and cannot fire again before a later movement
has brought `available` back to it. The PostgreSQL functions do the same in
`billfold_watch_available.sql`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from billfold.durations import parse_duration_seconds
from billfold.ids import new_id
from billfold.ledger import outbox
from billfold.store.tables import topups
from billfold.store.writer import writer

DEFAULT_TOPUP_EXPIRES_SECONDS = 24 * 3600  # settings' topup_expires_in, "1d"


def crossed(before: int, after: int, threshold: int | None) -> bool:
    """Whether `available` went from at or above `threshold` to below it."""
    return threshold is not None and before >= threshold > after


def watch(conn: Connection, *, store_id: str, wallet: Any, before: int, after: int,
          transaction_id: str, now: datetime) -> None:
    """After a movement took `wallet`'s available from `before` down to `after`."""
    out = writer(conn)
    settings, threshold, amount = out.thresholds(store_id, wallet.customer_id, wallet.program)
    low = settings.get("low_balance_threshold")
    if crossed(before, after, low):
        outbox.emit(conn, store_id, "wallet.low_balance", {
            "wallet_id": wallet.account_id, "customer_id": wallet.customer_id,
            "program": wallet.program, "unit": wallet.unit, "available": after,
            "threshold": low, "transaction_id": transaction_id}, now)
    if crossed(before, after, threshold):
        expires = settings.get("topup_expires_in")
        seconds = (DEFAULT_TOPUP_EXPIRES_SECONDS if expires is None
                   else parse_duration_seconds(expires, param="topup_expires_in"))
        topup = dict(store_id=store_id, topup_id=new_id("top"),
                     customer_id=wallet.customer_id, program=wallet.program,
                     amount=amount, status="pending", trigger="auto",
                     payment_reference=None, transaction_id=None,
                     expires_at=now + timedelta(seconds=seconds), created_at=now,
                     settled_at=None)
        out.add_rows(topups, [topup])
        outbox.emit(conn, store_id, "topup.required", topup_payload(topup), now)


def topup_payload(topup: dict[str, Any]) -> dict[str, Any]:
    """What every top-up event says of its top-up (a dict of the row's columns)."""
    return {key: topup[key] for key in (
        "topup_id", "customer_id", "program", "amount", "status", "trigger",
        "payment_reference", "transaction_id")}
