"""A plain-Python model of the ledger, for the state-machine test.

It applies the documented rules (spending order via `spending_key`, holds that
draw lots when placed, expiry, reversals) to lists of lots, so every step of a
random run can be compared with what the database says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from billfold.ledger.lots import spending_key


@dataclass
class MLot:
    id: str
    customer: str
    amount: int
    funding_type: str
    is_withdrawable: bool
    expires_at: datetime | None
    created_at: datetime
    remaining: int = 0
    held: int = 0
    status: str = "active"

    @property
    def free(self) -> int:
        return self.remaining - self.held

    def spendable(self, now: datetime) -> bool:
        return (self.status == "active" and self.free > 0
                and (self.expires_at is None or self.expires_at > now))


@dataclass
class MHold:
    id: str
    customer: str
    amount: int
    expires_at: datetime
    draws: list[tuple[str, int]]
    status: str = "held"


@dataclass
class MTxn:
    id: str
    type: str
    amount: int
    lot_moves: list[tuple[str, int]]   # (lot id, amount taken or given)
    reversed: int = 0
    per_lot_reversed: dict[str, int] = field(default_factory=dict)


class Model:
    def __init__(self) -> None:
        self.lots: dict[str, MLot] = {}
        self.holds: dict[str, MHold] = {}
        self.txns: dict[str, MTxn] = {}
        self.customers: set[str] = set()
        self.promises: dict[str, list[Any]] = {}   # id -> [customer, amount, status]
        self.withdrawals: dict[str, MHold] = {}   # id -> its hold (status: the withdrawal's)

    def wallet_lots(self, customer: str) -> list[MLot]:
        return [lot for lot in self.lots.values() if lot.customer == customer]

    def available(self, customer: str, now: datetime) -> int:
        return sum(lot.free for lot in self.wallet_lots(customer) if lot.spendable(now))

    def held(self, customer: str) -> int:
        return sum(lot.held for lot in self.wallet_lots(customer))

    def by_funding_type(self, customer: str, now: datetime) -> dict[str, int]:
        result: dict[str, int] = {}
        for lot in self.wallet_lots(customer):
            if lot.spendable(now):
                result[lot.funding_type] = result.get(lot.funding_type, 0) + lot.free
        return result

    def plan_draw(self, customer: str, amount: int, now: datetime,
                  strategy: str = "expiry_first", *,
                  withdrawable_only: bool = False) -> list[tuple[str, int]] | None:
        """The lots a debit of `amount` takes, in order; None if it cannot be covered.
        A withdrawal draws the same way from the withdrawable lots only."""
        candidates = sorted((lot for lot in self.wallet_lots(customer) if lot.spendable(now)
                             and (lot.is_withdrawable or not withdrawable_only)),
                            key=lambda lot: spending_key(lot, strategy))  # type: ignore[arg-type]
        draws, needed = [], amount
        for lot in candidates:
            if needed == 0:
                break
            take = min(lot.free, needed)
            draws.append((lot.id, take))
            needed -= take
        return None if needed else draws

    def take(self, lot_id: str, amount: int) -> None:
        lot = self.lots[lot_id]
        lot.remaining -= amount
        if lot.remaining == 0 and lot.held == 0 and lot.status == "active":
            lot.status = "spent"

    def expire_wallet(self, customer: str, now: datetime) -> int:
        swept = 0
        for lot in self.wallet_lots(customer):
            if (lot.status == "active" and lot.free > 0 and lot.expires_at is not None
                    and lot.expires_at <= now):
                swept += lot.free
                lot.remaining = lot.held
                if lot.remaining == 0:
                    lot.status = "expired"
        return swept

    def let_go(self, hold: MHold, captured: int, now: datetime) -> None:
        """Capture `captured` of the hold and release the rest. If a lot it held is past
        its expiry, the wallet's expired credit is swept in the same transaction."""
        still = captured
        lapsed = any(self.lots[lot_id].expires_at is not None
                     and self.lots[lot_id].expires_at <= now  # type: ignore[operator]
                     for lot_id, _held in hold.draws)
        for lot_id, held in hold.draws:
            take = min(held, still)
            still -= take
            lot = self.lots[lot_id]
            lot.held -= held
            lot.remaining -= take
            if lot.remaining == 0 and lot.held == 0 and lot.status == "active":
                lot.status = "spent"
        if lapsed:
            self.expire_wallet(hold.customer, now)

    def restore_order(self, lot_ids: list[str]) -> list[str]:
        """Reversal puts money back into the lot that expires last first (never: first)."""
        by_id_desc = sorted(lot_ids, reverse=True)
        return sorted(by_id_desc, key=lambda i: (
            self.lots[i].expires_at is not None,
            -(self.lots[i].expires_at.timestamp()) if self.lots[i].expires_at else 0.0))
