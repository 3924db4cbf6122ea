"""Thresholds a movement crosses: the low-balance notice and the automatic top-up fire once
per crossing, in the movement's own transaction, on both databases (the Python story on
SQLite, billfold_watch_available on PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import insert, select

from billfold.app import Shop
from billfold.errors import InsufficientFunds
from billfold.ledger.thresholds import crossed
from billfold.store.tables import auto_topup_rules, outbox_events, topups


def _events(shop: Shop, event_type: str) -> list[dict[str, Any]]:
    with shop._bf.begin(read_only=True) as conn:
        return [row.payload for row in conn.execute(
            select(outbox_events.c.payload)
            .where(outbox_events.c.store_id == shop.store_id, outbox_events.c.type == event_type)
            .order_by(outbox_events.c.created_at, outbox_events.c.event_id))]


def _topups(shop: Shop) -> list[Any]:
    with shop._bf.begin(read_only=True) as conn:
        return list(conn.execute(select(topups).where(topups.c.store_id == shop.store_id)
                                 .order_by(topups.c.created_at, topups.c.topup_id)))


def _auto_topup(shop: Shop, customer_id: str, threshold: int, amount: int) -> None:
    now = shop._bf.clock.now()
    with shop._bf.begin() as conn:
        conn.execute(insert(auto_topup_rules).values(
            store_id=shop.store_id, customer_id=customer_id, program="main",
            threshold=threshold, amount=amount, is_armed=True, created_at=now, updated_at=now))


@pytest.mark.parametrize(("before", "after", "threshold", "fires"), [
    (1000, 999, 1000, True), (1000, 0, 500, True), (999, 0, 1000, False),
    (1000, 1000, 1000, False), (500, 499, None, False), (2000, 1000, 1000, False)])
def test_crossing_means_from_at_or_above_to_below(before: int, after: int,
                                                  threshold: int | None, fires: bool) -> None:
    assert crossed(before, after, threshold) is fires


def test_low_balance_fires_once_per_crossing(shop: Shop) -> None:
    shop.settings.update({"low_balance_threshold": 1000})
    shop.wallets.credit("alice", "main", 3000, funding_type="cash")
    first = shop.wallets.debit("alice", "main", 1500)          # 3000 → 1500: above
    assert _events(shop, "wallet.low_balance") == []
    crossing = shop.wallets.debit("alice", "main", 600)       # 1500 → 900: crosses
    shop.wallets.debit("alice", "main", 100)                  # 900 → 800: still below
    shop.holds.create("alice", "main", 100)                   # 800 → 700 available
    notices = _events(shop, "wallet.low_balance")
    assert len(notices) == 1
    assert notices[0] == {
        "wallet_id": first.wallet_id, "customer_id": "alice", "program": "main",
        "unit": first.unit, "available": 900, "threshold": 1000,
        "transaction_id": crossing.id}
    shop.wallets.credit("alice", "main", 300, funding_type="cash")   # 700 → 1000: at it again
    hold = shop.holds.create("alice", "main", 1)                      # 1000 → 999: crosses
    assert len(_events(shop, "wallet.low_balance")) == 2
    assert _events(shop, "wallet.low_balance")[1]["transaction_id"] == hold.transaction_id


def test_refused_movement_fires_nothing(shop: Shop) -> None:
    shop.settings.update({"low_balance_threshold": 1000})
    shop.wallets.credit("alice", "main", 1200, funding_type="cash")
    _auto_topup(shop, "alice", 1000, 5000)
    with pytest.raises(InsufficientFunds):
        shop.wallets.debit("alice", "main", 5000)
    assert _events(shop, "wallet.low_balance") == []
    assert _topups(shop) == []
    assert shop.wallets.get("alice", "main").available == 1200


def test_automatic_top_up_fires_once_per_crossing(shop: Shop) -> None:
    shop.wallets.credit("bob", "main", 2000, funding_type="cash")
    _auto_topup(shop, "bob", 1000, 5000)
    shop.wallets.debit("bob", "main", 500)                    # 2000 → 1500
    assert _topups(shop) == []
    shop.wallets.debit("bob", "main", 600)                    # 1500 → 900: fires
    shop.wallets.debit("bob", "main", 600)                    # 900 → 300: below already
    [topup] = _topups(shop)
    assert (topup.customer_id, topup.program, topup.amount, topup.status, topup.trigger) == (
        "bob", "main", 5000, "pending", "auto")
    assert topup.topup_id.startswith("top_") and len(topup.topup_id) == 30
    assert (topup.expires_at - topup.created_at).total_seconds() == 24 * 3600
    [required] = _events(shop, "topup.required")
    assert required == {"topup_id": topup.topup_id, "customer_id": "bob", "program": "main",
                        "amount": 5000, "status": "pending", "trigger": "auto",
                        "payment_reference": None, "transaction_id": None}
    shop.wallets.credit("bob", "main", 700, funding_type="cash")    # 300 → 1000
    shop.wallets.debit("bob", "main", 1)                            # 1000 → 999: again
    assert len(_topups(shop)) == 2
    assert len(_events(shop, "topup.required")) == 2
    assert shop._bf.verify().ok


def test_concurrent_debits_cross_once(shop: Shop) -> None:
    shop.settings.update({"low_balance_threshold": 1000})
    shop.wallets.credit("carol", "main", 1400, funding_type="cash")
    _auto_topup(shop, "carol", 1000, 2500)
    barrier = threading.Barrier(8)

    def spend() -> None:
        barrier.wait()
        shop.wallets.debit("carol", "main", 100)

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert shop.wallets.get("carol", "main").available == 600
    assert len(_events(shop, "wallet.low_balance")) == 1
    assert len(_topups(shop)) == 1
