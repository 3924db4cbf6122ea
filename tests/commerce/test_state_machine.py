"""Random sequences of commerce and funding operations — credits, checkouts, orders,
offers, status moves, refunds, wallet on/off, wallet codes, top-ups (manual and
automatic), withdrawals, transfers, time — checking after every step that every ledger
invariant holds (`verify`), that no order is refunded more than was paid, that no
wallet goes below zero, and that the statistics' liability equals the wallets'."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from billfold.app import Billfold
from billfold.clock import FrozenClock
from billfold.commerce import stats as stats_module
from billfold.commerce.stats import Flows, compute_stats
from billfold.errors import BillfoldError
from tests.ledger.test_state_machine import _database_factory

CUSTOMERS = st.sampled_from(["ann", "ben"])
AMOUNTS = st.integers(min_value=1, max_value=5000)
STATUSES = st.sampled_from(["paid", "shipped", "delivered", "completed", "cancelled"])
EXAMPLES = int(os.environ.get("BILLFOLD_COMMERCE_MACHINE_EXAMPLES", "8"))
STEPS = int(os.environ.get("BILLFOLD_COMMERCE_MACHINE_STEPS", "20"))


class CommerceMachine(RuleBasedStateMachine):
    make_database: Any

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock()
        self.bf = Billfold(self.make_database(), clock=self.clock)
        self.shop = self.bf.store(self.bf.create_store("Machine", currency="SAR").id)
        self.shop.settings.update({"programs": {"rewards": {
            "unit": "SAR", "max_per_order_amount": 700, "max_per_order_percent": 20}}})
        self.shop.settings.update({"allow_topup": True, "topup_amounts": [500, 2000],
                                   "withdrawals_enabled": True, "allow_transfers": True})
        # -- loyalty: purchase points, a first-order bonus, a season, reviews, tiers --
        self.shop.settings.update({
            "programs": {"points": {"unit": "points", "points_per_unit": 100}},
            "tiers": [{"name": "VIP", "min_points": 300, "window": "30d", "multiplier": 2}]})
        self.shop.loyalty.create_rule("Per 100", program="points", event="purchase",
                                      kind="proportional", points=100, per_amount=10000)
        self.shop.loyalty.create_rule("First", program="points", event="first_purchase",
                                      kind="fixed", points=200, expires_in="1d")
        self.shop.loyalty.create_rule("Season", program="points", event="purchase",
                                      kind="multiplier", multiplier="1.5")
        self.shop.loyalty.create_rule("Review", program="points", event="review",
                                      kind="random", outcomes=[{"points": 5, "weight": 1},
                                                               {"points": 40, "weight": 1}],
                                      max_per_customer=100, period="day")
        self.orders: list[str] = []
        self.offers: list[str] = []
        self.refunded: dict[str, int] = {}
        self.codes: list[str] = []
        self.topups: list[str] = []
        self.withdrawals: list[str] = []

    def teardown(self) -> None:
        self.bf.close()

    def attempt(self, action: Any) -> Any:
        try:
            return action()
        except BillfoldError as refusal:
            assert refusal.status in (400, 402, 404, 409, 429), refusal
            return None

    @rule(customer=CUSTOMERS, program=st.sampled_from(["main", "rewards"]), amount=AMOUNTS,
          funding=st.sampled_from(["cash", "promotional", "cashback"]),
          expires_in=st.sampled_from([None, "1h", "1d"]))
    def credit(self, customer: str, program: str, amount: int, funding: str,
               expires_in: str | None) -> None:
        self.shop.wallets.credit(customer, program, amount, funding_type=funding,
                                 expires_in=expires_in)

    @rule(percent=st.sampled_from([5, "12.5", 25]), cap=st.sampled_from([None, 300]),
          first=st.booleans())
    def create_offer(self, percent: object, cap: int | None, first: bool) -> None:
        self.offers.append(self.shop.offers.create("o", percent=percent, max_amount=cap,
                                                   first_order_only=first).id)

    @rule(index=st.integers(min_value=0, max_value=5))
    def close_offer(self, index: int) -> None:
        if index < len(self.offers):
            self.attempt(lambda: self.shop.offers.close(self.offers[index]))

    @rule(customer=CUSTOMERS, amounts=st.lists(AMOUNTS, min_size=1, max_size=3),
          pay_with_wallet=st.booleans())
    def place_order(self, customer: str, amounts: list[int], pay_with_wallet: bool) -> None:
        order_id = f"o-{len(self.orders)}"
        total = sum(amounts)
        checkout_id = None
        if pay_with_wallet:
            checkout_id = self.shop.checkouts.create(customer, order_id, total,
                                                     currency="SAR").id
        self.shop.orders.create(order_id, customer, total, currency="SAR",
                                checkout_id=checkout_id,
                                lines=[{"product_id": f"p{i}", "quantity": 1,
                                        "unit_amount": a} for i, a in enumerate(amounts)])
        self.orders.append(order_id)
        self.refunded[order_id] = 0

    @rule(index=st.integers(min_value=0, max_value=8), status=STATUSES)
    def move(self, index: int, status: str) -> None:
        if index < len(self.orders):
            self.attempt(lambda: self.shop.orders.set_status(self.orders[index], status))

    @rule(index=st.integers(min_value=0, max_value=8), amount=AMOUNTS)
    def refund(self, index: int, amount: int) -> None:
        if index >= len(self.orders):
            return
        order_id = self.orders[index]
        before = self.shop.orders.get(order_id)
        result = self.attempt(lambda: self.shop.orders.refund(order_id, amount))
        assert (result is not None) == (amount <= before.refundable_amount)

    @rule(customer=CUSTOMERS, amount=AMOUNTS)
    def spend(self, customer: str, amount: int) -> None:
        self.attempt(lambda: self.shop.wallets.debit(customer, "main", amount))

    # -- funding --
    @rule(amount=AMOUNTS, uses=st.integers(min_value=1, max_value=2),
          withdrawable=st.booleans())
    def make_code(self, amount: int, uses: int, withdrawable: bool) -> None:
        made = self.shop.codes.create(amount, "main", max_redemptions=uses,
                                      withdrawable=withdrawable, credit_expires_in="1d")
        self.codes.append(made.codes[0])

    @rule(index=st.integers(min_value=0, max_value=4), customer=CUSTOMERS)
    def redeem(self, index: int, customer: str) -> None:
        if index < len(self.codes):
            self.attempt(lambda: self.shop.codes.redeem(self.codes[index], customer))

    @rule(customer=CUSTOMERS, amount=st.sampled_from([500, 2000, 777]))
    def top_up(self, customer: str, amount: int) -> None:
        made = self.attempt(lambda: self.shop.topups.create(customer, "main", amount))
        assert (made is None) == (amount == 777)
        if made is not None:
            self.topups.append(made.id)

    @rule(index=st.integers(min_value=0, max_value=4), reference=st.sampled_from(["a", "b"]),
          cancel=st.booleans())
    def settle_top_up(self, index: int, reference: str, cancel: bool) -> None:
        if index < len(self.topups):
            topup_id = self.topups[index]
            self.attempt(lambda: self.shop.topups.cancel(topup_id) if cancel
                         else self.shop.topups.confirm(topup_id, reference))

    @rule(customer=CUSTOMERS, threshold=st.sampled_from([100, 1000]))
    def auto_top_up(self, customer: str, threshold: int) -> None:
        self.attempt(lambda: self.shop.topups.set_auto(customer, "main", threshold, 500))

    @rule(customer=CUSTOMERS, amount=AMOUNTS)
    def withdraw(self, customer: str, amount: int) -> None:
        made = self.attempt(lambda: self.shop.withdrawals.create(customer, "main", amount))
        if made is not None:
            self.withdrawals.append(made.id)

    @rule(index=st.integers(min_value=0, max_value=4), approve=st.booleans())
    def decide_withdrawal(self, index: int, approve: bool) -> None:
        if index < len(self.withdrawals):
            wd = self.withdrawals[index]
            self.attempt(lambda: self.shop.withdrawals.approve(wd) if approve
                         else self.shop.withdrawals.reject(wd))

    @rule(amount=AMOUNTS, to_ben=st.booleans())
    def transfer(self, amount: int, to_ben: bool) -> None:
        giver, taker = ("ann", "ben") if to_ben else ("ben", "ann")
        self.attempt(lambda: self.shop.transfers.create(giver, taker, "main", amount))

    @rule(customer=CUSTOMERS, event_id=st.sampled_from(["r1", "r2", None]))
    def review(self, customer: str, event_id: str | None) -> None:
        self.shop.loyalty.create_event("review", customer, id=event_id and f"{customer}-"
                                       f"{event_id}")

    @rule(customer=CUSTOMERS, amounts=st.lists(AMOUNTS, min_size=1, max_size=2))
    def pay_with_points(self, customer: str, amounts: list[int]) -> None:
        order_id = f"o-{len(self.orders)}"
        total = sum(amounts)
        checkout = self.shop.checkouts.create(customer, order_id, total, currency="SAR",
                                              programs=["points", "main"])
        self.shop.orders.create(order_id, customer, total, currency="SAR",
                                checkout_id=checkout.id,
                                lines=[{"product_id": f"p{i}", "quantity": 1,
                                        "unit_amount": a} for i, a in enumerate(amounts)])
        self.orders.append(order_id)
        self.refunded[order_id] = 0

    @rule(enabled=st.booleans())
    def switch_wallet(self, enabled: bool) -> None:
        self.shop.settings.update({"wallet_enabled": enabled})

    @rule(minutes=st.sampled_from([10, 90, 60 * 25]))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)
        self.bf.sweep()

    def points_total(self) -> int:
        total = 0
        for customer in ("ann", "ben"):
            try:
                total += self.shop.wallets.get(customer, "points").total
            except BillfoldError:
                continue
        return total

    @invariant()
    def books_balance_and_refunds_stay_within_payments(self) -> None:
        report = self.bf.verify()
        assert report.ok, report.render()
        wallets_total = 0
        for order_id in self.orders:
            order = self.shop.orders.get(order_id)
            assert 0 <= order.refunded_amount <= order.paid_amount <= order.amount
            assert order.cashback.pending >= 0 and order.cashback.shortfall >= 0
            points = order.points
            assert min(points.pending, points.granted, points.voided, points.clawed_back) >= 0
            assert points.clawed_back <= points.granted
        for customer in ("ann", "ben"):
            try:
                for program in ("main", "rewards", "points"):
                    balance = self.shop.wallets.get(customer, program)
                    assert balance.available >= 0
                    wallets_total += balance.total
            except BillfoldError:
                continue
        for topup_id in self.topups:
            topup = self.shop.topups.get(topup_id)
            assert (topup.status == "succeeded") == (topup.transaction_id is not None)
        stats = self.shop.stats.get()
        points_total = self.points_total()
        assert sum(v for k, v in stats.outstanding.items() if k != "points") == (
            wallets_total - points_total)
        assert stats.outstanding.get("points", points_total) == points_total
        lean = self.bf.run(lambda c: compute_stats(  # the dashboard's: wallets only
            c, store_id=self.shop.store_id, now=self.bf.clock.now(), by_funding_type=False))
        assert {p.program: p.outstanding for p in lean.programs if p.outstanding} == {
            k: v for k, v in stats.outstanding.items() if v}
        assert lean.customers_with_balance == stats.customers_with_balance
        # The flows read from the worker's daily sums equal a fresh scan of the movements,
        # over a window whose edges cut days.
        now = self.bf.clock.now()
        start, end = now - timedelta(days=2, hours=5), now + timedelta(hours=3)
        kept = self.bf.run(lambda c: compute_stats(c, store_id=self.shop.store_id, now=now,
                                                   start=start, end=end))
        units = {p.program: p.unit for p in kept.programs}
        per_day, per_program = self.bf.run(lambda c: stats_module._flows(
            stats_module._scan(c, self.shop.store_id, start, end), units, "SAR"))
        assert {p.program: p.flows for p in kept.programs if p.flows != Flows()} == {
            k: v for k, v in per_program.items() if v != Flows()}
        assert {d.date: d.flows for d in kept.series if d.flows != Flows()} == {
            k: v for k, v in per_day.items() if v != Flows()}


def test_random_commerce_sequences_keep_every_invariant(
        database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    machine = type("Machine", (CommerceMachine,), {
        "make_database": staticmethod(_database_factory(database_url, tmp_path, request))})
    run_state_machine_as_test(machine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
        suppress_health_check=list(HealthCheck)))
