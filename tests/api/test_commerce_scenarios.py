"""The seed scenarios (what merchants and shoppers were promised), end to end over HTTP
on SQLite and PostgreSQL; the books balance after each."""

from __future__ import annotations

from typing import Any

import pytest

from billfold.app import Billfold
from billfold.client import Client
from billfold.clock import FrozenClock
from billfold.contract import Order
from billfold.errors import Conflict
from tests.helpers import assert_books_balance


def line(amount: int, product: str = "sku-1", categories: list[str] | None = None,
         quantity: int = 1) -> dict[str, Any]:
    return {"product_id": product, "category_ids": categories or [], "quantity": quantity,
            "unit_amount": amount}


def place(api: Client, order_id: str, customer: str, amount: int, **extra: Any) -> Order:
    return api.orders.create(order_id, customer, amount, currency="SAR",
                             lines=extra.pop("lines", [line(amount)]), **extra)


def test_first_purchase_cashback_15_percent_granted_once_on_shipping(
        api: Client, bf: Billfold) -> None:
    api.offers.create("Welcome 15%", percent=15, first_order_only=True,
                      credit_expires_in="90d")
    order = place(api, "o-1", "amira", 20000)
    assert order.status == "placed"
    assert order.cashback.model_dump() == {"pending": 3000, "granted": 0, "voided": 0,
                                 "clawed_back": 0, "shortfall": 0, "deducted": 0}
    wallet = api.wallets.get("amira")
    assert (wallet.pending, wallet.available) == (3000, 0)
    api.orders.set_status("o-1", "paid")
    shipped = api.orders.set_status("o-1", "shipped")
    assert shipped.cashback.granted == 3000 and shipped.cashback.pending == 0
    api.orders.set_status("o-1", "delivered")
    api.orders.set_status("o-1", "completed")
    wallet = api.wallets.get("amira")
    assert (wallet.available, wallet.pending) == (3000, 0)
    assert wallet.by_funding_type == {"cashback": 3000}
    assert wallet.next_expiry is not None
    second = place(api, "o-2", "amira", 20000)
    assert second.cashback.pending == 0  # first order only
    assert_books_balance(bf)


def test_seasonal_25_percent_cashback_is_used_later(api: Client, bf: Billfold,
                                                   clock: FrozenClock) -> None:
    api.offers.create("Season 25%", percent=25)
    place(api, "o-1", "ben", 40000)
    api.orders.set_status("o-1", "paid")
    api.orders.set_status("o-1", "delivered")
    assert api.wallets.get("ben").available == 10000
    clock.advance(days=20)
    checkout = api.checkouts.create("ben", "o-2", 15000, currency="SAR")
    assert checkout.wallet_amount == 10000 and checkout.remaining_amount == 5000
    assert checkout.model_dump()["breakdown"] == [{"program": "main", "amount": 10000}]
    order = place(api, "o-2", "ben", 15000, checkout_id=checkout.id)
    assert order.wallet_amount == 10000 and order.card_amount == 5000
    assert api.checkouts.get(checkout.id).status == "completed"
    assert api.wallets.get("ben").available == 0
    assert_books_balance(bf)


def test_offer_closed_before_the_status_update_gives_nothing(api: Client,
                                                            bf: Billfold) -> None:
    offer = api.offers.create("Flash 10%", percent=10)
    order = place(api, "o-1", "cat", 50000)
    assert order.cashback.pending == 5000
    api.offers.close(offer.id)
    shipped = api.orders.set_status("o-1", "shipped")
    assert shipped.cashback.granted == 0 and shipped.cashback.voided == 5000
    wallet = api.wallets.get("cat")
    assert (wallet.available, wallet.pending) == (0, 0)
    assert_books_balance(bf)


def test_ten_percent_of_2000_capped_at_100_gives_100(api: Client, bf: Billfold) -> None:
    api.offers.create("10% up to 100", percent=10, max_amount=10000)
    order = place(api, "o-1", "dan", 200000)
    assert order.cashback.pending == 10000
    api.orders.set_status("o-1", "completed")
    assert api.wallets.get("dan").available == 10000
    assert_books_balance(bf)


