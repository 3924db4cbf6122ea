"""Lots and the spending order.

Every credit creates a lot; every debit, hold and expiry records what it took
from which lot (`lot_entries`). The spending order is documented once here and
exists in two forms that tests hold equal: `spending_key` (Python) and
`store.writer.SPENDING_ORDER` (SQL, which both writers draw with; PostgreSQL's
functions draw with `billfold_draw_lots`, tested against it).

Spending order ("expiry_first", the default): soonest expiry first, lots that
never expire last; then non-withdrawable before withdrawable (keep what the
customer could cash out); then oldest first; then by lot id.
"oldest_first": by creation time, then lot id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from billfold.errors import Code, refusal
from billfold.ids import new_id
from billfold.ledger.models import LOT_ACTIVE, LOT_EXPIRED, Lot, LotEntry
from billfold.store.tables import lots
from billfold.store.writer import SPENDING_ORDER, LotMove, writer

LOT_DRAW_BATCH = 64
MAX_LOTS_PER_DRAW = 10_000
_FAR_FUTURE = datetime.max


@dataclass(frozen=True, slots=True)
class Draw:
    lot_id: str
    funding_type: str
    take: int


def spending_key(lot: Lot, strategy: str) -> tuple[Any, ...]:
    """The spending order as a sort key (see the module docstring)."""
    if strategy == "oldest_first":
        return (lot.created_at, lot.id)
    assert strategy == "expiry_first", strategy
    expires = lot.expires_at.replace(tzinfo=None) if lot.expires_at else _FAR_FUTURE
    return (lot.expires_at is None, expires, lot.is_withdrawable, lot.created_at, lot.id)


def spending_order_by(strategy: str) -> list[Any]:
    """The same order as `spending_key`, as SQL ORDER BY clauses."""
    return SPENDING_ORDER[strategy]


def create_lot(conn: Connection, store_id: str, wallet_id: str, unit: str, amount: int, *,
               funding_type: str, is_withdrawable: bool, expires_at: datetime | None,
               source_type: str, source_id: str | None, description: str | None,
               transaction_id: str, now: datetime, filled: bool = True) -> str:
    """Insert a lot. `filled`: it holds `amount` from the start and its transaction, which
    names it (`transactions.lot_id`), writes no entry for it (the credit's own lot); else
    it starts empty and the transaction's entry fills it (a transfer's receiving lots).
    Either way a lot's remaining is what its making gave plus the sum of its entries."""
    lot_id = new_id("lot")
    writer(conn).add_rows(lots, [dict(
        store_id=store_id, lot_id=lot_id, wallet_id=wallet_id, unit=unit, amount=amount,
        remaining=amount if filled else 0, held=0, funding_type=funding_type,
        is_withdrawable=is_withdrawable,
        expires_at=expires_at, status=LOT_ACTIVE, source_type=source_type, source_id=source_id,
        description=description, transaction_id=transaction_id, created_at=now, closed_at=None,
    )])
    return lot_id


def draw(conn: Connection, store_id: str, wallet_id: str, amount: int, strategy: str,
         now: datetime, *, unit: str, withdrawable_only: bool = False) -> list[Draw]:
    """Choose lots in spending order to cover `amount`, without changing them.

    The caller holds the wallet lock. Raises InsufficientFunds if the spendable
    lots (only the withdrawable ones, for a withdrawal) do not cover `amount`.
    """
    out = writer(conn)
    draws: list[Draw] = []
    needed = amount
    seen = 0
    while needed > 0 and seen < MAX_LOTS_PER_DRAW:
        batch = out.spendable_lots(store_id, wallet_id, strategy, now, seen, LOT_DRAW_BATCH,
                                   withdrawable_only=withdrawable_only)
        needed = plan_draw(batch, needed, draws)
        seen += len(batch)
        if len(batch) < LOT_DRAW_BATCH:
            break
    if needed > 0 and withdrawable_only:
        raise refusal(Code.INSUFFICIENT_FUNDS, f"The wallet has {amount - needed} {unit} "
                      f"withdrawable, {amount} {unit} needed.", param="amount")
    if needed > 0:
        raise refusal(Code.INSUFFICIENT_FUNDS, param="amount", available=amount - needed,
                      unit=unit, needed=amount)
    return draws


def plan_draw(candidates: list[tuple[str, str, int]], needed: int, draws: list[Draw]) -> int:
    """Take from `candidates` (lot id, funding type, free part; in spending order) until
    `needed` is covered, appending to `draws`; what is still needed after them."""
    for lot_id, funding_type, free in candidates:
        if needed == 0:
            break
        take = min(free, needed)
        draws.append(Draw(lot_id, funding_type, take))
        needed -= take
    return needed


def apply_entries(conn: Connection, store_id: str, transaction_id: str,
                  entries: list[LotEntry], now: datetime) -> None:
    """Move each lot's remaining and held by its entry and record the entries.

    A lot drawn down to zero (nothing left, nothing held) becomes 'spent'.
    """
    writer(conn).move_lots(store_id, transaction_id,
                           [LotMove(e.lot_id, e.amount, e.held_delta) for e in entries], now)


def close_lots(conn: Connection, store_id: str, lot_ids: list[str], status: str,
               now: datetime) -> None:
    """Mark drained lots expired or voided (remaining and held must be zero)."""
    if lot_ids:
        conn.execute(
            update(lots)
            .where(lots.c.store_id == store_id, lots.c.lot_id.in_(lot_ids),
                   lots.c.remaining == 0, lots.c.held == 0)
            .values(status=status, closed_at=now)
        )


def expired_free_lots(conn: Connection, store_id: str, wallet_id: str,
                      now: datetime) -> list[Row[Any]]:
    """Lots of one wallet past their expiry with a free part not yet swept."""
    return list(conn.execute(
        select(lots.c.lot_id, lots.c.funding_type, lots.c.remaining, lots.c.held)
        .where(lots.c.store_id == store_id, lots.c.wallet_id == wallet_id,
               lots.c.status == LOT_ACTIVE, lots.c.remaining > lots.c.held,
               lots.c.expires_at.is_not(None), lots.c.expires_at <= now)
        .order_by(lots.c.lot_id)
    ).all())


def lot_from_row(row: Row[Any], now: datetime) -> Lot:
    status = row.status
    if status == LOT_ACTIVE and row.expires_at is not None and row.expires_at <= now:
        status = LOT_EXPIRED
    return Lot(
        id=row.lot_id, wallet_id=row.wallet_id, unit=row.unit, status=status,
        amount=row.amount, remaining=row.remaining, held=row.held,
        funding_type=row.funding_type, is_withdrawable=bool(row.is_withdrawable),
        expires_at=row.expires_at, source_type=row.source_type, source_id=row.source_id,
        description=row.description, transaction_id=row.transaction_id,
        created_at=row.created_at,
    )
