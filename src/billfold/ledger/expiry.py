"""Expiry: lots past `expires_at` move their free part to the store's breakage.

`available` never counts an expired lot whether or not this ran (the balance
read subtracts unswept ones); the sweep makes the books say so too. A held
part is not expired while held: it expires when its hold lets go of it.

On PostgreSQL a sweep batch is one call of `billfold_sweep_expired` (migration
0005): the client sends the wallet ids and the ids to mint, nothing per lot.
SQLite (in-process) keeps the Python path; both write the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, case, select, text, update

from billfold.ids import new_id, new_ids
from billfold.ledger import outbox
from billfold.ledger.accounts import Leg, post_store_legs, store_account_id
from billfold.ledger.journal import (
    event_payload,
    event_row,
    record,
    single_funding_type,
    store_legs,
)
from billfold.ledger.lots import close_lots, expired_free_lots
from billfold.ledger.models import LOT_ACTIVE, LOT_EXPIRED, LotEntry, SweepResult, Transaction
from billfold.store.engine import fast_path
from billfold.store.sql import add_to_accounts, insert_rows
from billfold.store.tables import (
    accounts,
    lot_entries,
    lots,
    outbox_events,
    postings,
    transactions,
)
from billfold.store.types import UtcDateTime

SWEEP_WALLET_BATCH = 2000


def expire_wallet_lots(conn: Connection, store_id: str, wallet: Any,
                       now: datetime) -> Transaction | None:
    """Sweep one locked wallet's expired free credit into one 'expiry' transaction."""
    rows = expired_free_lots(conn, store_id, wallet.account_id, now)
    if not rows:
        return None
    entries = [LotEntry(r.lot_id, r.funding_type, -(r.remaining - r.held), 0) for r in rows]
    total = -sum(entry.amount for entry in entries)
    legs = [Leg(wallet.account_id, -total), *store_legs("expired", wallet, entries, -1)]
    txn = record(conn, store_id=store_id, wallet=wallet, type="expiry", amount=total, legs=legs,
                 entries=entries, now=now, funding_type=single_funding_type(entries),
                 description="Credit expired")
    close_lots(conn, store_id, [e.lot_id for e in entries], LOT_EXPIRED, now)
    outbox.emit(conn, store_id, "wallet.credit_expired", event_payload(txn), now)
    return txn


def sweep_expired_lots(conn: Connection, store_id: str, now: datetime,
                       limit: int = SWEEP_WALLET_BATCH) -> SweepResult:
    """Expire the lots of up to `limit` wallets of one store in a few set-based
    statements (one expiry transaction per wallet); call again until it returns zero.

    Same books as `expire_wallet_lots` per wallet, without a statement per lot.
    """
    candidates = (
        select(lots.c.wallet_id)
        .where(lots.c.store_id == store_id, lots.c.status == LOT_ACTIVE,
               lots.c.expires_at.is_not(None), lots.c.expires_at <= now,
               lots.c.remaining > lots.c.held)
        .group_by(lots.c.wallet_id).order_by(lots.c.wallet_id).limit(limit)
    )
    wallet_ids = [row[0] for row in conn.execute(candidates)]
    if not wallet_ids:
        return SweepResult(0, 0, 0)
    if fast_path(conn) == "postgresql":
        result = conn.execute(_SWEEP_CALL, {
            "store_id": store_id, "now": now, "wallet_ids": wallet_ids,
            "transaction_ids": new_ids("txn", len(wallet_ids)),
            "event_ids": new_ids("evt", len(wallet_ids))}).scalar_one()
        return SweepResult(transactions=result["transactions"], lots=result["lots"],
                           amount=result["amount"])
    wallets = {row.account_id: row for row in conn.execute(  # the one lock order: by id
        select(accounts).where(accounts.c.store_id == store_id,
                               accounts.c.account_id.in_(wallet_ids))
        .order_by(accounts.c.account_id).with_for_update())}
    expired = conn.execute(
        select(lots.c.lot_id, lots.c.wallet_id, lots.c.funding_type,
               (lots.c.remaining - lots.c.held).label("free"))
        .where(lots.c.store_id == store_id, lots.c.wallet_id.in_(wallet_ids),
               lots.c.status == LOT_ACTIVE, lots.c.expires_at.is_not(None),
               lots.c.expires_at <= now, lots.c.remaining > lots.c.held)
        .order_by(lots.c.wallet_id, lots.c.lot_id)
    ).all()
    plan = _plan_sweep(store_id, wallets, expired, now)
    _write_sweep(conn, store_id, plan, [row.lot_id for row in expired], now)
    return SweepResult(transactions=len(plan.transactions), lots=len(expired),
                       amount=sum(row.free for row in expired))


