from __future__ import annotations

from datetime import timedelta

import pytest

from billfold.app import Shop
from billfold.clock import FrozenClock
from billfold.errors import InsufficientFunds, NotFound
from tests.helpers import assert_books_balance, snapshot


def test_credit_creates_customer_wallet_and_lot(shop: Shop) -> None:
    txn = shop.wallets.credit("alice", "main", 5000, funding_type="cash", description="Welcome",
                              reference="ref-1", metadata={"campaign": "spring"})
    assert (txn.type, txn.amount, txn.balance_after, txn.unit) == ("credit", 5000, 5000, "SAR")
    assert txn.metadata == {"campaign": "spring"}
    [lot] = shop.wallets.list_lots("alice").data
    assert (lot.amount, lot.remaining, lot.funding_type, lot.withdrawable) == (
        5000, 5000, "cash", True)
    assert lot.status == "active"
    assert txn.lots[0].lot_id == lot.id
    assert_books_balance(shop._bf)


@pytest.mark.parametrize(("funding_type", "withdrawable"), [
    ("cash", True), ("refund", True), ("manual_adjustment", True), ("promotional", False),
    ("cashback", False), ("code_redemption", False)])
def test_funding_types_default_withdrawability(shop: Shop, funding_type: str,
                                               withdrawable: bool) -> None:
    shop.wallets.credit("alice", "main", 100, funding_type=funding_type)
    assert shop.wallets.list_lots("alice").data[0].withdrawable is withdrawable


def test_withdrawability_can_be_set_per_credit(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 100, funding_type="code_redemption", withdrawable=True)
    assert shop.wallets.list_lots("alice").data[0].withdrawable is True


def test_debit_draws_soonest_expiry_then_non_withdrawable_then_oldest(
        shop: Shop, clock: FrozenClock) -> None:
    never = shop.wallets.credit("alice", "main", 1000, funding_type="cash").lots[0].lot_id
    late = shop.wallets.credit("alice", "main", 1000, funding_type="cash",
                               expires_in="60d").lots[0].lot_id
    soon_cash = shop.wallets.credit("alice", "main", 1000, funding_type="cash",
                                    expires_in="10d").lots[0].lot_id
    soon_promo = shop.wallets.credit("alice", "main", 1000, funding_type="promotional",
                                     expires_at=clock.now() + timedelta(days=10)).lots[0].lot_id
    debit = shop.wallets.debit("alice", "main", 3500)
    assert [(e.lot_id, e.amount) for e in debit.lots] == [
        (soon_promo, -1000), (soon_cash, -1000), (late, -1000), (never, -500)]
    assert shop.wallets.get("alice").available == 500
    assert_books_balance(shop._bf)


def test_oldest_first_program_spends_by_age(shop: Shop, clock: FrozenClock) -> None:
    shop.programs.create("gifts", unit="SAR", spending_strategy="oldest_first")
    old = shop.wallets.credit("alice", "gifts", 1000, funding_type="cash").lots[0].lot_id
    clock.advance(seconds=1)
    shop.wallets.credit("alice", "gifts", 1000, funding_type="promotional", expires_in="1d")
    debit = shop.wallets.debit("alice", "gifts", 600)
    assert [(e.lot_id, e.amount) for e in debit.lots] == [(old, -600)]


def test_strategy_can_be_changed_on_a_program(shop: Shop, clock: FrozenClock) -> None:
    old = shop.wallets.credit("alice", "main", 1000, funding_type="cash").lots[0].lot_id
    clock.advance(seconds=1)
    shop.wallets.credit("alice", "main", 1000, funding_type="cash", expires_in="1d")
    shop.programs.update("main", spending_strategy="oldest_first")
    assert shop.wallets.debit("alice", "main", 100).lots[0].lot_id == old


def test_debit_more_than_available_is_refused_and_moves_nothing(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    before = snapshot(shop._bf)
    with pytest.raises(InsufficientFunds) as caught:
        shop.wallets.debit("alice", "main", 1001)
    assert caught.value.to_dict() == {
        "type": "insufficient_funds", "code": "insufficient_funds", "param": "amount",
        "message": "The wallet has 1000 SAR available, 1001 SAR needed."}
    assert snapshot(shop._bf) == before


def test_debit_of_unknown_customer_is_not_found(shop: Shop) -> None:
    with pytest.raises(NotFound) as caught:
        shop.wallets.debit("nobody", "main", 1)
    assert caught.value.code == "customer_not_found"


def test_exact_balance_can_be_spent_to_zero(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    shop.wallets.credit("alice", "main", 1, funding_type="promotional")
    shop.wallets.debit("alice", "main", 1001)
    balance = shop.wallets.get("alice")
    assert (balance.available, balance.total) == (0, 0)
    assert {lot.status for lot in shop.wallets.list_lots("alice").data} == {"spent"}
    assert_books_balance(shop._bf)


def test_known_customer_without_activity_has_a_zero_wallet(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 10, funding_type="cash")
    shop.programs.create("rewards", unit="SAR")
    balance = shop.wallets.get("alice", "rewards")
    assert (balance.id, balance.available, balance.total, balance.next_expiry) == (
        None, 0, 0, None)
    with pytest.raises(NotFound):
        shop.wallets.get("bob", "main")


def test_balance_reports_funding_types_and_next_expiry(shop: Shop,
                                                       clock: FrozenClock) -> None:
    shop.wallets.credit("alice", "main", 3000, funding_type="cash")
    shop.wallets.credit("alice", "main", 700, funding_type="cashback", expires_in="7d")
    shop.wallets.credit("alice", "main", 300, funding_type="promotional", expires_in="7d")
    shop.wallets.credit("alice", "main", 500, funding_type="promotional", expires_in="30d")
    balance = shop.wallets.get("alice")
    assert balance.by_funding_type == {"cash": 3000, "cashback": 700, "promotional": 800}
    assert balance.next_expiry is not None
    assert balance.next_expiry.amount == 1000
    assert balance.next_expiry.expires_at == clock.now() + timedelta(days=7)


def test_points_program_uses_its_own_unit(shop: Shop) -> None:
    shop.programs.create("points", unit="points")
    txn = shop.wallets.credit("alice", "points", 250, funding_type="promotional")
    assert txn.unit == "points"
    assert shop.wallets.get("alice", "points").available == 250
    assert shop.wallets.get("alice", "main").available == 0


def test_program_default_expiry_applies_to_credits(shop: Shop,
                                                   clock: FrozenClock) -> None:
    shop.programs.create("rewards", unit="SAR", expires_in="30d")
    shop.wallets.credit("alice", "rewards", 100, funding_type="cashback")
    assert shop.wallets.list_lots("alice",
                                  "rewards").data[0].expires_at == clock.now() + timedelta(days=30)


def test_transfer_moves_lots_with_their_nature(shop: Shop, clock: FrozenClock) -> None:
    shop.settings.update({"allow_transfers": True})
    shop.customers.create("bob")
    shop.wallets.credit("alice", "main", 1000, funding_type="promotional", expires_in="5d")
    shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    txn = shop.transfers.create("alice", "bob", "main", 1500)
    assert shop.wallets.get("alice").available == 500
    bob = shop.wallets.get("bob")
    assert bob.by_funding_type == {"promotional": 1000, "cash": 500}
    assert bob.next_expiry is not None
    assert bob.next_expiry.expires_at == clock.now() + timedelta(days=5)
    [received] = shop.wallets.list_transactions("bob").data
    assert (received.id, received.balance_after) == (txn.id, 1500)
    assert_books_balance(shop._bf)
