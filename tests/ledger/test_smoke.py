from __future__ import annotations

from billfold.app import StoreWallets
from tests.helpers import assert_books_balance


def test_credit_then_debit_leaves_the_difference(shop: StoreWallets) -> None:
    shop.credit("alice", "main", 5000, funding_type="cash")
    shop.debit("alice", "main", 1200)
    balance = shop.balance("alice")
    assert (balance.available, balance.held, balance.total) == (3800, 0, 3800)
    assert_books_balance(shop._bf)
