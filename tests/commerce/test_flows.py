"""Checkout, orders, offers and refunds through the library, on both backends."""

from __future__ import annotations

from typing import Any

import pytest

from billfold.app import Billfold, Shop
from billfold.clock import FrozenClock
from billfold.errors import Conflict, InvalidRequest
from tests.helpers import assert_books_balance


def line(amount: int, product: str = "p", categories: tuple[str, ...] = (),
         quantity: int = 1) -> dict[str, Any]:
    return {"product_id": product, "category_ids": list(categories), "quantity": quantity,
            "unit_amount": amount}


def order(shop: Shop, order_id: str, customer: str, lines: list[dict[str, Any]],
          **extra: Any) -> Any:
    amount = sum(item["quantity"] * item["unit_amount"] for item in lines)
    return shop.orders.create(order_id, customer, amount, currency="SAR", lines=lines, **extra)


def test_several_offers_on_one_order_add_up_each_capped_alone(shop: Shop,
                                                              bf: Billfold) -> None:
    shop.offers.create("whole 5%", percent=5)
    shop.offers.create("shoes 10%", percent="10", category_ids=["shoes"], max_amount=150)
    shop.offers.create("fixed 3.00 on sku-9", amount=300, product_ids=["sku-9"])
    shop.offers.create("big orders", percent="2.5", min_order_amount=100_000)
    placed = order(shop, "o-1", "ann", [line(1005, "sku-1", ("shoes",)),
                                       line(995, "sku-2", ("shoes",)), line(3000, "sku-3")])
    # 5 % of 5000 = 250; shoes: 10 % of 2000 = 200 capped at 150; no sku-9; below 1,000.00
    assert sorted(c.promised for c in placed.cashback_offers) == [150, 250]
    assert placed.cashback.pending == 400
    assert shop.wallets.get("ann").pending == 400
    assert_books_balance(bf)


def test_percentage_per_line_rounds_half_even_and_adds_up(shop: Shop) -> None:
    shop.offers.create("cat 10%", percent=10, category_ids=["c"])
    placed = order(shop, "o-1", "ann", [line(5, "a", ("c",)), line(15, "b", ("c",)),
                                       line(25, "d", ("c",))])
    assert placed.cashback.pending == 4  # 10 % of 45 = 4.5 → 4 (half-even)


def test_first_order_only_and_time_window(shop: Shop, clock: FrozenClock) -> None:
    start = clock.now()
    from datetime import timedelta
    shop.offers.create("later", percent=10, starts_at=start + timedelta(days=1),
                       ends_at=start + timedelta(days=2))
    assert order(shop, "o-1", "ann", [line(1000)]).cashback.pending == 0
    clock.advance(days=1)
    assert order(shop, "o-2", "ann", [line(1000)]).cashback.pending == 100
    clock.advance(days=1)
    assert order(shop, "o-3", "ann", [line(1000)]).cashback.pending == 0


def test_points_program_pays_at_its_rate_after_capped_before_main(shop: Shop,
                                                                   bf: Billfold) -> None:
    shop.settings.update({"programs": {
        "points": {"unit": "points", "points_per_unit": 3},
        "rewards": {"unit": "SAR", "max_per_order_percent": "10"}}})
    shop.wallets.credit("ann", "points", 10, funding_type="promotional")
    shop.wallets.credit("ann", "rewards", 50000, funding_type="cashback")
    shop.wallets.credit("ann", "main", 50000, funding_type="cash")
    checkout = shop.checkouts.create("ann", "o-1", 30000, currency="SAR")
    parts = [(p.program, p.amount, p.points) for p in checkout.breakdown]
    # rewards: 10 % of 300.00; 10 points at 3 per 1.00 are worth 3.33 (10 points, rounded up)
    assert parts == [("rewards", 3000, None), ("points", 333, 10), ("main", 26667, None)]
    assert checkout.remaining_amount == 0 and checkout.wallet_amount == 30000
    placed = order(shop, "o-1", "ann", [line(30000)], checkout_id=checkout.id)
    shop.orders.set_status("o-1", "paid")
    shop.orders.refund("o-1", 1665)  # rewards 1665 of 3000
    shop.orders.refund("o-1", 1335 + 166)  # the rest of rewards, half the points part
    assert shop.wallets.get("ann", "points").available == 5
    assert shop.orders.get("o-1").payments[1].refunded_points == 5
    shop.orders.refund("o-1", placed.amount - 3166)
    assert shop.wallets.get("ann", "points").available == 10
    assert shop.wallets.get("ann", "rewards").available == 50000
    assert shop.wallets.get("ann", "main").available == 50000
    assert_books_balance(bf)


def test_checkout_with_auto_apply_off_or_chosen_programs(shop: Shop) -> None:
    shop.wallets.credit("ann", "main", 1000, funding_type="cash")
    shop.settings.update({"auto_apply": False})
    assert shop.checkouts.create("ann", "o-1", 500, currency="SAR").wallet_amount == 0
    chosen = shop.checkouts.create("ann", "o-2", 5000, currency="SAR", programs=["main"])
    assert (chosen.wallet_amount, chosen.remaining_amount) == (1000, 4000)
    unknown = shop.checkouts.create("guest", "o-3", 500, currency="SAR", programs=["main"])
    assert unknown.wallet_amount == 0 and unknown.breakdown == unknown.holds == []


