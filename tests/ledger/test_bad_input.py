"""Bad input to every library function raises a typed error and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from billfold.app import Shop
from billfold.errors import BillfoldError, InvalidAmount, InvalidRequest, NotFound
from billfold.money import MAX_AMOUNT_MINOR
from tests.helpers import snapshot

BAD_AMOUNTS = [0, -1, -10**15, 1.5, 100.0, True, False, "100", None, MAX_AMOUNT_MINOR + 1,
               10**30]


def _setup(shop: Shop) -> dict[str, str]:
    shop.settings.update({"allow_transfers": True})
    shop.customers.create("bob")
    credit = shop.wallets.credit("alice", "main", 5000, funding_type="cash")
    debit = shop.wallets.debit("alice", "main", 100)
    hold = shop.holds.create("alice", "main", 1000)
    return {"credit": credit.id, "debit": debit.id, "hold": hold.id, "lot": credit.lots[0].lot_id}


AMOUNT_CALLS: dict[str, Callable[[Shop, dict[str, str], Any], object]] = {
    "credit": lambda s, ids, a: s.wallets.credit("alice", "main", a, funding_type="cash"),
    "credit_new_customer": lambda s, ids, a: s.wallets.credit("zed", "main", a,
                                                              funding_type="cash"),
    "debit": lambda s, ids, a: s.wallets.debit("alice", "main", a),
    "hold": lambda s, ids, a: s.holds.create("alice", "main", a),
    "capture": lambda s, ids, a: s.holds.capture(ids["hold"], amount=a),
    "reverse": lambda s, ids, a: s.transactions.reverse(ids["debit"], amount=a,
                                                        description="correction"),
    "transfer": lambda s, ids, a: s.transfers.create("alice", "bob", "main", a),
}


@pytest.mark.parametrize("call", sorted(AMOUNT_CALLS))
def test_bad_amounts_are_refused_and_move_nothing(shop: Shop, call: str) -> None:
    ids = _setup(shop)
    before = snapshot(shop._bf)
    for amount in BAD_AMOUNTS:
        if amount is None and call in ("capture", "reverse"):
            continue  # amount=None means "all of it" there
        with pytest.raises(InvalidAmount) as caught:
            AMOUNT_CALLS[call](shop, ids, amount)
        assert caught.value.param == "amount", amount
        assert caught.value.to_dict()["type"] == "invalid_request"
    assert snapshot(shop._bf) == before


OTHER_CASES: list[tuple[str, Callable[[Shop, dict[str, str]], object], type, str]] = [
    ("unknown funding type", lambda s, i: s.wallets.credit("alice", "main", 1, funding_type="gift"),
     InvalidRequest, "unknown_funding_type"),
    ("unknown program", lambda s, i: s.wallets.credit("alice", "gold", 1, funding_type="cash"),
     NotFound, "program_not_found"),
    ("unknown program debit", lambda s, i: s.wallets.debit("alice", "gold", 1), NotFound,
     "program_not_found"),
    ("unknown customer debit", lambda s, i: s.wallets.debit("nobody", "main", 1), NotFound,
     "customer_not_found"),
    ("unknown customer hold", lambda s, i: s.holds.create("nobody", "main", 1), NotFound,
     "customer_not_found"),
    ("unknown hold", lambda s, i: s.holds.capture("hold_nope"), NotFound, "hold_not_found"),
    ("unknown hold release", lambda s, i: s.holds.release("hold_nope"), NotFound, "hold_not_found"),
    ("unknown transaction", lambda s, i: s.transactions.reverse("txn_nope",
                                                                description="correction"), NotFound,
     "transaction_not_found"),
    ("empty customer id", lambda s, i: s.wallets.credit("", "main", 1, funding_type="cash"),
     InvalidRequest, "invalid_request"),
    ("huge customer id", lambda s, i: s.wallets.credit("x" * 201, "main", 1, funding_type="cash"),
     InvalidRequest, "invalid_request"),
    ("non-string customer id", lambda s, i: s.wallets.debit(42, "main", 1),
      # type: ignore[arg-type]
     InvalidRequest, "invalid_request"),
    ("float in metadata", lambda s, i: s.wallets.credit("alice", "main", 1, funding_type="cash",
                                                metadata={"x": 1.5}),
     InvalidRequest, "invalid_request"),
    ("nested metadata", lambda s, i: s.wallets.credit("alice", "main", 1, funding_type="cash",
                                              metadata={"x": {"y": 1}}),
     InvalidRequest, "invalid_request"),
    ("too much metadata", lambda s, i: s.wallets.credit("alice", "main", 1, funding_type="cash",
                                                metadata={f"k{n}": n for n in range(51)}),
     InvalidRequest, "invalid_request"),
    ("huge description", lambda s, i: s.wallets.debit("alice", "main", 1, description="x" * 1001),
     InvalidRequest, "invalid_request"),
    ("bad expiry", lambda s, i: s.wallets.credit("alice", "main", 1, funding_type="cash",
                                         expires_in="soon"),
     InvalidRequest, "invalid_request"),
    ("withdrawable not bool", lambda s, i: s.wallets.credit("alice", "main", 1, funding_type="cash",
                                                    withdrawable="yes"),  # type: ignore[arg-type]
     InvalidRequest, "invalid_request"),
    ("transfer to self", lambda s, i: s.transfers.create("alice", "alice", "main", 1),
     InvalidRequest, "invalid_request"),
    ("transfer overspend", lambda s, i: s.transfers.create("alice", "bob", "main", 4000),
     BillfoldError, "insufficient_funds"),
    ("bad page size", lambda s, i: s.wallets.list_transactions("alice", limit=0), InvalidRequest,
     "invalid_request"),
    ("bad page size big", lambda s, i: s.wallets.list_lots("alice", limit=101), InvalidRequest,
     "invalid_request"),
    ("bad cursor", lambda s, i: s.wallets.list_transactions("alice", starting_after="abc"),
     InvalidRequest,
     "invalid_request"),
    ("bad lot status", lambda s, i: s.wallets.list_lots("alice", status="gone"), InvalidRequest,
     "invalid_request"),
]


@pytest.mark.parametrize(("name", "call", "error", "code"), OTHER_CASES,
                         ids=[case[0] for case in OTHER_CASES])
def test_bad_arguments_are_refused_and_change_nothing(shop: Shop, name: str,
                                                      call: Any, error: type, code: str) -> None:
    ids = _setup(shop)
    before = snapshot(shop._bf)
    with pytest.raises(error) as caught:
        call(shop, ids)
    assert caught.value.code == code
    assert caught.value.message
    assert snapshot(shop._bf) == before


def test_another_stores_objects_are_not_found(bf,
                                              shop: Shop) -> None:  # type: ignore[no-untyped-def]
    ids = _setup(shop)
    other = bf.store(bf.create_store("Other", currency="SAR").id)
    before = snapshot(bf)
    for action in (lambda: other.holds.capture(ids["hold"]),
                   lambda: other.transactions.reverse(ids["debit"], description="correction"),
                   lambda: other.transactions.get(ids["credit"]),
                   lambda: other.lots.get(ids["lot"]),
                   lambda: other.lots.void(ids["lot"], reason="x"),
                   lambda: other.wallets.get("alice"), lambda: other.wallets.debit("alice", "main",
                                                                                   1)):
        with pytest.raises(NotFound):
            action()
    assert snapshot(bf) == before