def test_half_of_a_fulfilled_order_returned_takes_back_half_its_cashback(
        api: Client, bf: Billfold) -> None:
    api.offers.create("10%", percent=10)
    place(api, "o-1", "eve", 30000, lines=[line(15000, "a"), line(15000, "b")])
    api.orders.set_status("o-1", "paid")
    api.orders.set_status("o-1", "shipped")
    assert api.wallets.get("eve").available == 3000
    refund = api.orders.refund("o-1", 15000)
    assert refund.card_amount == 15000 and refund.clawed_back == 1500
    order = api.orders.get("o-1")
    assert order.cashback.clawed_back == 1500
    wallet = api.wallets.get("eve")
    assert wallet.by_funding_type == {"cashback": 1500, "refund": 15000}
    assert_books_balance(bf)


def test_cancelled_paid_order_is_refunded_to_the_wallet_at_once(api: Client,
                                                               bf: Billfold) -> None:
    api.wallets.credit("fay", "main", 5000, funding_type="promotional", expires_in="30d")
    checkout = api.checkouts.create("fay", "o-1", 12000, currency="SAR")
    place(api, "o-1", "fay", 12000, checkout_id=checkout.id)
    api.orders.set_status("o-1", "paid")
    cancelled = api.orders.set_status("o-1", "cancelled")
    assert cancelled.status == "cancelled" and cancelled.refunded_amount == 12000
    wallet = api.wallets.get("fay")
    assert wallet.available == 12000  # the 50.00 spent comes back as it was, plus 70.00
    assert wallet.by_funding_type == {"promotional": 5000, "refund": 7000}
    with pytest.raises(Conflict):
        api.orders.set_status("o-1", "shipped")
    assert_books_balance(bf)


def test_reward_wallet_cap_20_of_300_with_main_paying_180_and_card_100(
        api: Client, bf: Billfold) -> None:
    api.settings.update({"programs": {"rewards": {"unit": "SAR",
                                                  "max_per_order_amount": 2000}}})
    api.wallets.credit("gus", "rewards", 10000, funding_type="cashback")
    api.wallets.credit("gus", "main", 18000, funding_type="cash")
    checkout = api.checkouts.create("gus", "o-1", 30000, currency="SAR")
    assert checkout.model_dump()["breakdown"] == [{"program": "rewards", "amount": 2000},
                                                  {"program": "main", "amount": 18000}]
    assert checkout.wallet_amount == 20000 and checkout.remaining_amount == 10000
    assert [h.amount for h in checkout.holds] == [2000, 18000]
    done = api.checkouts.complete(checkout.id)
    assert done.status == "completed"
    assert api.wallets.get("gus", "rewards").available == 8000
    assert api.wallets.get("gus", "main").available == 0
    assert_books_balance(bf)


def test_wallet_switched_off_keeps_balances_but_earns_nothing_new(
        api: Client, bf: Billfold) -> None:
    api.offers.create("5%", percent=5)
    api.wallets.credit("hal", "main", 10000, funding_type="cash")
    place(api, "o-0", "hal", 10000)  # promised while on, shipped while off
    assert api.settings.update({"wallet_enabled": False}).wallet_enabled is False
    order = place(api, "o-1", "hal", 20000)
    assert order.cashback.pending == 0
    api.orders.set_status("o-0", "shipped")
    api.orders.set_status("o-1", "shipped")
    wallet = api.wallets.get("hal")
    assert (wallet.available, wallet.pending) == (10000, 0)
    checkout = api.checkouts.create("hal", "o-2", 4000, currency="SAR")  # still spendable
    assert checkout.wallet_amount == 4000
    api.checkouts.complete(checkout.id)
    api.settings.update({"wallet_enabled": True})
    assert api.orders.get("o-1").cashback.granted == 0
    assert api.orders.get("o-0").cashback.voided == 500
    wallet = api.wallets.get("hal")
    assert (wallet.available, wallet.pending) == (6000, 0)
    assert_books_balance(bf)
