"""Transactions over HTTP: read one, reverse all or part of one."""

from __future__ import annotations

import pytest

from billfold.app import Billfold
from billfold.client import Client
from billfold.errors import Conflict, InvalidRequest, NotFound
from tests.helpers import assert_books_balance, snapshot


def test_get_transaction_returns_the_transaction_object(api: Client) -> None:
    credit = api.wallets.credit("cus-1", "main", 500, funding_type="cash", reference="r-1")
    assert api.transactions.get(credit.id) == credit
    with pytest.raises(NotFound):
        api.transactions.get("txn_nope")


def test_reverse_a_debit_puts_the_money_back(api: Client, bf: Billfold) -> None:
    api.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    debit = api.wallets.debit("cus-1", "main", 600)
    response = api.request("POST", f"/v1/transactions/{debit.id}/reverse",
                           json={"description": "Order cancelled"})
    assert response.status_code == 201
    body = response.json()
    assert (body["type"], body["amount"], body["balance_after"],
            body["reverses_transaction_id"], body["description"]) == (
        "reversal", 600, 1000, debit.id, "Order cancelled")
    assert api.wallets.get("cus-1").available == 1000
    with pytest.raises(Conflict) as refused:
        api.transactions.reverse(debit.id, description="again")
    assert refused.value.code == "already_reversed"
    assert_books_balance(bf)


def test_partial_reversal_of_a_credit(api: Client) -> None:
    credit = api.wallets.credit("cus-1", "main", 1000, funding_type="promotional")
    reversal = api.transactions.reverse(credit.id, amount=400, description="Too generous")
    assert (reversal.amount, reversal.balance_after) == (400, 600)
    assert api.wallets.get("cus-1").available == 600


def test_reversing_more_than_is_left_is_400_and_moves_nothing(api: Client,
                                                              bf: Billfold) -> None:
    credit = api.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    before = snapshot(bf)
    with pytest.raises(InvalidRequest) as refused:
        api.transactions.reverse(credit.id, amount=1001, description="x")
    assert refused.value.param == "amount"
    assert snapshot(bf) == before