_SWEEP_CALL = text(
    "SELECT billfold_sweep_expired(:store_id, :now, CAST(:wallet_ids AS text[]), "
    "CAST(:transaction_ids AS text[]), CAST(:event_ids AS text[]))"
).bindparams(bindparam("now", type_=UtcDateTime))


@dataclass
class _SweepPlan:
    transactions: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    wallet_postings: list[dict[str, Any]] = field(default_factory=list)
    wallet_debits: dict[str, int] = field(default_factory=dict)
    store_legs: list[tuple[str, str, int]] = field(default_factory=list)  # account, txn, amount
    events: list[dict[str, Any]] = field(default_factory=list)


def _plan_sweep(store_id: str, wallets: dict[str, Any], expired: list[Any],
                now: datetime) -> _SweepPlan:
    plan = _SweepPlan()
    by_wallet: dict[str, list[Any]] = defaultdict(list)
    for row in expired:
        by_wallet[row.wallet_id].append(row)
    for wallet_id in sorted(by_wallet):
        wallet, rows = wallets[wallet_id], by_wallet[wallet_id]
        transaction_id = new_id("txn")
        total = sum(row.free for row in rows)
        per_type: dict[str, int] = defaultdict(int)
        for position, row in enumerate(rows):
            per_type[row.funding_type] += row.free
            plan.entries.append({"store_id": store_id, "transaction_id": transaction_id,
                                 "lot_id": row.lot_id, "amount": -row.free, "held_delta": 0,
                                 "position": position, "created_at": now})
        balance_after = wallet.balance - total
        plan.wallet_debits[wallet_id] = total
        plan.wallet_postings.append({
            "store_id": store_id, "account_id": wallet_id, "seq": wallet.last_seq + 1,
            "transaction_id": transaction_id, "unit": wallet.unit, "amount": -total,
            "held_delta": 0, "pending_delta": 0, "balance_after": balance_after,
            "held_after": wallet.held, "created_at": now})
        funding_type = next(iter(per_type)) if len(per_type) == 1 else None
        transaction = {
            "store_id": store_id, "transaction_id": transaction_id, "type": "expiry",
            "wallet_id": wallet_id, "customer_id": wallet.customer_id,
            "program": wallet.program, "unit": wallet.unit, "amount": total,
            "balance_after": balance_after, "held_after": wallet.held,
            "funding_type": funding_type, "description": "Credit expired",
            "reference": None, "metadata": {}, "reverses_transaction_id": None,
            "hold_id": None, "lot_id": None, "idempotency_key": None,
            "request_fingerprint": None, "created_at": now}
        plan.transactions.append(transaction)
        plan.events.append(event_row(store_id, "wallet.credit_expired", transaction, now))
        for funding, amount in sorted(per_type.items()):
            account_id = store_account_id("expired", wallet.unit, funding, wallet_id)
            plan.store_legs.append((account_id, transaction_id, amount))
    return plan


def _write_sweep(conn: Connection, store_id: str, plan: _SweepPlan, lot_ids: list[str],
                 now: datetime) -> None:
    insert_rows(conn, transactions, plan.transactions)
    insert_rows(conn, lot_entries, plan.entries)
    conn.execute(update(lots)
                 .where(lots.c.store_id == store_id, lots.c.lot_id.in_(lot_ids))
                 .values(remaining=lots.c.held,
                         status=case((lots.c.held == 0, LOT_EXPIRED), else_=lots.c.status),
                         closed_at=case((lots.c.held == 0, now), else_=lots.c.closed_at)))
    add_to_accounts(conn, store_id, {wallet_id: -amount for wallet_id, amount
                                     in plan.wallet_debits.items()})
    postings_rows = list(plan.wallet_postings)
    per_account: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for account_id, transaction_id, amount in plan.store_legs:
        per_account[account_id].append((transaction_id, amount))
    postings_rows.extend(post_store_legs(conn, store_id, per_account, now))
    insert_rows(conn, postings, postings_rows)
    insert_rows(conn, outbox_events, plan.events)
