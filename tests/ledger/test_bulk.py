"""A set-based grant writes the same books as one credit per customer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from billfold.app import StoreWallets
from billfold.clock import FrozenClock
from billfold.errors import InvalidAmount, InvalidRequest
from tests.helpers import assert_books_balance, snapshot


def test_grant_credits_every_customer_like_single_credits(shop: StoreWallets,
                                                          clock: FrozenClock) -> None:
    shop.credit("old-1", "main", 1000, funding_type="cash")
    shop.hold("old-1", "main", 300)
    grants = [("old-1", 250), *[(f"new-{n}", 100 + n) for n in range(40)]]
    result = shop.grant("main", grants, funding_type="cashback", expires_in="30d",
                        type="cashback", description="Spring cashback")
    assert (result.transactions, result.amount) == (41, 250 + sum(100 + n for n in range(40)))
    old = shop.balance("old-1")
    assert (old.available, old.held, old.by_funding_type) == (
        950, 300, {"cash": 700, "cashback": 250})
    for n in range(40):
        balance = shop.balance(f"new-{n}")
        assert balance.available == 100 + n
        assert balance.next_expiry is not None
        assert balance.next_expiry.expires_at == clock.now() + timedelta(days=30)
    [latest, *_] = shop.history("old-1").data
    assert (latest.type, latest.amount, latest.balance_after, latest.funding_type) == (
        "cashback", 250, 1250, "cashback")
    assert latest.lots[0].amount == 250
    assert_books_balance(shop._bf)
    shop.debit("new-3", "main", 103)
    assert shop.balance("new-3").available == 0
    assert_books_balance(shop._bf)


def test_bad_grants_are_refused_and_move_nothing(shop: StoreWallets) -> None:
    shop.credit("a", "main", 10, funding_type="cash")
    before = snapshot(shop._bf)
    for grants, error in (([("a", 0)], InvalidAmount), ([("a", 1.5)], InvalidAmount),
                          ([("a", 1), ("a", 2)], InvalidRequest), ([], InvalidRequest),
                          ([("", 5)], InvalidRequest)):
        with pytest.raises(error):
            shop.grant("main", grants, funding_type="cashback")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest):
        shop.grant("main", [("a", 5)], funding_type="gift")
    assert snapshot(shop._bf) == before


def test_a_grant_retried_with_its_key_moves_money_once(shop: StoreWallets) -> None:
    first = shop.grant("main", [("a", 5), ("b", 6)], funding_type="promotional",
                       idempotency_key="campaign-7")
    again = shop.grant("main", [("a", 5), ("b", 6)], funding_type="promotional",
                       idempotency_key="campaign-7")
    assert again == first
    assert shop.balance("a").available == 5
