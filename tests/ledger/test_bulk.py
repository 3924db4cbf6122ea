"""A set-based grant writes the same books as one credit per customer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from billfold.app import Billfold, Shop
from billfold.clock import FrozenClock
from billfold.errors import InvalidAmount, InvalidRequest
from billfold.ledger import accounts, bulk, credit
from tests.conftest import _empty_postgres_database
from tests.helpers import OBJECT_ID, assert_books_balance, rename_ids, snapshot


def test_grant_credits_every_customer_like_single_credits(shop: Shop,
                                                          clock: FrozenClock) -> None:
    shop.wallets.credit("old-1", "main", 1000, funding_type="cash")
    shop.holds.create("old-1", "main", 300)
    grants = [("old-1", 250), *[(f"new-{n}", 100 + n) for n in range(40)]]
    result = shop.wallets.grant("main", grants, funding_type="cashback", expires_in="30d",
                                type="cashback", description="Spring cashback")
    assert (result.transactions, result.amount) == (41, 250 + sum(100 + n for n in range(40)))
    old = shop.wallets.get("old-1")
    assert (old.available, old.held, old.by_funding_type) == (
        950, 300, {"cash": 700, "cashback": 250})
    for n in range(40):
        balance = shop.wallets.get(f"new-{n}")
        assert balance.available == 100 + n
        assert balance.next_expiry is not None
        assert balance.next_expiry.expires_at == clock.now() + timedelta(days=30)
    [latest, *_] = shop.wallets.list_transactions("old-1").data
    assert (latest.type, latest.amount, latest.balance_after, latest.funding_type) == (
        "cashback", 250, 1250, "cashback")
    assert latest.lots[0].amount == 250
    assert_books_balance(shop._bf)
    shop.wallets.debit("new-3", "main", 103)
    assert shop.wallets.get("new-3").available == 0
    assert_books_balance(shop._bf)


def test_bad_grants_are_refused_and_move_nothing(shop: Shop) -> None:
    shop.wallets.credit("a", "main", 10, funding_type="cash")
    before = snapshot(shop._bf)
    for grants, error in (([("a", 0)], InvalidAmount), ([("a", 1.5)], InvalidAmount),
                          ([("a", 1), ("a", 2)], InvalidRequest), ([], InvalidRequest),
                          ([("", 5)], InvalidRequest)):
        with pytest.raises(error):
            shop.wallets.grant("main", grants, funding_type="cashback")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest):
        shop.wallets.grant("main", [("a", 5)], funding_type="gift")
    assert snapshot(shop._bf) == before


def test_a_grant_retried_with_its_key_moves_money_once(shop: Shop) -> None:
    first = shop.wallets.grant("main", [("a", 5), ("b", 6)], funding_type="promotional",
                               idempotency_key="campaign-7")
    again = shop.wallets.grant("main", [("a", 5), ("b", 6)], funding_type="promotional",
                               idempotency_key="campaign-7")
    assert again == first
    assert shop.wallets.get("a").available == 5


def test_a_grant_spanning_every_bucket_keeps_running_totals(shop: Shop,
                                                            clock: FrozenClock) -> None:
    """300 customers (every store-account bucket, most more than once), half of them
    with a wallet, postings and a hold already, some known only in another program."""
    shop.programs.create("rewards", unit="SAR")
    for n in range(0, 300, 2):
        shop.wallets.credit(f"c-{n}", "main", 1000 + n, funding_type="cashback")
    for n in range(0, 300, 10):
        shop.holds.create(f"c-{n}", "main", 100)
    for n in range(1, 300, 6):
        shop.wallets.credit(f"c-{n}", "rewards", 50, funding_type="cash")
    clock.advance(seconds=1)
    grants = [(f"c-{n}", 10 + n) for n in range(299, -1, -1)]  # not in id order
    for _batch in range(2):  # the second batch finds the store accounts mid-sequence
        result = shop.wallets.grant("main", grants, funding_type="cashback", expires_in="7d",
                                    type="cashback")
        assert (result.transactions, result.amount) == (300, sum(a for _, a in grants))
        clock.advance(seconds=1)
    for n in (0, 1, 10, 150, 299):
        balance = shop.wallets.get(f"c-{n}")
        granted = 2 * (10 + n)
        existing = 1000 + n if n % 2 == 0 else 0
        held = 100 if n % 10 == 0 else 0
        assert (balance.available, balance.held) == (existing + granted - held, held)
        [latest, previous, *_] = shop.wallets.list_transactions(f"c-{n}").data
        assert (latest.type, latest.amount, latest.balance_after, latest.held_after) == (
            "cashback", 10 + n, existing + granted, held)
        assert previous.balance_after == existing + 10 + n
    assert shop.wallets.get("c-1", "rewards").available == 50
    assert_books_balance(shop._bf)


def test_new_ids_look_like_new_id_and_increase() -> None:
    from ulid import ULID

    from billfold.ids import new_id, new_ids

    for count in (0, 1, 1023, 1025, 5000):
        minted = new_ids("txn", count)
        assert len(set(minted)) == count and minted == sorted(minted)
        values = [int(ULID.from_str(i.removeprefix("txn_").upper())) for i in minted]
        assert values == list(range(values[0], values[0] + count)) if count else True
        assert all(len(i) == len(new_id("txn")) and i == i.lower() for i in minted)
        before, minted, after = new_id("txn"), new_ids("txn", count), new_id("txn")
        assert [before, *minted, after] == sorted({before, *minted, after})


def test_grant_in_database_and_python_path_agree(postgres_test_url: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL the batch is one `billfold_grant` call; the Python path (SQLite's)
    must write the same rows, ids aside."""
    with_function = _grant_twice(postgres_test_url, True, monkeypatch)
    in_python = _grant_twice(postgres_test_url, False, monkeypatch)
    assert with_function[0] == in_python[0]
    for table in with_function[1]:
        assert with_function[1][table] == in_python[1][table], table


def _grant_twice(url: str, use_function: bool,
                 monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    for module in (accounts, credit, bulk):  # the same store accounts in both runs
        monkeypatch.setattr(module, "bucket_of", lambda wallet_id: 0)
    clock = FrozenClock()
    with Billfold(_empty_postgres_database(url), clock=clock, fast_paths=use_function) as bf:
        shop = bf.store(bf.create_store("Twin", currency="SAR").id)
        shop.programs.create("rewards", unit="SAR")
        shop.wallets.credit("old", "main", 1000, funding_type="cash")
        shop.holds.create("old", "main", 300)
        shop.wallets.credit("elsewhere", "rewards", 70, funding_type="cash")
        grants = [("old", 250), ("new-b", 7), ("elsewhere", 9), ("new-a", 11)]
        outcomes: list[Any] = [shop.wallets.grant("main", grants, funding_type="cashback",
                                                  expires_in="30d", type="cashback",
                                                  description="Spring cashback")]
        clock.advance(seconds=1)
        outcomes.append(shop.wallets.grant("main", grants[::-1], funding_type="promotional"))
        outcomes.append(shop.wallets.debit("new-a", "main", 15).lots)
        outcomes.extend(shop.wallets.get(customer) for customer, _ in grants)
        assert_books_balance(bf)
        books = snapshot(bf)
    names: dict[str, str] = {}
    for value in sorted({v for rows in books.values() for row in rows for v in row
                         if isinstance(v, str) and OBJECT_ID.match(v)}):
        rename_ids(value, names)  # name ids in creation order
    return rename_ids(outcomes, names), {table: sorted(map(repr, rename_ids(rows, names)))
                                         for table, rows in books.items()}
