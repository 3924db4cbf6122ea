from __future__ import annotations

from datetime import timedelta

import pytest

from billfold.app import Shop
from billfold.clock import FrozenClock
from billfold.errors import Conflict, InsufficientFunds, InvalidRequest
from tests.helpers import assert_books_balance, snapshot


def test_hold_reserves_without_spending(shop: Shop, clock: FrozenClock) -> None:
    shop.wallets.credit("alice", "main", 5000, funding_type="cash")
    hold = shop.holds.create("alice", "main", 2000, expires_in="15m", reference="order-1")
    assert (hold.status, hold.amount, hold.captured_amount) == ("held", 2000, 0)
    assert hold.expires_at == clock.now() + timedelta(minutes=15)
    balance = shop.wallets.get("alice")
    assert (balance.available, balance.held, balance.total) == (3000, 2000, 5000)
    assert_books_balance(shop._bf)


def test_hold_beyond_available_is_refused(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 5000, funding_type="cash")
    shop.holds.create("alice", "main", 4000)
    before = snapshot(shop._bf)
    with pytest.raises(InsufficientFunds):
        shop.holds.create("alice", "main", 1001)
    with pytest.raises(InsufficientFunds):
        shop.wallets.debit("alice", "main", 1001)
    assert snapshot(shop._bf) == before


def test_partial_capture_spends_part_and_releases_the_rest(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 5000, funding_type="cash")
    hold = shop.holds.create("alice", "main", 2000)
    captured = shop.holds.capture(hold.id, amount=1500)
    assert (captured.status, captured.captured_amount) == ("captured", 1500)
    balance = shop.wallets.get("alice")
    assert (balance.available, balance.held, balance.total) == (3500, 0, 3500)
    assert [t.type for t in shop.wallets.list_transactions("alice").data] == ["capture", "hold",
                                                                              "credit"]
    assert_books_balance(shop._bf)


def test_capture_takes_the_lots_the_hold_drew(shop: Shop, clock: FrozenClock) -> None:
    soon = shop.wallets.credit("alice", "main", 1000, funding_type="cash",
                               expires_in="2d").lots[0].lot_id
    hold = shop.holds.create("alice", "main", 800)
    later_but_sooner = shop.wallets.credit("alice", "main", 1000, funding_type="cash",
                                           expires_in="1d").lots[0].lot_id
    capture_txn = shop.transactions.get(shop.holds.capture(hold.id).settled_transaction_id or "")
    assert [(e.lot_id, e.amount) for e in capture_txn.lots] == [(soon, -800)]
    assert shop.lots.get(later_but_sooner).remaining == 1000


def test_capture_more_than_held_is_refused(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 5000, funding_type="cash")
    hold = shop.holds.create("alice", "main", 2000)
    before = snapshot(shop._bf)
    with pytest.raises(InvalidRequest) as caught:
        shop.holds.capture(hold.id, amount=2001)
    assert caught.value.code == "amount_exceeds_hold"
    assert snapshot(shop._bf) == before


def test_double_capture_and_capture_after_release_are_refused(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 5000, funding_type="cash")
    first = shop.holds.create("alice", "main", 1000)
    shop.holds.capture(first.id)
    second = shop.holds.create("alice", "main", 1000)
    shop.holds.release(second.id)
    before = snapshot(shop._bf)
    for action in (lambda: shop.holds.capture(first.id), lambda: shop.holds.release(first.id),
                   lambda: shop.holds.capture(second.id), lambda: shop.holds.release(second.id)):
        with pytest.raises(Conflict) as caught:
            action()
        assert caught.value.code == "hold_not_open"
    assert snapshot(shop._bf) == before
    assert shop.wallets.get("alice").available == 4000


def test_release_returns_everything(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 5000, funding_type="cash")
    hold = shop.holds.create("alice", "main", 2000)
    assert shop.holds.release(hold.id).status == "released"
    balance = shop.wallets.get("alice")
    assert (balance.available, balance.held) == (5000, 0)
    assert_books_balance(shop._bf)


def test_timed_out_hold_cannot_be_captured_and_is_swept(shop: Shop,
                                                        clock: FrozenClock) -> None:
    shop.wallets.credit("alice", "main", 5000, funding_type="cash")
    hold = shop.holds.create("alice", "main", 2000, expires_in="10m")
    clock.advance(minutes=10)
    before = snapshot(shop._bf)
    with pytest.raises(Conflict) as caught:
        shop.holds.capture(hold.id)
    assert caught.value.code == "hold_expired"
    assert snapshot(shop._bf) == before
    assert shop.holds.expire_due() == 1
    assert shop.holds.get(hold.id).status == "expired"
    assert shop.wallets.get("alice").available == 5000
    assert shop.holds.expire_due() == 0
    assert_books_balance(shop._bf)


def test_held_lot_does_not_expire_while_held(shop: Shop, clock: FrozenClock) -> None:
    shop.wallets.credit("alice", "main", 1000, funding_type="promotional", expires_in="1h")
    hold = shop.holds.create("alice", "main", 600, expires_in="3h")
    clock.advance(hours=2)
    assert shop.lots.expire_due().amount == 400      # only the free part expires
    balance = shop.wallets.get("alice")
    assert (balance.available, balance.held) == (0, 600)
    assert shop.holds.capture(hold.id).captured_amount == 600
    assert shop.wallets.get("alice").total == 0
    assert_books_balance(shop._bf)


def test_released_lot_past_expiry_expires_at_once(shop: Shop,
                                                  clock: FrozenClock) -> None:
    lot_id = shop.wallets.credit("alice", "main", 1000, funding_type="promotional",
                                 expires_in="1h").lots[0].lot_id
    hold = shop.holds.create("alice", "main", 1000, expires_in="3h")
    clock.advance(hours=2)
    shop.holds.release(hold.id)
    balance = shop.wallets.get("alice")
    assert (balance.available, balance.held, balance.total) == (0, 0, 0)
    lot = shop.lots.get(lot_id)
    assert (lot.status, lot.remaining) == ("expired", 0)
    assert [t.type for t in shop.wallets.list_transactions("alice").data][:2] == ["expiry",
                                                                                  "release"]
    assert_books_balance(shop._bf)


def test_partial_capture_of_expired_held_lot_expires_the_rest(shop: Shop,
                                                              clock: FrozenClock) -> None:
    shop.wallets.credit("alice", "main", 1000, funding_type="promotional", expires_in="1h")
    hold = shop.holds.create("alice", "main", 1000, expires_in="3h")
    clock.advance(hours=2)
    shop.holds.capture(hold.id, amount=300)
    balance = shop.wallets.get("alice")
    assert (balance.available, balance.total) == (0, 0)
    assert_books_balance(shop._bf)


@pytest.mark.parametrize("expires_in", ["0m", "32d", -5, 0])
def test_hold_timeouts_must_be_sensible(shop: Shop, expires_in: object) -> None:
    shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    before = snapshot(shop._bf)
    with pytest.raises(InvalidRequest):
        shop.holds.create("alice", "main", 100, expires_in=expires_in)
    assert snapshot(shop._bf) == before
