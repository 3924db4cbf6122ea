"""Statistics equal what the ledger says: recomputed here from the transactions, the
lots and the store accounts' postings."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from billfold.app import Billfold, Shop
from billfold.clock import FrozenClock
from billfold.store.tables import accounts, lots, postings, transactions


def _busy_store(shop: Shop, clock: FrozenClock) -> None:
    shop.settings.update({"programs": {"rewards": {"unit": "SAR",
                                                   "max_per_order_amount": 500}}})
    shop.offers.create("10%", percent=10)
    shop.wallets.credit("ann", "main", 5000, funding_type="cash")
    shop.wallets.credit("ann", "rewards", 2000, funding_type="promotional", expires_in="1d")
    shop.wallets.credit("ben", "main", 700, funding_type="promotional", expires_in="1h")
    checkout = shop.checkouts.create("ann", "o-1", 4000, currency="SAR")
    shop.orders.create("o-1", "ann", 4000, currency="SAR", checkout_id=checkout.id,
                       lines=[{"product_id": "p", "quantity": 2, "unit_amount": 2000}])
    shop.orders.set_status("o-1", "shipped")
    clock.advance(hours=2)
    shop.orders.refund("o-1", 1000)
    shop.orders.create("o-2", "ben", 900, currency="SAR",
                       lines=[{"product_id": "p", "quantity": 1, "unit_amount": 900}])
    shop.orders.set_status("o-2", "cancelled")
    shop.orders.create("o-3", "cat", 5000, currency="SAR",
                       lines=[{"product_id": "p", "quantity": 1, "unit_amount": 5000}])
    clock.advance(days=1)
    shop._bf.sweep()


def test_stats_equal_the_transactions(shop: Shop, bf: Billfold,
                                      clock: FrozenClock) -> None:
    _busy_store(shop, clock)
    stats = shop.stats.get()
    with bf.begin(read_only=True) as conn:
        txns = conn.execute(select(transactions)
                            .where(transactions.c.store_id == shop.store_id)).all()
        lot_rows = conn.execute(select(lots.c.wallet_id, lots.c.remaining, lots.c.held,
                                       lots.c.status, lots.c.expires_at)
                                .where(lots.c.store_id == shop.store_id)).all()
        wallets = {row.account_id: row for row in conn.execute(
            select(accounts).where(accounts.c.store_id == shop.store_id,
                                   accounts.c.kind == "wallet"))}
        store_postings = conn.execute(
            select(accounts.c.code, postings.c.amount)
            .join(accounts, (accounts.c.store_id == postings.c.store_id)
                  & (accounts.c.account_id == postings.c.account_id))
            .where(postings.c.store_id == shop.store_id, accounts.c.kind == "store")).all()
    by_id = {t.transaction_id: t for t in txns}
    expected: dict[str, int] = defaultdict(int)
    for t in txns:
        kind = by_id[t.reverses_transaction_id].type if t.type == "reversal" else t.type
        sign = -1 if t.type == "reversal" else 1
        if kind in ("credit", "refund", "cashback"):
            expected["issued"] += sign * t.amount
        elif kind in ("debit", "capture", "withdrawal"):
            expected["spent"] += sign * t.amount
        elif kind == "expiry":
            expected["expired"] += t.amount
        if t.type == "cashback":
            expected["granted"] += t.amount
        if t.type == "promise":
            expected["promised"] += t.amount
        if t.type in ("promise_void", "promise_adjustment"):
            expected["voided"] += t.amount
    assert (stats.issued, stats.spent, stats.expired) == (
        expected["issued"], expected["spent"], expected["expired"])
    assert (stats.cashback.granted, stats.cashback.promised, stats.cashback.voided) == (
        expected["granted"], expected["promised"], expected["voided"])
    # The same flows, from the other side of double entry: the store accounts.
    per_code: dict[str, int] = defaultdict(int)
    for code, amount in store_postings:
        per_code[code] += amount
    assert stats.issued == -per_code["issued"]
    assert stats.spent == per_code["spent"]
    assert stats.expired == per_code["expired"]
    # Outstanding: every wallet's live lots.
    now = clock.now()
    outstanding: dict[str, int] = defaultdict(int)
    holders = set()
    for row in lot_rows:
        if row.status != "active":
            continue
        live = row.held if row.expires_at is not None and row.expires_at <= now \
            else row.remaining
        outstanding[wallets[row.wallet_id].program] += live
        if live:
            holders.add(wallets[row.wallet_id].customer_id)
    assert {program: amount for program, amount in stats.outstanding.items() if amount} == dict(
        outstanding)
    assert stats.customers_with_balance == len(holders)
    assert stats.cashback.pending == 500  # o-3, still placed
    assert sum(day.issued for day in stats.series) == stats.issued
    assert stats.usage_rate == round(stats.spent * 10000 / stats.issued)
