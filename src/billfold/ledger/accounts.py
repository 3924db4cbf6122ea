"""Wallet and store accounts, and the one function that posts to them.

A wallet is an account of kind 'wallet'. Store accounts are named by code
(issued, spent, expired, voided, reversed, holds), funding type, unit and a
bucket chosen from the wallet id, so that movements on different wallets
seldom wait on the same store row. Lock order: wallets (by id, `FOR UPDATE`)
first, then store accounts by id, which `post` takes last.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, select, update

from billfold.errors import BillfoldError, Code, refusal
from billfold.ids import new_id
from billfold.ledger.checks import check_id
from billfold.store.tables import accounts, customers
from billfold.store.writer import Totals, writer

STORE_ACCOUNT_BUCKETS = 64
SPENDING_STRATEGIES = ("expiry_first", "oldest_first")


@dataclass(frozen=True, slots=True)
class Program:
    name: str
    unit: str
    spending_strategy: str
    default_expires_seconds: int | None


@dataclass(frozen=True, slots=True)
class Leg:
    """One account's share of a transaction. Sums over a transaction are zero."""

    account_id: str
    amount: int = 0
    held_delta: int = 0
    pending_delta: int = 0


Posted = Totals  # an account's totals right after a posting


def bucket_of(wallet_id: str) -> int:
    return zlib.crc32(wallet_id.encode()) % STORE_ACCOUNT_BUCKETS


def store_account_id(code: str, unit: str, funding_type: str | None, wallet_id: str) -> str:
    return f"acc_{code}.{funding_type or 'all'}.{unit}.{bucket_of(wallet_id)}"


def get_program(conn: Connection, store_id: str, name: str) -> Program:
    row = writer(conn).program(store_id, name)
    if row is None:
        raise program_not_found(name)
    return Program(*row)


def program_not_found(name: str) -> BillfoldError:
    return refusal(Code.PROGRAM_NOT_FOUND, param="program", name=name)


def customer_not_found(customer_id: str) -> BillfoldError:
    return refusal(Code.CUSTOMER_NOT_FOUND, param="customer_id", customer_id=customer_id)


def customer_exists(conn: Connection, store_id: str, customer_id: str) -> bool:
    return conn.execute(
        select(customers.c.customer_id)
        .where(customers.c.store_id == store_id, customers.c.customer_id == customer_id)
    ).first() is not None


def ensure_customer(conn: Connection, store_id: str, customer_id: str, now: datetime) -> None:
    check_id(customer_id, "customer_id")
    writer(conn).add_customer(store_id, customer_id, now)


def lock_customer(conn: Connection, store_id: str, customer_id: str) -> None:
    """Lock the customer row until commit, for a use case that decides from the customer's
    other records (is this the first order?) before it writes."""
    found = conn.execute(select(customers.c.customer_id).where(
        customers.c.store_id == store_id, customers.c.customer_id == customer_id)
        .with_for_update()).first()
    if found is None:
        raise customer_not_found(customer_id)


def lock_wallet(conn: Connection, store_id: str, customer_id: str, program: str) -> Row[Any] | None:
    """The wallet row, locked until commit (FOR UPDATE; SQLite holds the write lock already)."""
    return writer(conn).lock_wallet(store_id, customer_id, program)


def lock_wallet_by_id(conn: Connection, store_id: str, wallet_id: str) -> Row[Any]:
    row = writer(conn).lock_wallet_by_id(store_id, wallet_id)
    assert row is not None, f"wallet {wallet_id} vanished"
    return row


def open_wallet(conn: Connection, store_id: str, customer_id: str, program: Program,
                now: datetime) -> Row[Any]:
    """Lock the customer's wallet in `program`, creating customer and wallet if new."""
    row = lock_wallet(conn, store_id, customer_id, program.name)
    if row is not None:
        return row
    # A concurrent creator may win the insert; the lock below then finds its wallet.
    wallet_id = ensure_wallet_exists(conn, store_id, customer_id, program, now, create=True)
    assert wallet_id is not None
    return lock_wallet_by_id(conn, store_id, wallet_id)


