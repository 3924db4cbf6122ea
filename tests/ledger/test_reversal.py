from __future__ import annotations

import pytest

from billfold.app import Shop
from billfold.clock import FrozenClock
from billfold.errors import Conflict, InsufficientFunds, InvalidRequest, NotFound
from tests.helpers import assert_books_balance, snapshot


def test_reversing_a_credit_takes_it_back(shop: Shop) -> None:
    credit = shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    reversal = shop.transactions.reverse(credit.id, description="sent by mistake")
    assert (reversal.type, reversal.amount, reversal.reverses_transaction_id) == (
        "reversal", 1000, credit.id)
    assert shop.wallets.get("alice").total == 0
    with pytest.raises(Conflict) as caught:
        shop.transactions.reverse(credit.id, description="correction")
    assert caught.value.code == "already_reversed"
    assert_books_balance(shop._bf)


def test_spent_credit_cannot_be_taken_back(shop: Shop) -> None:
    credit = shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    shop.wallets.debit("alice", "main", 600)
    before = snapshot(shop._bf)
    with pytest.raises(InsufficientFunds) as caught:
        shop.transactions.reverse(credit.id, description="correction")
    assert caught.value.code == "credit_already_spent"
    assert snapshot(shop._bf) == before
    shop.transactions.reverse(credit.id, amount=400, description="correction")
    assert shop.wallets.get("alice").total == 0


def test_reversing_a_debit_restores_its_lots_and_funding_types(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 500, funding_type="promotional", expires_in="10d")
    shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    debit = shop.wallets.debit("alice", "main", 1200)
    # the lot that expires last comes back first
    shop.transactions.reverse(debit.id, amount=200, description="correction")
    assert shop.wallets.get("alice").by_funding_type == {"cash": 500}
    shop.transactions.reverse(debit.id, description="correction")
    assert shop.wallets.get("alice").by_funding_type == {"cash": 1000, "promotional": 500}
    assert {lot.status for lot in shop.wallets.list_lots("alice").data} == {"active"}
    with pytest.raises(Conflict):
        shop.transactions.reverse(debit.id, amount=1, description="correction")
    assert_books_balance(shop._bf)


def test_partial_reversals_never_exceed_the_original(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    debit = shop.wallets.debit("alice", "main", 800)
    shop.transactions.reverse(debit.id, amount=500, description="correction")
    before = snapshot(shop._bf)
    with pytest.raises(InvalidRequest) as caught:
        shop.transactions.reverse(debit.id, amount=301, description="correction")
    assert caught.value.code == "amount_too_large"
    assert snapshot(shop._bf) == before


def test_restored_credit_past_its_expiry_is_not_spendable(shop: Shop,
                                                          clock: FrozenClock) -> None:
    shop.wallets.credit("alice", "main", 500, funding_type="promotional", expires_in="1d")
    debit = shop.wallets.debit("alice", "main", 500)
    clock.advance(days=2)
    shop.transactions.reverse(debit.id, description="correction")
    balance = shop.wallets.get("alice")
    assert (balance.available, balance.total) == (0, 0)
    assert shop.lots.expire_due().amount == 500
    assert_books_balance(shop._bf)


def test_holds_and_unknown_transactions_are_not_reversible(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 500, funding_type="cash")
    hold = shop.holds.create("alice", "main", 100)
    with pytest.raises(Conflict) as caught:
        shop.transactions.reverse(hold.transaction_id, description="correction")
    assert caught.value.code == "not_reversible"
    with pytest.raises(NotFound):
        shop.transactions.reverse("txn_does_not_exist", description="correction")


def test_capture_can_be_reversed(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 500, funding_type="cash")
    hold = shop.holds.capture(shop.holds.create("alice", "main", 300).id)
    shop.transactions.reverse(hold.settled_transaction_id or "", description="correction")
    assert shop.wallets.get("alice").available == 500
    assert_books_balance(shop._bf)


@pytest.mark.parametrize("description", [None, "", "  \t", "x" * 10_001])
def test_a_reversal_must_say_why(shop: Shop, description: object) -> None:
    credit = shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    before = snapshot(shop._bf, with_idempotency=True)
    with pytest.raises(InvalidRequest) as caught:
        shop.transactions.reverse(credit.id, description=description,  # type: ignore[arg-type]
                                  idempotency_key="why-1")
    assert caught.value.param == "description"
    after = snapshot(shop._bf, with_idempotency=True)
    assert {k: v for k, v in after.items() if k != "idempotency_keys"} == {
        k: v for k, v in before.items() if k != "idempotency_keys"}
    assert shop.wallets.get("alice").available == 1000
