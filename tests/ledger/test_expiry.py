from __future__ import annotations

from datetime import timedelta

import pytest

from billfold.app import Billfold, Shop
from billfold.clock import FrozenClock
from billfold.ledger import accounts, credit, expiry
from billfold.ledger.models import SweepResult
from tests.conftest import _empty_postgres_database
from tests.helpers import OBJECT_ID, assert_books_balance, rename_ids, snapshot


def test_available_excludes_expired_lots_before_the_sweep(shop: Shop,
                                                          clock: FrozenClock) -> None:
    shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    shop.wallets.credit("alice", "main", 500, funding_type="promotional", expires_in="1m")
    clock.advance(seconds=59)
    assert shop.wallets.get("alice").available == 1500
    clock.advance(seconds=1)
    balance = shop.wallets.get("alice")
    assert (balance.available, balance.total, balance.by_funding_type) == (
        1000, 1000, {"cash": 1000})
    assert balance.next_expiry is None
    assert_books_balance(shop._bf)


def test_expired_lot_is_never_drawn(shop: Shop, clock: FrozenClock) -> None:
    shop.wallets.credit("alice", "main", 500, funding_type="promotional", expires_in="1h")
    clock.advance(hours=1)
    import pytest

    from billfold.errors import InsufficientFunds
    with pytest.raises(InsufficientFunds):
        shop.wallets.debit("alice", "main", 1)


def test_sweep_moves_expired_credit_to_breakage(shop: Shop, clock: FrozenClock) -> None:
    for customer in ("alice", "bob", "carol"):
        shop.wallets.credit(customer, "main", 700, funding_type="promotional", expires_in="1d")
        shop.wallets.credit(customer, "main", 300, funding_type="cashback", expires_in="1d")
        shop.wallets.credit(customer, "main", 100, funding_type="cash")
    clock.advance(days=1, seconds=1)
    result = shop.lots.expire_due()
    assert (result.transactions, result.lots, result.amount) == (3, 6, 3000)
    assert shop.lots.expire_due().transactions == 0
    expiry = shop.wallets.list_transactions("alice").data[0]
    assert (expiry.type, expiry.amount, expiry.balance_after) == ("expiry", 1000, 100)
    expired = shop.wallets.list_lots("alice", status="expired").data
    assert {(lot.status, lot.remaining) for lot in expired} == {("expired", 0)}
    assert_books_balance(shop._bf)


def test_lot_status_filters(shop: Shop, clock: FrozenClock) -> None:
    spent = shop.wallets.credit("alice", "main", 100, funding_type="promotional",
                                expires_in="1h").lots[0].lot_id
    shop.wallets.debit("alice", "main", 100)
    expired = shop.wallets.credit("alice", "main", 200, funding_type="promotional",
                                  expires_in="2h").lots[0].lot_id
    active = shop.wallets.credit("alice", "main", 300, funding_type="cash").lots[0].lot_id
    clock.advance(hours=3)
    assert [lot.id for lot in shop.wallets.list_lots("alice", status="active").data] == [active]
    assert [lot.id for lot in shop.wallets.list_lots("alice", status="expired").data] == [expired]
    assert [lot.id for lot in shop.wallets.list_lots("alice", status="spent").data] == [spent]
    shop.lots.expire_due()
    assert [lot.id for lot in shop.wallets.list_lots("alice", status="expired").data] == [expired]


def test_expiry_to_the_minute(shop: Shop, clock: FrozenClock) -> None:
    txn = shop.wallets.credit("alice", "main", 100, funding_type="cash", expires_in="1m")
    assert shop.lots.get(txn.lots[0].lot_id).expires_at == clock.now() + timedelta(seconds=60)