def post(conn: Connection, store_id: str, transaction_id: str, unit: str, legs: list[Leg],
         now: datetime) -> dict[str, Posted]:
    """Apply `legs` to their accounts' running totals and append one posting each.

    Asserts that the legs balance. Wallet accounts must already be locked by the
    caller; store accounts are created on first use and updated last, in id order.
    """
    merged: dict[str, list[int]] = {}
    for leg in legs:
        totals = merged.get(leg.account_id)
        if totals is None:
            merged[leg.account_id] = [leg.amount, leg.held_delta, leg.pending_delta]
        else:
            totals[0] += leg.amount
            totals[1] += leg.held_delta
            totals[2] += leg.pending_delta
    for index in range(3):
        assert sum(t[index] for t in merged.values()) == 0, f"unbalanced legs {legs}"
    wallet_first = sorted(merged, key=lambda a: (not a.startswith("wal_"), a))
    out = writer(conn)
    posted: dict[str, Posted] = {}
    rows = []
    for account_id in wallet_first:
        amount, held_delta, pending_delta = merged[account_id]
        result = out.add_to_account(store_id, account_id, amount, held_delta, pending_delta)
        if result is None:
            assert not account_id.startswith("wal_"), f"wallet {account_id} missing"
            create_store_account(conn, store_id, account_id, unit, now)
            result = out.add_to_account(store_id, account_id, amount, held_delta,
                                        pending_delta)
            assert result is not None
        posted[account_id] = result
        rows.append((store_id, account_id, result.seq, transaction_id, unit, amount,
                     held_delta, pending_delta, result.balance_after, result.held_after,
                     now))
    out.add_postings(rows)
    return posted


def create_store_account(conn: Connection, store_id: str, account_id: str, unit: str,
                          now: datetime) -> None:
    code, funding, account_unit, bucket = account_id.removeprefix("acc_").split(".")
    assert account_unit == unit
    writer(conn).add_account(_account_values(
        store_id, account_id, kind="store", unit=unit, now=now, code=code,
        funding_type=None if funding == "all" else funding, bucket=int(bucket)))


def _account_values(store_id: str, account_id: str, *, kind: str, unit: str, now: datetime,
                    customer_id: str | None = None, program: str | None = None,
                    code: str | None = None, funding_type: str | None = None,
                    bucket: int = 0) -> dict[str, Any]:
    return {
        "store_id": store_id, "account_id": account_id, "kind": kind,
        "customer_id": customer_id, "program": program, "code": code,
        "funding_type": funding_type, "bucket": bucket, "unit": unit, "balance": 0,
        "held": 0, "pending": 0, "debits_posted": 0, "credits_posted": 0, "last_seq": 0,
        "created_at": now,
    }


def ensure_wallet_exists(conn: Connection, store_id: str, customer_id: str, program: Program,
                         now: datetime, *, create: bool) -> str | None:
    """The wallet id (not locked), creating customer and wallet first if `create`."""
    found = conn.execute(select(accounts.c.account_id).where(
        accounts.c.store_id == store_id, accounts.c.customer_id == customer_id,
        accounts.c.program == program.name)).scalar_one_or_none()
    if found is not None or not create:
        return found
    ensure_customer(conn, store_id, customer_id, now)
    wallet_id = new_id("wal")
    writer(conn).add_account(_account_values(
        store_id, wallet_id, kind="wallet", unit=program.unit, now=now,
        customer_id=customer_id, program=program.name, bucket=bucket_of(wallet_id)))
    return conn.execute(select(accounts.c.account_id).where(
        accounts.c.store_id == store_id, accounts.c.customer_id == customer_id,
        accounts.c.program == program.name)).scalar_one()


def lock_customer_wallets(conn: Connection, store_id: str, customer_id: str,
                          programs: list[str] | None = None) -> list[str]:
    """Lock the customer's wallets (in `programs`, or all), by id (the one lock order),
    for a use case that reads them and then moves money in several of them (a refund
    across programs, a checkout): what it reads after this is what it may move.
    Returns their ids."""
    query = (select(accounts.c.account_id)
             .where(accounts.c.store_id == store_id, accounts.c.customer_id == customer_id,
                    accounts.c.kind == "wallet"))
    if programs is not None:
        query = query.where(accounts.c.program.in_(programs))
    return list(conn.execute(query.order_by(accounts.c.account_id).with_for_update()).scalars())


