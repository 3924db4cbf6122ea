from __future__ import annotations

from datetime import timedelta

import pytest

from billfold.app import Shop
from billfold.clock import FrozenClock
from billfold.errors import Conflict, InvalidRequest
from tests.helpers import assert_books_balance, snapshot


def test_promised_credit_is_pending_not_spendable(shop: Shop) -> None:
    promise = shop.promises.create("alice", "main", 1500, funding_type="cashback",
                                   source_type="order", source_id="ord-1")
    balance = shop.wallets.get("alice")
    assert (balance.pending, balance.available, balance.total) == (1500, 0, 0)
    assert promise.status == "pending"
    assert_books_balance(shop._bf)


def test_granting_makes_a_lot_once(shop: Shop, clock: FrozenClock) -> None:
    promise = shop.promises.create("alice", "main", 1500, funding_type="cashback",
                                   credit_expires_in="30d")
    clock.advance(days=3)
    granted = shop.promises.grant(promise.id)
    assert granted.status == "granted"
    balance = shop.wallets.get("alice")
    assert (balance.pending, balance.available) == (0, 1500)
    lot = shop.lots.get(granted.lot_id or "")
    assert (lot.funding_type, lot.withdrawable) == ("cashback", False)
    assert lot.expires_at == clock.now() + timedelta(days=30)
    before = snapshot(shop._bf)
    with pytest.raises(Conflict) as caught:
        shop.promises.grant(promise.id)
    assert caught.value.code == "promise_not_pending"
    assert snapshot(shop._bf) == before
    assert shop.wallets.list_transactions("alice").data[0].type == "cashback"
    assert_books_balance(shop._bf)


def test_voided_promise_gives_nothing(shop: Shop) -> None:
    promise = shop.promises.create("alice", "main", 1500, funding_type="cashback")
    shop.promises.void(promise.id)
    balance = shop.wallets.get("alice")
    assert (balance.pending, balance.available) == (0, 0)
    with pytest.raises(Conflict):
        shop.promises.grant(promise.id)
    assert_books_balance(shop._bf)


def test_a_promise_can_shrink_before_it_is_granted(shop: Shop) -> None:
    promise = shop.promises.create("alice", "main", 1500, funding_type="cashback")
    assert shop.promises.shrink(promise.id, 750).amount == 750
    assert shop.wallets.get("alice").pending == 750
    with pytest.raises(InvalidRequest):
        shop.promises.shrink(promise.id, 751)
    shop.promises.grant(promise.id)
    assert shop.wallets.get("alice").available == 750
    assert_books_balance(shop._bf)


def test_granted_cashback_can_be_reversed_while_unspent(shop: Shop) -> None:
    promise = shop.promises.grant(shop.promises.create("alice", "main", 900,
                                                       funding_type="cashback").id)
    cashback = shop.wallets.list_transactions("alice").data[0]
    assert [entry.lot_id for entry in cashback.lots] == [promise.lot_id]
    shop.transactions.reverse(cashback.id, amount=300, description="correction")
    assert shop.wallets.get("alice").available == 600
    assert_books_balance(shop._bf)