def _expiry_scenario(shop: Shop, clock: FrozenClock) -> list[object]:
    """Wallets with mixed funding types, a partly held lot, a wholly held one,
    credit that does not expire, a partly spent lot, and another program."""
    shop.programs.create("rewards", unit="SAR")
    for n in range(7):
        customer = f"c-{n}"
        shop.wallets.credit(customer, "main", 700 + n, funding_type="promotional", expires_in="1d")
        shop.wallets.credit(customer, "main", 300, funding_type="cashback", expires_in="2d")
        shop.wallets.credit(customer, "main", 100, funding_type="cash")
    shop.wallets.credit("c-0", "rewards", 40, funding_type="cashback", expires_in="1d")
    shop.holds.create("c-1", "main", 500)             # draws part of the promotional lot
    shop.holds.create("c-2", "main",
                      1002)            # the whole promotional lot and part of the next
    shop.wallets.debit("c-3", "main", 200)
    shop.wallets.credit("c-4", "main", 50, funding_type="refund", expires_in="1h")
    clock.advance(days=3)
    outcomes: list[object] = []
    while (batch := shop._bf.run(lambda conn: expiry.sweep_expired_lots(
            conn, shop.store_id, clock.now(), limit=3))).transactions:
        outcomes.append(batch)
    outcomes.extend(shop.wallets.get(f"c-{n}") for n in range(7))
    outcomes.append(shop.wallets.get("c-0", "rewards"))
    return outcomes


def test_sweep_in_batches_expires_only_the_free_part(shop: Shop,
                                                     clock: FrozenClock) -> None:
    outcomes = _expiry_scenario(shop, clock)
    batches = [o for o in outcomes if isinstance(o, SweepResult)]
    # 8 wallets, 3 per batch; c-2's expired lots are wholly held: nothing to expire there
    assert [b.transactions for b in batches] == [3, 3, 1]
    assert sum(b.lots for b in batches) == 2 * 6 + 1 + 1
    c1, c2 = shop.wallets.get("c-1"), shop.wallets.get("c-2")
    assert (c1.available, c1.held, c1.total) == (100, 500, 600)
    assert (c2.available, c2.held, c2.total) == (100, 1002, 1102)
    assert {(lot.funding_type, lot.remaining) for lot in shop.wallets.list_lots("c-1").data} == {
                     ("promotional", 500), ("cashback", 0), ("cash", 100)}  # the held part stays
    [expired, *_] = shop.wallets.list_transactions("c-4").data
    assert (expired.type, expired.amount, expired.funding_type) == ("expiry", 1054, None)
    assert shop.wallets.get("c-3").available == 100
    assert shop.wallets.get("c-0", "rewards").available == 0
    assert shop.lots.expire_due().transactions == 0
    assert_books_balance(shop._bf)


def test_sweep_in_database_and_python_path_agree(postgres_test_url: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL a sweep batch is one `billfold_sweep_expired` call; the Python
    path (SQLite's) must write the same rows, ids aside."""
    with_function = _sweep_books(postgres_test_url, True, monkeypatch)
    in_python = _sweep_books(postgres_test_url, False, monkeypatch)
    assert with_function[0] == in_python[0]
    for table in with_function[1]:
        assert with_function[1][table] == in_python[1][table], table


def _sweep_books(url: str, use_function: bool,
                 monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    buckets: dict[str, int] = {}  # two buckets, dealt in order of first sight: same in both runs
    for module in (accounts, credit):
        monkeypatch.setattr(module, "bucket_of",
                            lambda wallet_id: buckets.setdefault(wallet_id, len(buckets) % 2))
    clock = FrozenClock()
    with Billfold(_empty_postgres_database(url), clock=clock, fast_paths=use_function) as bf:
        shop = bf.store(bf.create_store("Twin", currency="SAR").id)
        outcomes = _expiry_scenario(shop, clock)
        assert_books_balance(bf)
        books = snapshot(bf)
    names: dict[str, str] = {}
    for value in sorted({v for rows in books.values() for row in rows for v in row
                         if isinstance(v, str) and OBJECT_ID.match(v)}):
        rename_ids(value, names)  # name ids in creation order
    return rename_ids(outcomes, names), {table: sorted(map(repr, rename_ids(rows, names)))
                                         for table, rows in books.items()}
