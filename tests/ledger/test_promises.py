from __future__ import annotations

from datetime import timedelta

import pytest

from billfold.app import StoreWallets
from billfold.clock import FrozenClock
from billfold.errors import Conflict, InvalidRequest
from tests.helpers import assert_books_balance, snapshot


def test_promised_credit_is_pending_not_spendable(shop: StoreWallets) -> None:
    promise = shop.promise("alice", "main", 1500, funding_type="cashback",
                           source_type="order", source_id="ord-1")
    balance = shop.balance("alice")
    assert (balance.pending, balance.available, balance.total) == (1500, 0, 0)
    assert promise.status == "pending"
    assert_books_balance(shop._bf)


def test_granting_makes_a_lot_once(shop: StoreWallets, clock: FrozenClock) -> None:
    promise = shop.promise("alice", "main", 1500, funding_type="cashback",
                           credit_expires_in="30d")
    clock.advance(days=3)
    granted = shop.grant_promise(promise.id)
    assert granted.status == "granted"
    balance = shop.balance("alice")
    assert (balance.pending, balance.available) == (0, 1500)
    lot = shop.lot(granted.lot_id or "")
    assert (lot.funding_type, lot.is_withdrawable) == ("cashback", False)
    assert lot.expires_at == clock.now() + timedelta(days=30)
    before = snapshot(shop._bf)
    with pytest.raises(Conflict) as caught:
        shop.grant_promise(promise.id)
    assert caught.value.code == "promise_not_pending"
    assert snapshot(shop._bf) == before
    assert shop.history("alice").data[0].type == "cashback"
    assert_books_balance(shop._bf)


def test_voided_promise_gives_nothing(shop: StoreWallets) -> None:
    promise = shop.promise("alice", "main", 1500, funding_type="cashback")
    shop.void_promise(promise.id)
    balance = shop.balance("alice")
    assert (balance.pending, balance.available) == (0, 0)
    with pytest.raises(Conflict):
        shop.grant_promise(promise.id)
    assert_books_balance(shop._bf)


def test_a_promise_can_shrink_before_it_is_granted(shop: StoreWallets) -> None:
    promise = shop.promise("alice", "main", 1500, funding_type="cashback")
    assert shop.shrink_promise(promise.id, 750).amount == 750
    assert shop.balance("alice").pending == 750
    with pytest.raises(InvalidRequest):
        shop.shrink_promise(promise.id, 751)
    shop.grant_promise(promise.id)
    assert shop.balance("alice").available == 750
    assert_books_balance(shop._bf)


def test_granted_cashback_can_be_reversed_while_unspent(shop: StoreWallets) -> None:
    promise = shop.grant_promise(shop.promise("alice", "main", 900,
                                              funding_type="cashback").id)
    cashback = shop.history("alice").data[0]
    assert cashback.lot_id == promise.lot_id
    shop.reverse(cashback.id, amount=300, description="correction")
    assert shop.balance("alice").available == 600
    assert_books_balance(shop._bf)
