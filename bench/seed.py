"""Fast seeding: ledger rows written in bulk, exactly as the library would write them.

Seeding 50,000 lots one `credit()` at a time costs minutes (see RESULTS.md),
so the benchmark writes the same rows the library writes — customer, wallet
account, lot, transaction, lot entry, the two postings with their running
`balance_after`, the store accounts' totals — with batched INSERTs. Every
invariant of DESIGN.md holds by construction, and `billfold verify` checks it
after seeding (the smoke test asserts it). Outbox events are not written:
they are not part of the books and nothing reads them here.

Two shapes of history are needed:
- `credit(...)`: a new lot, funded by the store's issuance account;
- `spend_lot(...)`: a debit that takes a lot whole, paid into the store's
  `spent` account (used to give a growth wallet a long history of closed lots).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from billfold.ledger.accounts import bucket_of, store_account_id
from billfold.ledger.models import DEFAULT_WITHDRAWABLE, LOT_ACTIVE, LOT_SPENT
from billfold.store.tables import (
    accounts,
    customers,
    lot_entries,
    lots,
    postings,
    transactions,
)

FLUSH_ROWS = 5_000  # rows buffered per table before one executemany
PROGRAM = "main"


@dataclass
class _Account:
    account_id: str
    kind: str
    unit: str
    customer_id: str | None = None
    code: str | None = None
    funding_type: str | None = None
    bucket: int = 0
    balance: int = 0
    debits_posted: int = 0
    credits_posted: int = 0
    last_seq: int = 0
    is_new: bool = True


@dataclass
class _Lot:
    row: dict[str, Any]
    remaining: int


@dataclass
class LedgerWriter:
    """Buffers ledger rows for one store and writes them in batches.

    Use on a store with no wallets yet for the customers it writes (the writer
    owns their accounts' counters); store accounts already in the database are
    read first and continued.
    """

    conn: Connection
    store_id: str
    unit: str
    now: datetime
    _accounts: dict[str, _Account] = field(default_factory=dict)
    _rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    _open_lots: dict[str, _Lot] = field(default_factory=dict)
    _serial: int = 0
    _tag: str = field(default_factory=lambda: secrets.token_hex(5))
    wallets: dict[str, str] = field(default_factory=dict)  # customer_id -> wallet id

    def _next_id(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}_bench{self._tag}{self._serial:012d}"

    def wallet(self, customer_id: str) -> str:
        """The customer's wallet id, creating customer and wallet rows if new."""
        wallet_id = self.wallets.get(customer_id)
        if wallet_id is None:
            wallet_id = self._next_id("wal")
            self.wallets[customer_id] = wallet_id
            self._rows["customers"].append({
                "store_id": self.store_id, "customer_id": customer_id, "email": None,
                "name": None, "metadata": {}, "created_at": self.now})
            self._accounts[wallet_id] = _Account(wallet_id, "wallet", self.unit,
                                                 customer_id=customer_id,
                                                 bucket=bucket_of(wallet_id))
        return wallet_id

    def _store_account(self, code: str, funding_type: str, wallet_id: str) -> _Account:
        account_id = store_account_id(code, self.unit, funding_type, wallet_id)
        account = self._accounts.get(account_id)
        if account is None:
            row = self.conn.execute(select(accounts).where(
                accounts.c.store_id == self.store_id,
                accounts.c.account_id == account_id)).one_or_none()
            account = _Account(account_id, "store", self.unit, code=code,
                               funding_type=funding_type, bucket=bucket_of(wallet_id))
            if row is not None:
                assert row.held == 0 and row.pending == 0
                account.balance, account.debits_posted = row.balance, row.debits_posted
                account.credits_posted, account.last_seq = row.credits_posted, row.last_seq
                account.is_new = False
            self._accounts[account_id] = account
        return account

    def _post(self, account: _Account, transaction_id: str, amount: int) -> int:
        account.balance += amount
        account.last_seq += 1
        if amount > 0:
            account.credits_posted += amount
        else:
            account.debits_posted -= amount
        self._rows["postings"].append({
            "store_id": self.store_id, "account_id": account.account_id,
            "seq": account.last_seq, "transaction_id": transaction_id, "unit": self.unit,
            "amount": amount, "held_delta": 0, "pending_delta": 0,
            "balance_after": account.balance, "held_after": 0, "created_at": self.now})
        return account.balance

    def _transaction(self, transaction_id: str, type_: str, customer_id: str, wallet_id: str,
                     amount: int, balance_after: int, funding_type: str,
                     lot_id: str | None) -> None:
        self._rows["transactions"].append({
            "store_id": self.store_id, "transaction_id": transaction_id, "type": type_,
            "wallet_id": wallet_id, "customer_id": customer_id, "program": PROGRAM,
            "unit": self.unit, "amount": amount, "balance_after": balance_after,
            "held_after": 0, "funding_type": funding_type, "description": None,
            "reference": None, "metadata": {}, "reverses_transaction_id": None,
            "hold_id": None, "lot_id": lot_id, "created_at": self.now})

    def _entry(self, transaction_id: str, lot_id: str, amount: int) -> None:
        self._rows["lot_entries"].append({
            "store_id": self.store_id, "transaction_id": transaction_id, "lot_id": lot_id,
            "amount": amount, "held_delta": 0, "position": 0, "created_at": self.now})

    def credit(self, customer_id: str, amount: int, *, funding_type: str = "cash",
               expires_at: datetime | None = None) -> str:
        """A credit creating one lot; returns the lot id."""
        assert amount > 0 and funding_type in DEFAULT_WITHDRAWABLE
        wallet_id = self.wallet(customer_id)
        transaction_id, lot_id = self._next_id("txn"), self._next_id("lot")
        balance_after = self._post(self._accounts[wallet_id], transaction_id, amount)
        self._post(self._store_account("issued", funding_type, wallet_id), transaction_id,
                   -amount)
        self._transaction(transaction_id, "credit", customer_id, wallet_id, amount,
                          balance_after, funding_type, lot_id)  # names its lot: no entry
        self._open_lots[lot_id] = _Lot({
            "store_id": self.store_id, "lot_id": lot_id, "wallet_id": wallet_id,
            "unit": self.unit, "amount": amount, "remaining": amount, "held": 0,
            "funding_type": funding_type,
            "is_withdrawable": DEFAULT_WITHDRAWABLE[funding_type], "expires_at": expires_at,
            "status": LOT_ACTIVE, "source_type": "manual", "source_id": None,
            "description": None, "transaction_id": transaction_id,
            "created_at": self.now, "closed_at": None}, amount)
        self.now += timedelta(microseconds=1)
        return lot_id

    def spend_lot(self, customer_id: str, lot_id: str) -> None:
        """A debit taking the whole of a lot credited since the last flush."""
        lot = self._open_lots[lot_id]
        wallet_id, funding_type, amount = lot.row["wallet_id"], lot.row["funding_type"], \
            lot.remaining
        assert self.wallets[customer_id] == wallet_id and amount > 0
        transaction_id = self._next_id("txn")
        balance_after = self._post(self._accounts[wallet_id], transaction_id, -amount)
        self._post(self._store_account("spent", funding_type, wallet_id), transaction_id,
                   amount)
        self._transaction(transaction_id, "debit", customer_id, wallet_id, amount,
                          balance_after, funding_type, None)
        self._entry(transaction_id, lot_id, -amount)
        lot.remaining = 0
        lot.row.update(remaining=0, status=LOT_SPENT, closed_at=self.now)
        self.now += timedelta(microseconds=1)

    def maybe_flush(self) -> None:
        if max((len(rows) for rows in self._rows.values()), default=0) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write buffered rows (lots with their state at this moment)."""
        self._rows["lots"] = [lot.row for lot in self._open_lots.values()]
        self._open_lots.clear()
        for table in (customers, transactions, lots, lot_entries, postings):
            rows = self._rows.pop(table.name, [])
            if rows:
                self.conn.execute(insert(table), rows)

    def finish(self) -> None:
        """Flush, then write every touched account's totals."""
        self.flush()
        new, old = [], []
        for account in self._accounts.values():
            values = {
                "store_id": self.store_id, "account_id": account.account_id,
                "kind": account.kind, "customer_id": account.customer_id,
                "program": PROGRAM if account.kind == "wallet" else None,
                "code": account.code, "funding_type": account.funding_type,
                "bucket": account.bucket, "unit": account.unit, "balance": account.balance,
                "held": 0, "pending": 0, "debits_posted": account.debits_posted,
                "credits_posted": account.credits_posted, "last_seq": account.last_seq,
                "created_at": self.now}
            (new if account.is_new else old).append(values)
        if new:
            self.conn.execute(insert(accounts), new)
        for values in old:
            self.conn.execute(update(accounts).where(
                accounts.c.store_id == self.store_id,
                accounts.c.account_id == values["account_id"]).values(
                balance=values["balance"], debits_posted=values["debits_posted"],
                credits_posted=values["credits_posted"], last_seq=values["last_seq"]))
        self._accounts.clear()


# Seeded wallets draw in this order (expiry first): a debit of 1.5 lots takes the
# promotional lot and half the cashback one, so every debit touches two lots or more.
LOT_SHAPES: tuple[tuple[str, int | None], ...] = (
    ("promotional", 30), ("cashback", 60), ("refund", 90), ("cash", None),
    ("manual_adjustment", None),
)
LOT_AMOUNT = 1_000
HOT_LOT_AMOUNT = 10**11


def seed_wallets(conn: Connection, store_id: str, unit: str, now: datetime,
                 customer_ids: list[str], *, lot_amount: int = LOT_AMOUNT,
                 expire_in_days: int | None = None) -> int:
    """Give each customer a wallet with one lot per LOT_SHAPES; returns lots written.

    `expire_in_days` overrides every lot's expiry (the expiry-sweep store)."""
    writer = LedgerWriter(conn, store_id, unit, now)
    count = 0
    for customer_id in customer_ids:
        for funding_type, days in LOT_SHAPES:
            days = expire_in_days if expire_in_days is not None else days
            writer.credit(customer_id, lot_amount, funding_type=funding_type,
                          expires_at=None if days is None else now + timedelta(days=days))
            count += 1
        writer.maybe_flush()
    writer.finish()
    return count


def seed_history(conn: Connection, store_id: str, unit: str, now: datetime,
                 customer_id: str, wallet_postings: int) -> None:
    """One wallet with about `wallet_postings` postings: credit/debit pairs of closed
    lots, then the five live lots of a seeded wallet."""
    writer = LedgerWriter(conn, store_id, unit, now)
    pairs = max(0, (wallet_postings - len(LOT_SHAPES)) // 2)
    for _ in range(pairs):
        lot_id = writer.credit(customer_id, LOT_AMOUNT, funding_type="cashback")
        writer.spend_lot(customer_id, lot_id)
        writer.maybe_flush()
    for funding_type, days in LOT_SHAPES:
        writer.credit(customer_id, LOT_AMOUNT, funding_type=funding_type,
                      expires_at=None if days is None else now + timedelta(days=days))
    writer.finish()


# -- PostgreSQL: long histories generated by the server ----------------------------------

_GENERATE_PAIRS = """
WITH k AS (SELECT g AS k FROM generate_series(0, :pairs - 1) AS g),
ins_lots AS (
  INSERT INTO lots (store_id, lot_id, wallet_id, unit, amount, remaining, held, funding_type,
                    is_withdrawable, expires_at, status, source_type, source_id, description,
                    transaction_id, created_at, closed_at)
  SELECT :store_id, :lot || lpad(k::text, 12, '0'), :wallet_id, :unit, :amount, 0, 0,
         'cashback', false, NULL, 'spent', 'manual', NULL, NULL,
         :txn || lpad((2 * k)::text, 12, '0'),
         :now + (2 * k) * interval '1 microsecond',
         :now + (2 * k + 1) * interval '1 microsecond'
    FROM k RETURNING 1),
ins_txns AS (
  INSERT INTO transactions (store_id, transaction_id, type, wallet_id, customer_id, program,
                            unit, amount, balance_after, held_after, funding_type, description,
                            reference, metadata, reverses_transaction_id, hold_id, lot_id,
                            created_at)
  SELECT :store_id, :txn || lpad((2 * k + d)::text, 12, '0'),
         CASE WHEN d = 0 THEN 'credit' ELSE 'debit' END, :wallet_id, :customer_id, 'main',
         :unit, :amount, CASE WHEN d = 0 THEN :amount ELSE 0 END, 0, 'cashback', NULL, NULL,
         '{}'::jsonb, NULL, NULL,
         CASE WHEN d = 0 THEN :lot || lpad(k::text, 12, '0') END,
         :now + (2 * k + d) * interval '1 microsecond'
    FROM k, (VALUES (0), (1)) AS s(d) RETURNING 1),
ins_entries AS (
  INSERT INTO lot_entries (store_id, transaction_id, lot_id, amount, held_delta, position,
                           created_at)
  SELECT :store_id, :txn || lpad((2 * k + 1)::text, 12, '0'),
         :lot || lpad(k::text, 12, '0'), -:amount,
         0, 0, :now + (2 * k + 1) * interval '1 microsecond'
    FROM k RETURNING 1)
INSERT INTO postings (store_id, account_id, seq, transaction_id, unit, amount, held_delta,
                      pending_delta, balance_after, held_after, created_at)
SELECT :store_id, :wallet_id, 2 * k + d + 1, :txn || lpad((2 * k + d)::text, 12, '0'),
       :unit, CASE WHEN d = 0 THEN :amount ELSE -:amount END, 0, 0,
       CASE WHEN d = 0 THEN :amount ELSE 0 END, 0,
       :now + (2 * k + d) * interval '1 microsecond'
  FROM k, (VALUES (0), (1)) AS s(d)
UNION ALL
SELECT :store_id, :issued_id, :issued_seq + k + 1, :txn || lpad((2 * k)::text, 12, '0'),
       :unit, -:amount, 0, 0, :issued_balance - (k + 1) * :amount, 0,
       :now + (2 * k) * interval '1 microsecond'
  FROM k
UNION ALL
SELECT :store_id, :spent_id, :spent_seq + k + 1,
       :txn || lpad((2 * k + 1)::text, 12, '0'), :unit, :amount, 0, 0,
       :spent_balance + (k + 1) * :amount, 0, :now + (2 * k + 1) * interval '1 microsecond'
  FROM k
"""


def seed_history_in_postgres(conn: Connection, store_id: str, unit: str, now: datetime,
                             customer_id: str, wallet_postings: int) -> None:
    """`seed_history`, the credit/debit pairs generated by PostgreSQL itself (~50x faster):
    the same rows, ids `txn_bench<hex>t…`, `lot_bench<hex>l…`. Then the five live lots."""
    from sqlalchemy import text

    writer = LedgerWriter(conn, store_id, unit, now)
    wallet_id = writer.wallet(customer_id)
    writer.flush()  # the customer row
    pairs = max(0, (wallet_postings - len(LOT_SHAPES)) // 2)
    issued = writer._store_account("issued", "cashback", wallet_id)
    spent = writer._store_account("spent", "cashback", wallet_id)
    tag = secrets.token_hex(5)
    conn.execute(text(_GENERATE_PAIRS), {
        "pairs": pairs, "store_id": store_id, "unit": unit, "now": now,
        "txn": f"txn_bench{tag}t", "lot": f"lot_bench{tag}l", "wallet_id": wallet_id,
        "customer_id": customer_id, "amount": LOT_AMOUNT,
        "issued_id": issued.account_id, "issued_seq": issued.last_seq,
        "issued_balance": issued.balance, "spent_id": spent.account_id,
        "spent_seq": spent.last_seq, "spent_balance": spent.balance})
    moved = pairs * LOT_AMOUNT
    wallet = writer._accounts[wallet_id]
    wallet.last_seq, wallet.debits_posted, wallet.credits_posted = 2 * pairs, moved, moved
    issued.last_seq += pairs
    issued.balance -= moved
    issued.debits_posted += moved
    spent.last_seq += pairs
    spent.balance += moved
    spent.credits_posted += moved
    writer.now = now + timedelta(microseconds=2 * pairs)
    for funding_type, days in LOT_SHAPES:
        writer.credit(customer_id, LOT_AMOUNT, funding_type=funding_type,
                      expires_at=None if days is None else now + timedelta(days=days))
    writer.finish()