def bump_store_account(conn: Connection, store_id: str, account_id: str, unit: str,
                       amount: int, postings_count: int, now: datetime) -> Posted:
    """Add `amount` (all legs of one sign) in `postings_count` postings to a store
    account, creating it on first use; its totals after. For set-based batches."""
    for _attempt in range(2):
        row = conn.execute(_UPDATE_ACCOUNT_MANY, {
            "b_store_id": store_id, "b_account_id": account_id, "b_amount": amount,
            "b_credit": max(amount, 0), "b_debit": max(-amount, 0),
            "b_count": postings_count}).one_or_none()
        if row is not None:
            return Posted(row[0], row[1], row[2])
        create_store_account(conn, store_id, account_id, unit, now)
    raise AssertionError(f"store account {account_id} could not be created")


_UPDATE_ACCOUNT_MANY = (
    update(accounts)
    .where(accounts.c.store_id == bindparam("b_store_id"),
           accounts.c.account_id == bindparam("b_account_id"))
    .values(balance=accounts.c.balance + bindparam("b_amount"),
            credits_posted=accounts.c.credits_posted + bindparam("b_credit"),
            debits_posted=accounts.c.debits_posted + bindparam("b_debit"),
            last_seq=accounts.c.last_seq + bindparam("b_count"))
    .returning(accounts.c.last_seq, accounts.c.balance, accounts.c.held)
)


def wallet_to_spend_from(conn: Connection, store_id: str, customer_id: str, program: Program,
                         amount: int) -> Row[Any]:
    """The customer's wallet in `program`, locked; NotFound for an unknown customer,
    InsufficientFunds for a known one who has no wallet there yet."""
    wallet = lock_wallet(conn, store_id, customer_id, program.name)
    if wallet is not None:
        return wallet
    if not customer_exists(conn, store_id, customer_id):
        raise customer_not_found(customer_id)
    raise refusal(Code.INSUFFICIENT_FUNDS, param="amount", available=0, unit=program.unit,
                  needed=amount)


def post_store_legs(conn: Connection, store_id: str,
                    legs_by_account: dict[str, list[tuple[str, int]]],
                    now: datetime) -> list[dict[str, Any]]:
    """For a set-based batch: add each store account's legs (transaction id, amount) to
    its totals, in account-id order, and return their posting rows, numbered and with
    running balances."""
    rows = []
    for account_id in sorted(legs_by_account):  # store accounts last, by id
        legs = legs_by_account[account_id]
        unit = account_id.split(".")[2]  # acc_<code>.<funding>.<unit>.<bucket>
        total = sum(amount for _, amount in legs)
        after = bump_store_account(conn, store_id, account_id, unit, total, len(legs), now)
        seq, balance = after.seq - len(legs), after.balance_after - total
        for transaction_id, amount in legs:
            seq, balance = seq + 1, balance + amount
            rows.append({
                "store_id": store_id, "account_id": account_id, "seq": seq,
                "transaction_id": transaction_id, "unit": unit, "amount": amount,
                "held_delta": 0, "pending_delta": 0, "balance_after": balance,
                "held_after": after.held_after, "created_at": now})
    return rows


def refuse_from_reply(result: dict[str, Any], customer_id: str, program: str, amount: int) -> None:
    """Raise the refusal a function reported, as the Python path would."""
    error = result.get("error")
    if error == Code.PROGRAM_NOT_FOUND.code:
        raise program_not_found(program)
    if error == Code.CUSTOMER_NOT_FOUND.code:
        raise customer_not_found(customer_id)
    if error == Code.INSUFFICIENT_FUNDS.code:
        raise refusal(Code.INSUFFICIENT_FUNDS, param="amount", available=result["available"],
                      unit=result["unit"], needed=amount)
    assert error is None, result
