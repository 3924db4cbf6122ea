from __future__ import annotations

import pytest

from billfold.app import Shop
from billfold.errors import IdempotencyConflict, InsufficientFunds, InvalidRequest
from tests.helpers import snapshot


def test_same_key_same_request_returns_the_first_result(shop: Shop) -> None:
    first = shop.wallets.credit("alice", "main", 1000, funding_type="cash", idempotency_key="k-1")
    again = shop.wallets.credit("alice", "main", 1000, funding_type="cash", idempotency_key="k-1")
    assert again == first
    assert shop.wallets.get("alice").available == 1000


def test_same_key_other_request_is_a_conflict(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 1000, funding_type="cash", idempotency_key="k-1")
    before = snapshot(shop._bf, with_idempotency=True)
    with pytest.raises(IdempotencyConflict) as caught:
        shop.wallets.credit("alice", "main", 1001, funding_type="cash", idempotency_key="k-1")
    assert (caught.value.status, caught.value.code) == (409, "idempotency_conflict")
    with pytest.raises(IdempotencyConflict):
        shop.wallets.debit("alice", "main", 1000, idempotency_key="k-1")
    assert snapshot(shop._bf, with_idempotency=True) == before


def test_a_refused_debit_is_refused_again_even_after_a_top_up(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 100, funding_type="cash")
    with pytest.raises(InsufficientFunds) as first:
        shop.wallets.debit("alice", "main", 500, idempotency_key="order-9")
    shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    before = snapshot(shop._bf)
    with pytest.raises(InsufficientFunds) as again:
        shop.wallets.debit("alice", "main", 500, idempotency_key="order-9")
    assert again.value.to_dict() == first.value.to_dict()
    assert snapshot(shop._bf) == before


def test_hold_capture_replays(shop: Shop) -> None:
    shop.wallets.credit("alice", "main", 1000, funding_type="cash")
    hold = shop.holds.create("alice", "main", 500, idempotency_key="h")
    assert shop.holds.create("alice", "main", 500, idempotency_key="h") == hold
    captured = shop.holds.capture(hold.id, amount=200, idempotency_key="c")
    assert shop.holds.capture(hold.id, amount=200, idempotency_key="c") == captured
    assert shop.wallets.get("alice").available == 800


def test_keys_are_scoped_per_store(bf, shop: Shop) -> None:  # type: ignore[no-untyped-def]
    other = bf.store(bf.create_store("Other", currency="SAR").id)
    shop.wallets.credit("alice", "main", 1000, funding_type="cash", idempotency_key="same")
    other.wallets.credit("alice", "main", 7, funding_type="cash", idempotency_key="same")
    assert other.wallets.get("alice").available == 7


@pytest.mark.parametrize("key", ["", "x" * 256, "bad\nkey", 42])
def test_bad_keys_are_refused(shop: Shop, key: object) -> None:
    with pytest.raises(InvalidRequest):
        shop.wallets.credit("alice", "main", 1, funding_type="cash", idempotency_key=key)  # type: ignore[arg-type]


def test_a_keyed_credit_or_debit_keeps_its_key_in_its_transaction_row(shop: Shop) -> None:
    """No separate idempotency record for an answer that is one transaction (issue 12):
    the row carries the key; a refusal keeps a record of its own."""
    from sqlalchemy import select

    from billfold.store.tables import idempotency_keys, transactions

    credit = shop.wallets.credit("alice", "main", 1000, funding_type="cash", idempotency_key="c")
    debit = shop.wallets.debit("alice", "main", 300, idempotency_key="d")
    with pytest.raises(InsufficientFunds):
        shop.wallets.debit("alice", "main", 5000, idempotency_key="too-much")
    with shop._bf.begin(read_only=True) as conn:
        keyed = dict(conn.execute(select(transactions.c.idempotency_key,
                                         transactions.c.transaction_id)
                                  .where(transactions.c.idempotency_key.is_not(None))).all())
        records = conn.execute(select(idempotency_keys.c.key,
                                      idempotency_keys.c.outcome)).all()
    assert keyed == {"c": credit.id, "d": debit.id}
    assert [tuple(r) for r in records] == [("too-much", "error")]
    assert shop.wallets.debit("alice", "main", 300, idempotency_key="d") == debit
    assert shop.wallets.credit("alice", "main", 1000, funding_type="cash",
                               idempotency_key="c") == credit
    with pytest.raises(IdempotencyConflict):
        shop.wallets.credit("alice", "main", 300, funding_type="cash", idempotency_key="d")
    assert shop.wallets.get("alice", "main").available == 700
