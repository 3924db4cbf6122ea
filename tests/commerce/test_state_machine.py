"""Random sequences of commerce operations — credits, checkouts, orders, offers, status
moves, refunds, wallet on/off, time — checking after every step that every ledger
invariant holds (`verify`), that no order is refunded more than was paid, that no
wallet goes below zero, and that the statistics' liability equals the wallets'."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from billfold.app import Billfold
from billfold.clock import FrozenClock
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
        self.orders: list[str] = []
        self.offers: list[str] = []
        self.refunded: dict[str, int] = {}

    def teardown(self) -> None:
        self.bf.close()

    def attempt(self, action: Any) -> Any:
        try:
            return action()
        except BillfoldError as refusal:
            assert refusal.status in (400, 402, 404, 409), refusal
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

    @rule(enabled=st.booleans())
    def switch_wallet(self, enabled: bool) -> None:
        self.shop.settings.update({"wallet_enabled": enabled})

    @rule(minutes=st.sampled_from([10, 90, 60 * 25]))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)
        self.bf.sweep()

    @invariant()
    def books_balance_and_refunds_stay_within_payments(self) -> None:
        report = self.bf.verify()
        assert report.ok, report.render()
        wallets_total = 0
        for order_id in self.orders:
            order = self.shop.orders.get(order_id)
            assert 0 <= order.refunded_amount <= order.paid_amount <= order.amount
            assert order.cashback.pending >= 0 and order.cashback.shortfall >= 0
        for customer in ("ann", "ben"):
            try:
                for program in ("main", "rewards"):
                    balance = self.shop.wallets.get(customer, program)
                    assert balance.available >= 0
                    wallets_total += balance.total
            except BillfoldError:
                continue
        stats = self.shop.stats.get()
        assert sum(stats.outstanding.values()) == wallets_total


def test_random_commerce_sequences_keep_every_invariant(
        database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    machine = type("Machine", (CommerceMachine,), {
        "make_database": staticmethod(_database_factory(database_url, tmp_path, request))})
    run_state_machine_as_test(machine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
        suppress_health_check=list(HealthCheck)))
