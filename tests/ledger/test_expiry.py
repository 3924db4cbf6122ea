from __future__ import annotations

from datetime import timedelta

from billfold.app import StoreWallets
from billfold.clock import FrozenClock
from tests.helpers import assert_books_balance


def test_available_excludes_expired_lots_before_the_sweep(shop: StoreWallets,
                                                          clock: FrozenClock) -> None:
    shop.credit("alice", "main", 1000, funding_type="cash")
    shop.credit("alice", "main", 500, funding_type="promotional", expires_in="1m")
    clock.advance(seconds=59)
    assert shop.balance("alice").available == 1500
    clock.advance(seconds=1)
    balance = shop.balance("alice")
    assert (balance.available, balance.total, balance.by_funding_type) == (
        1000, 1000, {"cash": 1000})
    assert balance.next_expiry is None
    assert_books_balance(shop._bf)


def test_expired_lot_is_never_drawn(shop: StoreWallets, clock: FrozenClock) -> None:
    shop.credit("alice", "main", 500, funding_type="promotional", expires_in="1h")
    clock.advance(hours=1)
    import pytest

    from billfold.errors import InsufficientFunds
    with pytest.raises(InsufficientFunds):
        shop.debit("alice", "main", 1)


def test_sweep_moves_expired_credit_to_breakage(shop: StoreWallets, clock: FrozenClock) -> None:
    for customer in ("alice", "bob", "carol"):
        shop.credit(customer, "main", 700, funding_type="promotional", expires_in="1d")
        shop.credit(customer, "main", 300, funding_type="cashback", expires_in="1d")
        shop.credit(customer, "main", 100, funding_type="cash")
    clock.advance(days=1, seconds=1)
    result = shop.expire_lots()
    assert (result.transactions, result.lots, result.amount) == (3, 6, 3000)
    assert shop.expire_lots().transactions == 0
    expiry = shop.history("alice").data[0]
    assert (expiry.type, expiry.amount, expiry.balance_after) == ("expiry", 1000, 100)
    assert {(lot.status, lot.remaining) for lot in shop.lots("alice", status="expired").data} == {
        ("expired", 0)}
    assert_books_balance(shop._bf)


def test_lot_status_filters(shop: StoreWallets, clock: FrozenClock) -> None:
    spent = shop.credit("alice", "main", 100, funding_type="promotional", expires_in="1h").lot_id
    shop.debit("alice", "main", 100)
    expired = shop.credit("alice", "main", 200, funding_type="promotional",
                          expires_in="2h").lot_id
    active = shop.credit("alice", "main", 300, funding_type="cash").lot_id
    clock.advance(hours=3)
    assert [lot.id for lot in shop.lots("alice", status="active").data] == [active]
    assert [lot.id for lot in shop.lots("alice", status="expired").data] == [expired]
    assert [lot.id for lot in shop.lots("alice", status="spent").data] == [spent]
    shop.expire_lots()
    assert [lot.id for lot in shop.lots("alice", status="expired").data] == [expired]


def test_expiry_to_the_minute(shop: StoreWallets, clock: FrozenClock) -> None:
    txn = shop.credit("alice", "main", 100, funding_type="cash", expires_in="1m")
    assert shop.lot(txn.lot_id or "").expires_at == clock.now() + timedelta(seconds=60)
