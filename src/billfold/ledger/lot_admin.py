"""Lot administration: change a lot's expiry, void what is left of a lot.

Both are transactions of their own, so the history says who changed what and
why. Changing an expiry moves no money: its posting on the wallet moves zero.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from billfold.errors import Code, InvalidRequest, refusal
from billfold.ledger import outbox
from billfold.ledger.accounts import Leg, lock_wallet_by_id, store_account_id
from billfold.ledger.checks import check_id, check_reason
from billfold.ledger.journal import event_payload, record
from billfold.ledger.models import LOT_ACTIVE, LOT_VOIDED, LotEntry, Transaction
from billfold.store.tables import lots


def change_lot_expiry(conn: Connection, *, store_id: str, lot_id: str,
                      expires_at: datetime | None, reason: str, now: datetime) -> Transaction:
    """Set a live lot's expiry to `expires_at` (None: never expires), later or sooner."""
    check_reason(reason)
    if expires_at is not None and expires_at <= now:
        raise InvalidRequest("expires_at must be in the future; void the lot to end it now.",
                             param="expires_at")
    wallet, lot = _lock_live_lot(conn, store_id, lot_id, now)
    conn.execute(update(lots).where(lots.c.store_id == store_id, lots.c.lot_id == lot_id)
                 .values(expires_at=expires_at))
    metadata = {"previous_expires_at": _iso(lot.expires_at), "expires_at": _iso(expires_at)}
    txn = record(conn, store_id=store_id, wallet=wallet, type="lot_expiry_change", amount=0,
                 legs=[Leg(wallet.account_id)], entries=[], now=now,
                 funding_type=lot.funding_type, description=reason, metadata=metadata,
                 lot_id=lot_id)
    outbox.emit(conn, store_id, "lot.expiry_changed", {**event_payload(txn), **metadata,
                                                       "lot_id": lot_id}, now)
    return txn


def void_lot(conn: Connection, *, store_id: str, lot_id: str, reason: str,
             now: datetime) -> Transaction:
    """Take what remains of one lot out of the wallet, with a reason. Refused while held."""
    check_reason(reason)
    wallet, lot = _lock_live_lot(conn, store_id, lot_id, now)
    if lot.held:
        raise refusal(Code.LOT_HELD, f"{lot.held} {lot.unit} of this lot is held; capture or "
                      "release the hold first.")
    amount = lot.remaining
    txn = record(conn, store_id=store_id, wallet=wallet, type="void", amount=amount,
                 legs=[Leg(wallet.account_id, -amount),
                       Leg(store_account_id("voided", wallet.unit, lot.funding_type,
                                            wallet.account_id), amount)],
                 entries=[LotEntry(lot_id, lot.funding_type, -amount, 0)], now=now,
                 funding_type=lot.funding_type, description=reason, lot_id=lot_id)
    conn.execute(update(lots).where(lots.c.store_id == store_id, lots.c.lot_id == lot_id)
                 .values(status=LOT_VOIDED, closed_at=now))
    outbox.emit(conn, store_id, "lot.voided", {**event_payload(txn), "lot_id": lot_id}, now)
    return txn


def _lock_live_lot(conn: Connection, store_id: str, lot_id: str, now: datetime) -> tuple[Any, Any]:
    check_id(lot_id, "lot_id")
    found = conn.execute(select(lots.c.wallet_id).where(
        lots.c.store_id == store_id, lots.c.lot_id == lot_id)).one_or_none()
    if found is None:
        raise refusal(Code.LOT_NOT_FOUND, param="lot_id", lot_id=lot_id)
    wallet = lock_wallet_by_id(conn, store_id, found.wallet_id)
    lot = conn.execute(select(lots).where(lots.c.store_id == store_id,
                                          lots.c.lot_id == lot_id)).one()
    if lot.status != LOT_ACTIVE or lot.remaining == 0:
        raise refusal(Code.LOT_NOT_ACTIVE, f"The lot is {lot.status} with nothing left to change.")
    if lot.expires_at is not None and lot.expires_at <= now:
        raise refusal(Code.LOT_EXPIRED, "The lot has expired.")
    return wallet, lot


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
