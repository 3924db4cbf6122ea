"""Writing a ledger transaction: the row, its lot entries and its postings.

`record` is the single path every movement takes, so every movement is
double-entry (asserted by `accounts.post`) and leaves a lot trail.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from billfold.ids import new_id
from billfold.ledger import thresholds
from billfold.ledger.accounts import Leg, post, store_account_id
from billfold.ledger.lots import apply_entries
from billfold.ledger.models import TRANSACTION_TYPES, LotEntry, Transaction
from billfold.store.tables import transactions
from billfold.store.writer import writer

# Where the runner of a keyed movement whose answer is its transaction (app.idempotency)
# leaves (key, fingerprint) on the connection: the next transaction written carries them.
IDEMPOTENCY = "billfold_idempotency"


def record(conn: Connection, *, store_id: str, wallet: Row[Any], type: str, amount: int,
           legs: list[Leg], entries: list[LotEntry], now: datetime,
           funding_type: str | None = None, description: str | None = None,
           reference: str | None = None, metadata: dict[str, Any] | None = None,
           reverses_transaction_id: str | None = None, hold_id: str | None = None,
           lot_id: str | None = None, transaction_id: str | None = None,
           created: LotEntry | None = None) -> Transaction:
    """Append one transaction touching `wallet` (locked by the caller). `created` is the
    entry of the lot the transaction made filled (`lot_id`): shown, never written."""
    assert type in TRANSACTION_TYPES, type
    assert amount >= 0
    transaction_id = transaction_id or new_id("txn")
    apply_entries(conn, store_id, transaction_id, entries, now)
    posted = post(conn, store_id, transaction_id, wallet.unit, legs, now)
    after = posted[wallet.account_id]
    lowered = sum(leg.amount - leg.held_delta for leg in legs
                  if leg.account_id == wallet.account_id)
    if lowered < 0:
        available = after.balance_after - after.held_after
        thresholds.watch(conn, store_id=store_id, wallet=wallet, before=available - lowered,
                         after=available, transaction_id=transaction_id, now=now)
    key, fingerprint = conn.info.pop(IDEMPOTENCY, (None, None))
    writer(conn).add_rows(transactions, [dict(
        store_id=store_id, transaction_id=transaction_id, type=type,
        wallet_id=wallet.account_id, customer_id=wallet.customer_id, program=wallet.program,
        unit=wallet.unit, amount=amount, balance_after=after.balance_after,
        held_after=after.held_after, funding_type=funding_type, description=description,
        reference=reference, metadata=metadata or {},
        reverses_transaction_id=reverses_transaction_id, hold_id=hold_id, lot_id=lot_id,
        idempotency_key=key, request_fingerprint=fingerprint, created_at=now,
    )])
    return Transaction(
        id=transaction_id, store_id=store_id, type=type, wallet_id=wallet.account_id,
        customer_id=wallet.customer_id, program=wallet.program, unit=wallet.unit,
        amount=amount, balance_after=after.balance_after, held_after=after.held_after,
        funding_type=funding_type, description=description, reference=reference,
        metadata=metadata or {}, reverses_transaction_id=reverses_transaction_id,
        hold_id=hold_id, lot_id=lot_id, created_at=now,
        lots=tuple(entries) if created is None else (created, *entries),
    )


def store_legs(code: str, wallet: Row[Any], entries: list[LotEntry], sign: int) -> list[Leg]:
    """The store side of `entries`: one leg per funding type, `sign` times their amounts."""
    per_type: dict[str, int] = defaultdict(int)
    for entry in entries:
        per_type[entry.funding_type] += entry.amount
    return [Leg(store_account_id(code, wallet.unit, funding_type, wallet.account_id),
                sign * total)
            for funding_type, total in sorted(per_type.items()) if total]


def single_funding_type(entries: list[LotEntry]) -> str | None:
    """The funding type all `entries` share, or None when they mix."""
    kinds = {e.funding_type for e in entries}
    return kinds.pop() if len(kinds) == 1 else None


# What a movement's event says of its transaction (the outbox payload).
EVENT_FIELDS = ("transaction_id", "type", "wallet_id", "customer_id", "program", "unit",
                "amount", "balance_after", "held_after", "reference")


def event_payload(txn: Transaction) -> dict[str, Any]:
    return {
        "transaction_id": txn.id, "type": txn.type, "wallet_id": txn.wallet_id,
        "customer_id": txn.customer_id, "program": txn.program, "unit": txn.unit,
        "amount": txn.amount, "balance_after": txn.balance_after,
        "held_after": txn.held_after, "reference": txn.reference,
    }


def event_row(store_id: str, event_type: str, transaction: dict[str, Any],
              now: datetime) -> dict[str, Any]:
    """An outbox row for a set-based batch: the event of a transaction row (a dict of its
    columns), its id minted now."""
    return {"store_id": store_id, "event_id": new_id("evt"), "type": event_type,
            "created_at": now, "published_at": None,
            "payload": {key: transaction[key] for key in EVENT_FIELDS}}


def transaction_template(transaction_id: str, store_id: str, type: str, customer_id: str,
                         program: str, amount: int, now: datetime, description: str | None,
                         reference: str | None, metadata: dict[str, Any], *,
                         funding_type: str | None = None, lot_id: str | None = None,
                         lots: tuple[LotEntry, ...] = ()) -> Transaction:
    """A transaction as known before a database function fills in the wallet's side."""
    return Transaction(
        id=transaction_id, store_id=store_id, type=type, wallet_id=None,
        customer_id=customer_id, program=program, unit="", amount=amount, balance_after=None,
        held_after=None, funding_type=funding_type, description=description,
        reference=reference, metadata=metadata, reverses_transaction_id=None, hold_id=None,
        lot_id=lot_id, created_at=now, lots=lots)
