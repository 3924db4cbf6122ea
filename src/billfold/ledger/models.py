"""Values the ledger returns. Frozen; amounts are int minor units of `unit`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# Funding types and whether their credit may be withdrawn by default (DESIGN.md).
DEFAULT_WITHDRAWABLE: dict[str, bool] = {
    "cash": True,
    "refund": True,
    "manual_adjustment": True,
    "promotional": False,
    "cashback": False,
    "code_redemption": False,
}
FUNDING_TYPES = frozenset(DEFAULT_WITHDRAWABLE)

# Transaction types. The API's list plus the lot administration ones.
TRANSACTION_TYPES = frozenset({
    "credit", "debit", "hold", "capture", "release", "expiry", "refund", "cashback",
    "reversal", "withdrawal", "void", "lot_expiry_change", "transfer",
    "promise", "promise_adjustment", "promise_void",
})
CREDIT_TYPES = frozenset({"credit", "refund", "cashback"})  # add a lot; reversible
DEBIT_TYPES = frozenset({"debit", "capture", "withdrawal"})  # draw lots; reversible

# Lot statuses as stored. "expired" on read also covers an unswept lot past expiry.
LOT_ACTIVE, LOT_SPENT, LOT_EXPIRED, LOT_VOIDED = "active", "spent", "expired", "voided"

HOLD_HELD, HOLD_CAPTURED, HOLD_RELEASED, HOLD_EXPIRED = "held", "captured", "released", "expired"


@dataclass(frozen=True, slots=True)
class LotEntry:
    """What one transaction did to one lot: `amount` moves remaining, `held_delta` held."""

    lot_id: str
    funding_type: str
    amount: int
    held_delta: int


@dataclass(frozen=True, slots=True)
class Transaction:
    id: str
    store_id: str
    type: str
    wallet_id: str | None
    customer_id: str | None
    program: str | None
    unit: str
    amount: int
    balance_after: int | None
    held_after: int | None
    funding_type: str | None
    description: str | None
    reference: str | None
    metadata: dict[str, Any]
    reverses_transaction_id: str | None
    hold_id: str | None
    lot_id: str | None
    created_at: datetime
    lots: tuple[LotEntry, ...] = ()

    @property
    def available_after(self) -> int | None:
        """Posted balance less held after this transaction (expiry not deducted)."""
        if self.balance_after is None or self.held_after is None:
            return None
        return self.balance_after - self.held_after


@dataclass(frozen=True, slots=True)
class NextExpiry:
    amount: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Balance:
    """A wallet's figures now. `total = available + held`; `available` excludes
    every lot past its expiry, swept or not."""

    wallet_id: str | None
    customer_id: str
    program: str
    unit: str
    available: int
    held: int
    pending: int
    total: int
    by_funding_type: dict[str, int] = field(default_factory=dict)
    next_expiry: NextExpiry | None = None


@dataclass(frozen=True, slots=True)
class Lot:
    id: str
    wallet_id: str
    unit: str
    status: str
    amount: int
    remaining: int
    held: int
    funding_type: str
    is_withdrawable: bool
    expires_at: datetime | None
    source_type: str
    source_id: str | None
    description: str | None
    transaction_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Hold:
    id: str
    store_id: str
    wallet_id: str
    customer_id: str
    program: str
    unit: str
    status: str
    amount: int
    captured_amount: int
    reference: str | None
    metadata: dict[str, Any]
    expires_at: datetime
    created_at: datetime
    settled_at: datetime | None
    transaction_id: str
    settled_transaction_id: str | None


PROMISE_PENDING, PROMISE_GRANTED, PROMISE_VOIDED = "pending", "granted", "voided"


@dataclass(frozen=True, slots=True)
class Promise:
    """Credit promised but not yet spendable (cashback before the order ships).

    It shows in the wallet's `pending`; granting turns it into a lot, voiding
    ends it; it may shrink before either (a partial refund)."""

    id: str
    store_id: str
    wallet_id: str
    customer_id: str
    program: str
    unit: str
    status: str
    amount: int
    original_amount: int
    funding_type: str
    source_type: str
    source_id: str | None
    created_at: datetime
    settled_at: datetime | None
    lot_id: str | None


@dataclass(frozen=True, slots=True)
class LotUsage:
    """One transaction's effect on a lot, for "which debits drew on this lot"."""

    transaction_id: str
    type: str
    amount: int
    held_delta: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    data: tuple[T, ...]
    has_more: bool
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class SweepResult:
    transactions: int
    lots: int
    amount: int