def test_abandoned_checkout_holds_time_out(shop: Shop, bf: Billfold,
                                          clock: FrozenClock) -> None:
    shop.wallets.credit("ann", "main", 1000, funding_type="cash")
    checkout = shop.checkouts.create("ann", "o-1", 800, currency="SAR", expires_in="10m")
    assert shop.wallets.get("ann").available == 200
    clock.advance(minutes=11)
    assert shop.checkouts.get(checkout.id).status == "expired"
    bf.sweep()
    assert shop.wallets.get("ann").available == 1000
    with pytest.raises(Conflict):
        shop.checkouts.complete(checkout.id)
    assert shop.checkouts.cancel(checkout.id).status == "cancelled"
    assert_books_balance(bf)


def test_wallet_part_whose_lot_expired_comes_back_expired(shop: Shop, bf: Billfold,
                                                          clock: FrozenClock) -> None:
    shop.wallets.credit("ann", "main", 1000, funding_type="promotional", expires_in="1h")
    checkout = shop.checkouts.create("ann", "o-1", 3000, currency="SAR")
    order(shop, "o-1", "ann", [line(3000)], checkout_id=checkout.id)
    shop.orders.set_status("o-1", "paid")
    clock.advance(hours=2)
    refund = shop.orders.refund("o-1", 3000)
    assert (refund.wallet_amount, refund.card_amount) == (1000, 2000)
    wallet = shop.wallets.get("ann")
    assert wallet.available == 2000 and wallet.by_funding_type == {"refund": 2000}
    bf.sweep()
    assert shop.stats.get().expired == 1000
    assert_books_balance(bf)


def test_refund_never_exceeds_what_was_paid(shop: Shop, bf: Billfold) -> None:
    order(shop, "o-1", "ann", [line(5000)])
    with pytest.raises(InvalidRequest):
        shop.orders.refund("o-1", 1)  # placed, nothing paid by wallet or card yet
    shop.orders.set_status("o-1", "paid")
    shop.orders.refund("o-1", 3000)
    with pytest.raises(InvalidRequest):
        shop.orders.refund("o-1", 2001)
    shop.orders.refund("o-1", 2000)
    assert shop.orders.get("o-1").refundable_amount == 0
    assert shop.wallets.get("ann").available == 5000
    assert_books_balance(bf)


def test_promised_cashback_shrinks_on_partial_refund_before_fulfilment(
        shop: Shop, bf: Billfold) -> None:
    shop.offers.create("10%", percent=10)
    order(shop, "o-1", "ann", [line(10000)])
    shop.orders.set_status("o-1", "paid")
    shop.orders.refund("o-1", 2500)
    assert shop.wallets.get("ann").pending == 750
    shipped = shop.orders.set_status("o-1", "shipped")
    assert (shipped.cashback.granted, shipped.cashback.voided) == (750, 250)
    assert_books_balance(bf)


@pytest.mark.parametrize("mode", ["record", "deduct_from_refund"])
def test_spent_cashback_is_a_shortfall_or_deducted_never_a_negative_wallet(
        shop: Shop, bf: Billfold, mode: str) -> None:
    shop.settings.update({"clawback_shortfall": mode})
    shop.offers.create("10%", percent=10)
    order(shop, "o-1", "ann", [line(30000)])
    shop.orders.set_status("o-1", "delivered")
    shop.wallets.debit("ann", "main", 2000)  # spends 20.00 of the 30.00 cashback
    refund = shop.orders.refund("o-1", 30000)
    summary = shop.orders.get("o-1").cashback
    assert summary.clawed_back == 1000
    wallet = shop.wallets.get("ann")
    assert wallet.available >= 0
    if mode == "record":
        assert (summary.shortfall, summary.deducted, refund.credited_amount) == (2000, 0, 30000)
        assert wallet.available == 30000
    else:
        assert (summary.shortfall, summary.deducted, refund.credited_amount) == (0, 2000, 28000)
        assert wallet.available == 28000
    stats = shop.stats.get().cashback
    assert (stats.shortfall, stats.deducted) == (summary.shortfall, summary.deducted)
    assert_books_balance(bf)


def test_status_moves_forward_only_and_cancel_only_before_shipping(shop: Shop) -> None:
    order(shop, "o-1", "ann", [line(100)])
    shop.orders.set_status("o-1", "delivered")
    for status in ("paid", "shipped", "delivered", "cancelled"):
        with pytest.raises(Conflict):
            shop.orders.set_status("o-1", status)
    shop.orders.set_status("o-1", "completed")
    order(shop, "o-2", "ann", [line(100)])
    shop.orders.set_status("o-2", "cancelled")
    with pytest.raises(Conflict):
        shop.orders.set_status("o-2", "paid")


def test_granted_once_and_retries_replay(shop: Shop, bf: Billfold) -> None:
    shop.offers.create("10%", percent=10)
    first = order(shop, "o-1", "ann", [line(1000)], idempotency_key="k-order")
    again = order(shop, "o-1", "ann", [line(1000)], idempotency_key="k-order")
    assert first == again
    shop.orders.set_status("o-1", "shipped", idempotency_key="k-ship")
    shop.orders.set_status("o-1", "shipped", idempotency_key="k-ship")
    shop.orders.set_status("o-1", "delivered")
    shop.orders.set_status("o-1", "completed")
    assert shop.wallets.get("ann").available == 100
    assert_books_balance(bf)
