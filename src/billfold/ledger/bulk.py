"""Granting credit to many customers at once, in a few set-based statements.

The books are the same as one `credit.credit` per customer (a lot, its
entry, a wallet posting and an issuance posting, a transaction and an event
each); only the statements are shared: customers and wallets are created
with one insert each, wallets are locked in id order with one SELECT, and
rows are written in bulk. Call it with at most MAX_GRANTS_PER_BATCH grants
per transaction.

On PostgreSQL the whole batch is one call of `billfold_grant` (migration 0005)
with the ids passed as arrays: no row is built in Python and none comes back.
SQLite (in-process) keeps the Python path below; both write the same rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, text

from billfold.durations import check_future_expiry
from billfold.errors import InvalidRequest, require
from billfold.ids import new_id, new_ids
from billfold.ledger.accounts import (
    bucket_of,
    get_program,
    post_store_legs,
    store_account_id,
)
from billfold.ledger.checks import check_funding_type, check_id, check_text, withdrawable_for
from billfold.ledger.journal import event_row
from billfold.ledger.models import LOT_ACTIVE
from billfold.money import check_amount
from billfold.store.engine import fast_path
from billfold.store.sql import add_to_accounts, insert_rows
from billfold.store.tables import (
    accounts,
    customers,
    lots,
    outbox_events,
    postings,
    transactions,
)
from billfold.store.types import UtcDateTime

MAX_GRANTS_PER_BATCH = 5_000


@dataclass(frozen=True, slots=True)
class GrantResult:
    transactions: int
    amount: int


def grant_credits(conn: Connection, *, store_id: str, program: str,
                  grants: list[tuple[str, int]], funding_type: str, now: datetime,
                  expires_at: datetime | None = None, type: str = "credit",
                  description: str | None = None) -> GrantResult:
    """Credit each (customer id, amount) of `grants` as its own transaction and lot."""
    _check_grants(grants, funding_type, description, type, expires_at, now)
    prog = get_program(conn, store_id, program)
    if fast_path(conn) == "postgresql":
        _grant_in_database(conn, store_id, prog, grants, funding_type, now, expires_at, type,
                           description)
        return GrantResult(transactions=len(grants), amount=sum(a for _, a in grants))
    wallets = _open_wallets(conn, store_id, prog, sorted(c for c, _ in grants), now)
    plan = _plan_grants(store_id, program, grants, wallets, funding_type, now, expires_at,
                        type, description)
    insert_rows(conn, lots, plan.lots)
    insert_rows(conn, transactions, plan.transactions)
    add_to_accounts(conn, store_id, plan.wallet_amounts)
    insert_rows(conn, postings, [*plan.wallet_postings,
                                 *post_store_legs(conn, store_id, plan.store_legs, now)])
    insert_rows(conn, outbox_events, plan.events)
    return GrantResult(transactions=len(grants), amount=sum(a for _, a in grants))


def _check_grants(grants: list[tuple[str, int]], funding_type: str, description: str | None,
                  type: str, expires_at: datetime | None, now: datetime) -> None:
    require(0 < len(grants) <= MAX_GRANTS_PER_BATCH,
            f"Give 1 to {MAX_GRANTS_PER_BATCH} grants per batch.", param="grants")
    for customer_id, amount in grants:
        check_id(customer_id, "customer_id")
        check_amount(amount)
    customer_ids = [customer_id for customer_id, _ in grants]
    if len(set(customer_ids)) != len(customer_ids):
        raise InvalidRequest("Each customer may appear once per batch.", param="grants")
    check_funding_type(funding_type)
    check_text(description, "description")
    require(type in ("credit", "cashback"), "type must be credit or cashback.", param="type")
    check_future_expiry(expires_at, now)


@dataclass
class _GrantPlan:
    lots: list[dict[str, Any]] = field(default_factory=list)
    wallet_postings: list[dict[str, Any]] = field(default_factory=list)
    transactions: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    wallet_amounts: dict[str, int] = field(default_factory=dict)
    store_legs: dict[str, list[tuple[str, int]]] = field(
        default_factory=lambda: defaultdict(list))


def _plan_grants(store_id: str, program: str, grants: list[tuple[str, int]],
                 wallets: dict[str, Any], funding_type: str, now: datetime,
                 expires_at: datetime | None, type: str,
                 description: str | None) -> _GrantPlan:
    """Every row of the batch, the ids minted in grant order (pure)."""
    plan = _GrantPlan()
    withdrawable = withdrawable_for(funding_type, None)
    for customer_id, amount in grants:
        wallet = wallets[customer_id]
        transaction_id, lot_id = new_id("txn"), new_id("lot")
        balance_after = wallet.balance + amount
        plan.lots.append({
            "store_id": store_id, "lot_id": lot_id, "wallet_id": wallet.account_id,
            "unit": wallet.unit, "amount": amount, "remaining": amount, "held": 0,
            "funding_type": funding_type, "is_withdrawable": withdrawable,
            "expires_at": expires_at, "status": LOT_ACTIVE, "source_type": "bulk",
            "source_id": None, "description": description, "transaction_id": transaction_id,
            "created_at": now, "closed_at": None})
        plan.wallet_postings.append({
            "store_id": store_id, "account_id": wallet.account_id, "seq": wallet.last_seq + 1,
            "transaction_id": transaction_id, "unit": wallet.unit, "amount": amount,
            "held_delta": 0, "pending_delta": 0, "balance_after": balance_after,
            "held_after": wallet.held, "created_at": now})
        transaction = {
            "store_id": store_id, "transaction_id": transaction_id, "type": type,
            "wallet_id": wallet.account_id, "customer_id": customer_id,
            "program": program, "unit": wallet.unit, "amount": amount,
            "balance_after": balance_after, "held_after": wallet.held,
            "funding_type": funding_type, "description": description, "reference": None,
            "metadata": {}, "reverses_transaction_id": None, "hold_id": None,
            "lot_id": lot_id, "idempotency_key": None, "request_fingerprint": None,
            "created_at": now}
        plan.transactions.append(transaction)
        plan.events.append(event_row(store_id, "wallet.credited", transaction, now))
        plan.wallet_amounts[wallet.account_id] = amount
        plan.store_legs[store_account_id("issued", wallet.unit, funding_type,
                                         wallet.account_id)].append((transaction_id, -amount))
    return plan


def _open_wallets(conn: Connection, store_id: str, prog: Any, customer_ids: list[str],
                  now: datetime) -> dict[str, Any]:
    """Create missing customers and wallets, then lock all of them in wallet-id order."""
    insert_rows(conn, customers, if_absent=True, rows=[
        {"store_id": store_id, "customer_id": customer_id, "email": None, "name": None,
         "metadata": {}, "created_at": now} for customer_id in customer_ids])
    new_ids = [new_id("wal") for _ in customer_ids]
    insert_rows(conn, accounts, if_absent=True, rows=[
        {"store_id": store_id, "account_id": wallet_id, "kind": "wallet",
         "customer_id": customer_id, "program": prog.name, "code": None,
         "funding_type": None, "bucket": bucket_of(wallet_id), "unit": prog.unit,
         "balance": 0, "held": 0, "pending": 0, "debits_posted": 0, "credits_posted": 0,
         "last_seq": 0, "created_at": now}
        for wallet_id, customer_id in zip(new_ids, customer_ids, strict=True)])
    locked = conn.execute(
        select(accounts)
        .where(accounts.c.store_id == store_id, accounts.c.program == prog.name,
               accounts.c.customer_id.in_(customer_ids))
        .order_by(accounts.c.account_id).with_for_update()).all()
    assert len(locked) == len(customer_ids)
    return {row.customer_id: row for row in locked}


_GRANT_CALL = text(
    "SELECT billfold_grant(:store_id, :program, CAST(:customer_ids AS text[]), "
    "CAST(:amounts AS bigint[]), CAST(:transaction_ids AS text[]), CAST(:lot_ids AS text[]), "
    "CAST(:event_ids AS text[]), CAST(:new_customer_ids AS text[]), "
    "CAST(:new_wallet_ids AS text[]), CAST(:new_wallet_buckets AS integer[]), "
    ":funding_type, :is_withdrawable, :expires_at, :type, :description, :now)"
).bindparams(bindparam("now", type_=UtcDateTime), bindparam("expires_at", type_=UtcDateTime))


def _grant_in_database(conn: Connection, store_id: str, prog: Any,
                       grants: list[tuple[str, int]], funding_type: str, now: datetime,
                       expires_at: datetime | None, type: str, description: str | None) -> None:
    """The batch as one `billfold_grant` call; when it names customers without a
    wallet in the program, a second call with wallet ids minted for them."""
    count = len(grants)
    arguments = {
        "store_id": store_id, "program": prog.name,
        "customer_ids": [customer_id for customer_id, _ in grants],
        "amounts": [amount for _, amount in grants],
        "transaction_ids": new_ids("txn", count), "lot_ids": new_ids("lot", count),
        "event_ids": new_ids("evt", count), "new_customer_ids": [], "new_wallet_ids": [],
        "new_wallet_buckets": [], "funding_type": funding_type,
        "is_withdrawable": withdrawable_for(funding_type, None), "expires_at": expires_at,
        "type": type, "description": description, "now": now}
    result = conn.execute(_GRANT_CALL, arguments).scalar_one()
    if "missing" in result:
        missing = sorted(result["missing"])
        new_wallet_ids = [new_id("wal") for _ in missing]
        result = conn.execute(_GRANT_CALL, {
            **arguments, "new_customer_ids": missing, "new_wallet_ids": new_wallet_ids,
            "new_wallet_buckets": [bucket_of(wallet_id) for wallet_id in new_wallet_ids],
        }).scalar_one()
    assert result == {"transactions": count}, result


