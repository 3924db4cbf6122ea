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


def _flows_of(stats: object) -> tuple[object, ...]:
    return (stats.issued, stats.spent, stats.expired, stats.cashback,  # type: ignore[attr-defined]
            stats.by_program, stats.series)  # type: ignore[attr-defined]


def test_closed_days_are_rolled_up_read_back_and_verified(
        shop: Shop, bf: Billfold, clock: FrozenClock) -> None:
    """The worker sums each closed UTC day into flow_days an hour after it ends; the
    statistics then read those sums (a changed sum shows), give the same figures as
    before, scan what is not whole-day (a window's edges), and verify recomputes it."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    from billfold.store.tables import flow_days, flow_rollups

    def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
        return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)

    def mark() -> str | None:
        return bf.read(lambda c: c.execute(select(flow_rollups.c.through).where(
            flow_rollups.c.store_id == shop.store_id)).scalar())

    clock.set(at(1, 22))
    shop.wallets.credit("ann", "main", 1000, funding_type="cash")
    clock.set(at(1, 23, 59, 59))
    shop.wallets.debit("ann", "main", 300)
    clock.set(at(2, 0, 1))
    shop.wallets.credit("ben", "main", 50, funding_type="promotional")
    window = {"start": at(1, 6), "end": at(4, 0)}
    edges = {"start": at(1, 23), "end": at(2, 0, 0, 30)}  # parts of two days
    before, before_edges = shop.stats.get(**window), shop.stats.get(**edges)
    assert (before.issued, before.spent, before_edges.issued, before_edges.spent) == (
        1050, 300, 0, 300)

    clock.set(at(2, 0, 59))  # March 1 is not closed until 01:00 on March 2
    bf.sweep()
    assert mark() == "2026-03-01"
    clock.set(at(3, 1, 30))
    bf.sweep()
    assert mark() == "2026-03-03"
    assert shop.stats.roll_up() == 0  # nothing left to roll up
    rows = bf.read(lambda c: sorted(
        (r.day, r.type, r.funding_type, r.amount) for r in c.execute(
            select(flow_days).where(flow_days.c.store_id == shop.store_id))))
    assert rows == [("2026-03-01", "credit", "cash", 1000), ("2026-03-01", "debit", "cash", 300),
                    ("2026-03-02", "credit", "promotional", 50)]
    assert _flows_of(shop.stats.get(**window)) == _flows_of(before)
    assert _flows_of(shop.stats.get(**edges)) == _flows_of(before_edges)
    assert bf.verify().ok

    with bf.begin() as conn:  # a rolled-up sum that no longer matches its transactions
        conn.execute(update(flow_days).where(flow_days.c.store_id == shop.store_id,
                                             flow_days.c.day == "2026-03-02")
                     .values(amount=flow_days.c.amount + 1))
    assert shop.stats.get(**window).issued == 1051  # the figures come from the sums
    assert shop.stats.get(**edges).issued == 0  # the edges come from the transactions
    report = bf.verify()
    assert [(p.check, p.detail) for p in report.problems] == [
        ("daily statistics equal their transactions",
         "rolled up 51, transactions sum to 50")]


def test_workers_rolling_up_at_once_count_each_day_once(
        shop: Shop, bf: Billfold, clock: FrozenClock) -> None:
    """Several workers' passes at once: the store's mark serializes them, so the days
    they report add up to the days there were, and the books and sums agree."""
    import threading
    from datetime import UTC, datetime

    clock.set(datetime(2026, 4, 1, 12, tzinfo=UTC))
    for day in range(6):
        shop.wallets.credit("ann", "main", 100 + day, funding_type="cash")
        clock.advance(days=1)
    rolled: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        try:
            rolled.append(shop.stats.roll_up())
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(rolled) == 6  # April 1 to 6; April 7 (today) is not closed
    assert bf.verify().ok
    assert shop.stats.get(start=datetime(2026, 4, 1, tzinfo=UTC),
                          end=datetime(2026, 4, 8, tzinfo=UTC)).issued == 615
