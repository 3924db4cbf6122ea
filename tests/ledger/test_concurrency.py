"""Concurrent debits never overspend; opposite lock orders never deadlock."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import text

from billfold.app import Billfold, Shop
from billfold.errors import BillfoldError
from tests.helpers import assert_books_balance, race_calls

WORKERS = 20


def test_twenty_threads_never_overspend_one_wallet(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 600, funding_type="promotional", expires_in="1d")
    shop.wallets.credit("alice", "main", 400, funding_type="cash")
    outcomes = race_calls([lambda: shop.wallets.debit("alice", "main", 100)] * WORKERS)
    assert outcomes == Counter({"ok": 10, "insufficient_funds": 10})
    assert shop.wallets.get("alice").total == 0
    assert_books_balance(shop._bf)


def test_holds_and_debits_racing_never_overspend(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    calls: list[Callable[[], object]] = []
    for index in range(WORKERS):
        if index % 2:
            calls.append(lambda: shop.wallets.debit("alice", "main", 150))
        else:
            calls.append(lambda: shop.holds.create("alice", "main", 150))
    outcomes = race_calls(calls)
    assert outcomes["ok"] == 6
    assert outcomes["insufficient_funds"] == WORKERS - 6
    balance = shop.wallets.get("alice")
    spent = 1000 - balance.total
    assert (balance.available, balance.held + spent) == (100, 900)
    assert_books_balance(shop._bf)


def _debit_in_process(url: str, store_id: str, results: multiprocessing.Queue) -> None:
    billfold = Billfold(url, migrate=False)
    try:
        billfold.store(store_id).wallets.debit("alice", "main", 100)
        results.put("ok")
    except BillfoldError as refusal:
        results.put(refusal.code)
    finally:
        billfold.close()


@pytest.mark.slow
def test_twenty_processes_never_overspend_one_wallet(database_url: str, bf: Billfold,
                                                     shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_debit_in_process,
                               args=(database_url, shop.store_id, results))
               for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    outcomes = Counter(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert outcomes == Counter({"ok": 10, "insufficient_funds": 10})
    assert shop.wallets.get("alice").total == 0
    assert_books_balance(bf)


def _deadlocks(bf: Billfold) -> int:
    if bf.engine.dialect.name != "postgresql":
        return 0
    with bf.begin(read_only=True) as conn:
        return int(conn.execute(text(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        )).scalar_one())


def test_transfers_in_opposite_directions_never_deadlock(bf: Billfold,
                                                         shop: Shop) -> None:
    shop.settings.update({"allow_transfers": True})
    shop.wallets.credit("alice", "main", 5000, funding_type="cash")
    shop.wallets.credit("bob", "main", 5000, funding_type="cash")
    before = _deadlocks(bf)
    calls: list[Callable[[], object]] = []
    for index in range(WORKERS):
        if index % 2:
            calls.append(lambda: shop.transfers.create("alice", "bob", "main", 100))
        else:
            calls.append(lambda: shop.transfers.create("bob", "alice", "main", 100))
    assert race_calls(calls) == Counter({"ok": WORKERS})
    assert _deadlocks(bf) == before
    assert shop.wallets.get("alice").total + shop.wallets.get("bob").total == 10_000
    assert_books_balance(bf)


def test_identical_keyed_requests_at_once_move_money_once(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 5000, funding_type="cash")
    results: list[object] = []
    lock = threading.Lock()

    def debit() -> None:
        txn = shop.wallets.debit("alice", "main", 700, idempotency_key="order-77")
        with lock:
            results.append(txn)

    assert race_calls([debit] * 10) == Counter({"ok": 10})
    assert len({txn.id for txn in results}) == 1  # type: ignore[attr-defined]
    assert shop.wallets.get("alice").available == 4300


def test_first_credits_to_a_new_customer_at_once_make_one_wallet(shop: Shop) -> None:
    outcomes = race_calls([lambda: shop.wallets.credit("newbie", "main", 100,
                                                       funding_type="cash")] * 10)
    assert outcomes == Counter({"ok": 10})
    balance = shop.wallets.get("newbie")
    assert balance.available == 1000
    assert len({t.wallet_id for t in shop.wallets.list_transactions("newbie").data}) == 1
    assert_books_balance(shop._bf)
