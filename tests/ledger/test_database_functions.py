"""On PostgreSQL a credit and a debit are one call each of `billfold_credit` and
`billfold_debit` (keyed: `billfold_credit_keyed` / `billfold_debit_keyed`, the
idempotency record included); the Python path does the same on SQLite. Run one
scenario both ways on PostgreSQL: the books and the stored idempotency records
must match row for row (ids aside)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from billfold.app import Billfold
from billfold.clock import FrozenClock
from billfold.errors import InsufficientFunds, NotFound
from billfold.ledger import accounts, credit
from tests.conftest import _empty_postgres_database
from tests.helpers import OBJECT_ID, assert_books_balance, rename_ids, snapshot


def _scenario(bf: Billfold, clock: FrozenClock) -> list[Any]:
    shop = bf.store(bf.create_store("Twin", currency="SAR").id)
    shop.programs.create("gifts", unit="SAR", spending_strategy="oldest_first")
    shop.programs.create("rewards", unit="SAR", expires_in="30d")
    shop.wallets.credit("cy", "rewards", 250, funding_type="cashback", description="default expiry",
                        reference="r-1", metadata={"k": "v"}, withdrawable=True)
    with pytest.raises(NotFound):
        shop.wallets.credit("cy", "nope", 1, funding_type="cash")
    outcomes: list[Any] = []
    first = shop.wallets.credit("ann", "main", 700, funding_type="promotional", expires_in="2d",
                                idempotency_key="credit-1")
    assert shop.wallets.credit("ann", "main", 700, funding_type="promotional", expires_in="2d",
                               idempotency_key="credit-1") == first
    shop.wallets.credit("ann", "main", 500, funding_type="cash", expires_in="2d")
    shop.wallets.credit("ann", "main", 900, funding_type="cashback", expires_in="1d")
    shop.wallets.credit("ann", "main", 1000, funding_type="refund")
    shop.wallets.credit("ann", "gifts", 300, funding_type="cash")
    clock.advance(seconds=1)
    shop.wallets.credit("ann", "gifts", 300, funding_type="promotional", expires_in="1h")
    spent = shop.wallets.debit("ann", "main", 1000, description="order 1", reference="o-1",
                               metadata={"channel": "web"}, idempotency_key="order-1")
    assert shop.wallets.debit("ann", "main", 1000, description="order 1", reference="o-1",
                              metadata={"channel": "web"}, idempotency_key="order-1") == spent
    outcomes.append(spent.lots)
    with pytest.raises(InsufficientFunds) as refused:
        shop.wallets.debit("ann", "main", 9000, idempotency_key="order-2")
    with pytest.raises(InsufficientFunds) as refused_again:
        shop.wallets.debit("ann", "main", 9000, idempotency_key="order-2")
    assert refused_again.value.to_dict() == refused.value.to_dict()
    outcomes.append(shop.wallets.debit("ann", "gifts", 400).lots)
    hold = shop.holds.create("ann", "main", 300, expires_in="3d")
    clock.advance(days=1)
    outcomes.append(shop.wallets.debit("ann", "main", 100).lots)   # cashback lot has expired
    for call in (lambda: shop.wallets.debit("ann", "main", 5000),
                 lambda: shop.wallets.debit("bob", "main", 1),
                 lambda: shop.wallets.debit("ann", "nope", 1)):
        with pytest.raises((InsufficientFunds, NotFound)) as caught:
            call()
        outcomes.append(caught.value.to_dict())
    shop.holds.capture(hold.id, amount=100)
    outcomes.append(shop.wallets.debit("ann", "main", 1100).lots)
    outcomes.append(shop.wallets.get("ann", "main"))
    return outcomes


def _run(url: str, use_function: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    for module in (accounts, credit):  # the same store accounts in both runs
        monkeypatch.setattr(module, "bucket_of", lambda wallet_id: 0)
    clock = FrozenClock()
    with Billfold(_empty_postgres_database(url), clock=clock, fast_paths=use_function) as bf:
        outcomes = _scenario(bf, clock)
        assert_books_balance(bf)
        books = snapshot(bf, with_idempotency=True)
    names: dict[str, str] = {}
    # Name ids in creation order (ids grow monotonically within this process).
    every_id = sorted({v for rows in books.values() for row in rows for v in row
                       if isinstance(v, str) and OBJECT_ID.match(v)})
    for value in every_id:
        rename_ids(value, names)
    normalised_books = {table: sorted(map(repr, rename_ids(rows, names)))
                        for table, rows in books.items()}
    return rename_ids(outcomes, names), normalised_books


@pytest.fixture
def postgres_url(postgres_test_url: str) -> Iterator[str]:
    yield postgres_test_url


def test_database_functions_and_python_path_agree(postgres_url: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with_function = _run(postgres_url, True, monkeypatch)
    in_python = _run(postgres_url, False, monkeypatch)
    assert with_function[0] == in_python[0]
    for table in with_function[1]:
        assert with_function[1][table] == in_python[1][table], table
