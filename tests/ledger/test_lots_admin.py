from __future__ import annotations

from datetime import timedelta

import pytest

from billfold.app import Shop
from billfold.clock import FrozenClock
from billfold.errors import Conflict, InvalidRequest, NotFound
from tests.helpers import assert_books_balance, snapshot


def test_debit_names_its_lots_and_each_lot_names_its_debits(shop: Shop) -> None:
    first = shop.wallets.credit("alice", "main", 300, funding_type="promotional", expires_in="1d")
    second = shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    debit_one = shop.wallets.debit("alice", "main", 500)
    debit_two = shop.wallets.debit("alice", "main", 100)
    assert [(e.lot_id, e.amount) for e in shop.transactions.get(debit_one.id).lots] == [
             (first.lots[0].lot_id, -300), (second.lots[0].lot_id, -200)]
    usage = shop.lots.usage(second.lots[0].lot_id)
    assert [(u.transaction_id, u.type, u.amount) for u in usage] == [
        (second.id, "credit", 1000), (debit_one.id, "debit", -200), (debit_two.id, "debit", -100)]
    history = shop.wallets.list_transactions("alice").data
    assert history[0].lots == shop.transactions.get(debit_two.id).lots


def test_lot_expiry_can_be_extended_and_shortened(shop: Shop,
                                                  clock: FrozenClock) -> None:
    lot_id = shop.wallets.credit("alice", "main", 500, funding_type="promotional",
                                 expires_in="1d").lots[0].lot_id
    later = clock.now() + timedelta(days=30)
    change = shop.lots.change_expiry(lot_id, expires_at=later, reason="Goodwill extension")
    assert (change.type, change.amount, change.description) == (
        "lot_expiry_change", 0, "Goodwill extension")
    assert change.metadata["expires_at"] == later.isoformat()
    clock.advance(days=2)
    assert shop.wallets.get("alice").available == 500
    shop.lots.change_expiry(lot_id, expires_at=clock.now() + timedelta(hours=1), reason="Shorten")
    clock.advance(hours=1)
    assert shop.wallets.get("alice").available == 0
    assert [t.type for t in shop.wallets.list_transactions("alice").data][:2] == [
                          "lot_expiry_change", "lot_expiry_change"]
    assert_books_balance(shop._bf)


def test_lot_expiry_can_be_removed(shop: Shop, clock: FrozenClock) -> None:
    lot_id = shop.wallets.credit("alice", "main", 500, funding_type="cash",
                                 expires_in="1d").lots[0].lot_id
    shop.lots.change_expiry(lot_id, expires_at=None, reason="Never expires")
    clock.advance(days=400)
    assert shop.wallets.get("alice").available == 500


def test_void_takes_out_what_remains_of_a_lot(shop: Shop) -> None:
    lot_id = shop.wallets.credit("alice", "main", 1000, funding_type="promotional").lots[0].lot_id
    shop.wallets.credit("alice", "main", 200, funding_type="cash")
    shop.wallets.debit("alice", "main", 300)
    void = shop.lots.void(lot_id, reason="Fraudulent promotion")
    assert (void.type, void.amount) == ("void", 700)
    assert shop.wallets.get("alice").by_funding_type == {"cash": 200}
    assert shop.lots.get(lot_id).remaining == 0
    assert_books_balance(shop._bf)


def test_lot_admin_refusals_change_nothing(shop: Shop, clock: FrozenClock) -> None:
    held_lot = shop.wallets.credit("alice", "main", 1000, funding_type="cash").lots[0].lot_id
    shop.holds.create("alice", "main", 100)
    old_lot = shop.wallets.credit("alice", "main", 100, funding_type="promotional",
                                  expires_in="1h").lots[0].lot_id
    clock.advance(hours=2)
    before = snapshot(shop._bf)
    cases = [
        (lambda: shop.lots.void(held_lot, reason="x"), Conflict, "lot_held"),
        (lambda: shop.lots.void(old_lot, reason="x"), Conflict, "lot_expired"),
        (lambda: shop.lots.void(held_lot, reason="  "), InvalidRequest, "invalid_request"),
        (lambda: shop.lots.void("lot_nope", reason="x"), NotFound, "lot_not_found"),
        (lambda: shop.lots.change_expiry(held_lot, expires_at=clock.now(), reason="x"),
         InvalidRequest, "invalid_request"),
        (lambda: shop.lots.change_expiry(old_lot, expires_at=None, reason="x"), Conflict,
         "lot_expired"),
    ]
    for action, error, code in cases:
        with pytest.raises(error) as caught:
            action()
        assert caught.value.code == code
    assert snapshot(shop._bf) == before
