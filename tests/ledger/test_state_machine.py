"""Random sequences of every ledger operation, checked against a model and against
every invariant (`verify`) after each step, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from billfold.app import Billfold
from billfold.clock import FrozenClock
from billfold.errors import BillfoldError
from billfold.ledger.withdraw import NEVER
from billfold.store.tables import lots as lots_table
from tests.ledger.model import MHold, MLot, Model, MTxn

CUSTOMERS = st.sampled_from(["ann", "ben", "cat"])
AMOUNTS = st.integers(min_value=1, max_value=3000)
WITHDRAWAL_AMOUNTS = st.integers(min_value=1, max_value=600)  # small: most are allowed
FUNDING = st.sampled_from(["cash", "promotional", "cashback", "refund"])
EXPIRY = st.sampled_from([None, "1h", "1d", "1d", "2d"])
EXAMPLES = int(os.environ.get("BILLFOLD_STATE_MACHINE_EXAMPLES", "18"))
STEPS = int(os.environ.get("BILLFOLD_STATE_MACHINE_STEPS", "30"))


class LedgerMachine(RuleBasedStateMachine):
    make_database: Callable[[], str]

    holds = Bundle("holds")
    withdrawals = Bundle("withdrawals")
    reversible = Bundle("reversible")
    promised = Bundle("promised")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock()
        self.bf = Billfold(self.make_database(), clock=self.clock)
        self.shop = self.bf.store(self.bf.create_store("Model shop", currency="SAR").id)
        self.shop.settings.update({"allow_transfers": True, "withdrawals_enabled": True})
        self.model = Model()

    def teardown(self) -> None:
        self.bf.close()

    @property
    def now(self) -> Any:
        return self.clock.now()

    def expect_refusal(self, action: Callable[[], object], code: str) -> None:
        try:
            action()
        except BillfoldError as refusal:
            assert refusal.code == code, f"expected {code}, got {refusal.code}: {refusal}"
        else:
            raise AssertionError(f"expected refusal {code}")

    # -- rules ----------------------------------------------------------------------------

    @initialize(target=reversible, customer=CUSTOMERS)
    def opening_cash(self, customer: str) -> Any:
        """One customer starts with withdrawable cash, so withdrawals get exercised."""
        return self.credit(customer, 2000, "cash", None)

    @rule(target=reversible, customer=CUSTOMERS, amount=AMOUNTS, funding=FUNDING,
          expires_in=EXPIRY)
    def credit(self, customer: str, amount: int, funding: str, expires_in: str | None) -> Any:
        txn = self.shop.wallets.credit(customer, "main", amount, funding_type=funding,
                                       expires_in=expires_in)
        [entry] = txn.lots
        lot = self.shop.lots.get(entry.lot_id)
        self.model.customers.add(customer)
        self.model.lots[lot.id] = MLot(lot.id, customer, amount, funding, lot.withdrawable,
                                       lot.expires_at, lot.created_at, remaining=amount)
        self.model.txns[txn.id] = MTxn(txn.id, "credit", amount, [(lot.id, amount)])
        return txn.id

    @rule(target=reversible, customer=CUSTOMERS, amount=AMOUNTS)
    def debit(self, customer: str, amount: int) -> Any:
        if customer not in self.model.customers:
            self.expect_refusal(lambda: self.shop.wallets.debit(customer, "main", amount),
                                "customer_not_found")
            return multiple()
        plan = self.model.plan_draw(customer, amount, self.now)
        if plan is None:
            self.expect_refusal(lambda: self.shop.wallets.debit(customer, "main", amount),
                                "insufficient_funds")
            return multiple()
        txn = self.shop.wallets.debit(customer, "main", amount)
        assert [(e.lot_id, -e.amount) for e in txn.lots] == plan
        for lot_id, take in plan:
            self.model.take(lot_id, take)
        self.model.txns[txn.id] = MTxn(txn.id, "debit", amount, plan)
        return txn.id

    @rule(target=holds, customer=CUSTOMERS, amount=AMOUNTS,
          expires_in=st.sampled_from(["30m", "3h", "2d"]))
    def hold(self, customer: str, amount: int, expires_in: str) -> Any:
        if customer not in self.model.customers:
            return multiple()
        plan = self.model.plan_draw(customer, amount, self.now)
        if plan is None:
            self.expect_refusal(lambda: self.shop.holds.create(customer, "main", amount,
                                                               expires_in=expires_in),
                                        "insufficient_funds")
            return multiple()
        hold = self.shop.holds.create(customer, "main", amount, expires_in=expires_in)
        for lot_id, take in plan:
            self.model.lots[lot_id].held += take
        self.model.holds[hold.id] = MHold(hold.id, customer, amount, hold.expires_at, plan)
        return hold.id

    @rule(target=reversible, hold_id=holds, fraction=st.sampled_from([None, 1, 2, 3, 4, 5]))
    def capture(self, hold_id: str, fraction: int | None) -> Any:
        hold = self.model.holds[hold_id]
        amount = None if fraction is None else max(1, hold.amount * fraction // 4)
        if hold.status != "held":
            self.expect_refusal(lambda: self.shop.holds.capture(hold_id, amount=amount),
                                "hold_not_open")
            return multiple()
        if hold.expires_at <= self.now:
            self.expect_refusal(lambda: self.shop.holds.capture(hold_id, amount=amount),
                                "hold_expired")
            return multiple()
        if amount is not None and amount > hold.amount:
            self.expect_refusal(lambda: self.shop.holds.capture(hold_id, amount=amount),
                                "amount_exceeds_hold")
            return multiple()
        captured = self.shop.holds.capture(hold_id, amount=amount)
        assert captured.status == "captured"
        amount = hold.amount if amount is None else amount
        assert captured.captured_amount == amount
        moves, still = [], amount
        for lot_id, held in hold.draws:
            take = min(held, still)
            still -= take
            if take:
                moves.append((lot_id, take))
        self.model.let_go(hold, amount, self.now)
        hold.status = "captured"
        txn_id = captured.settled_transaction_id
        assert txn_id is not None
        self.model.txns[txn_id] = MTxn(txn_id, "capture", amount, moves)
        return txn_id

    @rule(hold_id=holds)
    def release(self, hold_id: str) -> None:
        hold = self.model.holds[hold_id]
        if hold.status != "held":
            self.expect_refusal(lambda: self.shop.holds.release(hold_id), "hold_not_open")
            return
        assert self.shop.holds.release(hold_id).status == "released"
        self.model.let_go(hold, 0, self.now)
        hold.status = "released"

    @rule(txn_id=reversible, part=st.sampled_from([None, 1, 2, 3]))
    def reverse(self, txn_id: str, part: int | None) -> None:
        original = self.model.txns[txn_id]
        left = original.amount - original.reversed
        amount = None if part is None else max(1, original.amount * part // 3)
        if left == 0:
            self.expect_refusal(lambda: self.shop.transactions.reverse(txn_id, amount=amount,
                                                                       description="fix"),
                                "already_reversed")
            return
        wanted = left if amount is None else amount
        if wanted > left:
            self.expect_refusal(lambda: self.shop.transactions.reverse(txn_id, amount=amount,
                                                                       description="fix"),
                                "amount_too_large")
            return
        if original.type == "credit":
            lot = self.model.lots[original.lot_moves[0][0]]
            free = lot.free if lot.status == "active" else 0
            if wanted > free:
                self.expect_refusal(
                    lambda: self.shop.transactions.reverse(txn_id, amount=amount,
                                                           description="fix"),
                    "credit_already_spent")
                return
            self.shop.transactions.reverse(txn_id, amount=amount, description="fix")
            self.model.take(lot.id, wanted)
        else:
            self.shop.transactions.reverse(txn_id, amount=amount, description="fix")
            per_lot = {lot_id: moved - original.per_lot_reversed.get(lot_id, 0)
                       for lot_id, moved in original.lot_moves}
            needed = wanted
            for lot_id in self.model.restore_order(list(per_lot)):
                give = min(per_lot[lot_id], needed)
                if give:
                    lot = self.model.lots[lot_id]
                    lot.remaining += give
                    lot.status = "active"
                    original.per_lot_reversed[lot_id] = (
                        original.per_lot_reversed.get(lot_id, 0) + give)
                    needed -= give
        original.reversed += wanted

    @rule(sender=CUSTOMERS, receiver=CUSTOMERS, amount=AMOUNTS)
    def transfer(self, sender: str, receiver: str, amount: int) -> None:
        if sender == receiver or sender not in self.model.customers:
            return
        if receiver not in self.model.customers:
            self.expect_refusal(lambda: self.shop.transfers.create(sender, receiver, "main",
                                                                   amount),
                                "customer_not_found")
            return
        plan = self.model.plan_draw(sender, amount, self.now)
        if plan is None:
            self.expect_refusal(lambda: self.shop.transfers.create(sender, receiver, "main",
                                                                   amount),
                                "insufficient_funds")
            return
        txn = self.shop.transfers.create(sender, receiver, "main", amount)
        created = [e for e in txn.lots if e.amount > 0]
        assert [(e.lot_id, -e.amount) for e in txn.lots if e.amount < 0] == plan
        for (source_id, take), entry in zip(plan, created, strict=True):
            source = self.model.lots[source_id]
            self.model.take(source_id, take)
            self.model.lots[entry.lot_id] = MLot(
                entry.lot_id, receiver, take, source.funding_type, source.is_withdrawable,
                source.expires_at, self.now, remaining=take)

    @rule(target=withdrawals, customer=CUSTOMERS, amount=WITHDRAWAL_AMOUNTS)
    def request_withdrawal(self, customer: str, amount: int) -> Any:
        if customer not in self.model.customers:
            self.expect_refusal(lambda: self.shop.withdrawals.create(customer, "main", amount),
                                "customer_not_found")
            return multiple()
        plan = self.model.plan_draw(customer, amount, self.now, withdrawable_only=True)
        if plan is None:
            self.expect_refusal(lambda: self.shop.withdrawals.create(customer, "main", amount),
                                "insufficient_funds")
            return multiple()
        withdrawal = self.shop.withdrawals.create(customer, "main", amount)
        assert (withdrawal.status, withdrawal.amount) == ("pending", amount)
        for lot_id, take in plan:
            self.model.lots[lot_id].held += take
        self.model.withdrawals[withdrawal.id] = MHold(withdrawal.id, customer, amount, NEVER,
                                                      plan, status="pending")
        return withdrawal.id

    @rule(target=reversible, withdrawal_id=withdrawals, approve=st.booleans())
    def settle_withdrawal(self, withdrawal_id: str, approve: bool) -> Any:
        """Approve (a `withdrawal` transaction, reversible) or reject (a release)."""
        hold = self.model.withdrawals[withdrawal_id]
        act = self.shop.withdrawals.approve if approve else self.shop.withdrawals.reject
        if hold.status != "pending":
            self.expect_refusal(lambda: act(withdrawal_id), "withdrawal_not_pending")
            return multiple()
        if not approve:
            assert act(withdrawal_id).status == "rejected"
            self.model.let_go(hold, 0, self.now)
            hold.status = "rejected"
            return multiple()
        approved = act(withdrawal_id)
        assert approved.status == "approved" and approved.transaction_id is not None
        txn = self.shop.transactions.get(approved.transaction_id)
        assert (txn.type, txn.amount) == ("withdrawal", hold.amount)
        assert [(e.lot_id, -e.amount) for e in txn.lots if e.amount] == hold.draws
        self.model.let_go(hold, hold.amount, self.now)
        hold.status = "approved"
        self.model.txns[txn.id] = MTxn(txn.id, "withdrawal", hold.amount, list(hold.draws))
        return txn.id

    @rule(target=promised, customer=CUSTOMERS, amount=AMOUNTS)
    def promise(self, customer: str, amount: int) -> Any:
        promise = self.shop.promises.create(customer, "main", amount, funding_type="cashback",
                                            credit_expires_in="1d")
        self.model.customers.add(customer)
        self.model.promises[promise.id] = [customer, amount, "pending"]
        return promise.id

    @rule(target=reversible, promise_id=promised)
    def grant(self, promise_id: str) -> Any:
        customer, amount, status = self.model.promises[promise_id]
        if status != "pending":
            self.expect_refusal(lambda: self.shop.promises.grant(promise_id),
                                "promise_not_pending")
            return multiple()
        granted = self.shop.promises.grant(promise_id)
        lot = self.shop.lots.get(granted.lot_id or "")
        assert lot.expires_at == self.now + timedelta(days=1)
        self.model.lots[lot.id] = MLot(lot.id, customer, amount, "cashback", False,
                                       lot.expires_at, self.now, remaining=amount)
        self.model.promises[promise_id][2] = "granted"
        txn_id = lot.transaction_id
        self.model.txns[txn_id] = MTxn(txn_id, "credit", amount, [(lot.id, amount)])
        return txn_id

    @rule(promise_id=promised, keep=st.sampled_from([0, 1, 2]))
    def shrink_or_void(self, promise_id: str, keep: int) -> None:
        customer, amount, status = self.model.promises[promise_id]
        new_amount = amount * keep // 3
        if status != "pending":
            self.expect_refusal(lambda: self.shop.promises.shrink(promise_id, new_amount),
                                "promise_not_pending")
            return
        result = self.shop.promises.shrink(promise_id, new_amount)
        self.model.promises[promise_id] = [customer, new_amount,
                                           "voided" if new_amount == 0 else "pending"]
        assert result.status == self.model.promises[promise_id][2]

    @rule(minutes=st.sampled_from([1, 29, 30, 61, 120, 60 * 24, 60 * 49]))
    def advance_clock(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @rule()
    def sweep(self) -> None:
        timed_out = [h for h in self.model.holds.values()
                     if h.status == "held" and h.expires_at <= self.now]
        assert self.shop.holds.expire_due() == len(timed_out)
        for hold in timed_out:
            self.model.let_go(hold, 0, self.now)
            hold.status = "expired"
        expected = sum(self.model.expire_wallet(c, self.now) for c in self.model.customers)
        assert self.shop.lots.expire_due().amount == expected

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def books_balance(self) -> None:
        report = self.bf.verify()
        assert report.ok, report.render()

    @invariant()
    def wallets_match_the_model(self) -> None:
        for customer in sorted(self.model.customers):
            balance = self.shop.wallets.get(customer, "main")
            pending = sum(amount for owner, amount, status in self.model.promises.values()
                          if owner == customer and status == "pending")
            expected = (self.model.available(customer, self.now), self.model.held(customer),
                        pending, self.model.by_funding_type(customer, self.now))
            assert (balance.available, balance.held, balance.pending,
                    balance.by_funding_type) == expected
            assert balance.total == balance.available + balance.held
            assert balance.available >= 0
        with self.bf.begin(read_only=True) as conn:
            stored = {row.lot_id: (row.remaining, row.held, row.status) for row in
                      conn.execute(select(lots_table)).all()}
        assert stored == {lot.id: (lot.remaining, lot.held, lot.status)
                          for lot in self.model.lots.values()}


def _database_factory(database_url: str, tmp_path: Path,
                      request: pytest.FixtureRequest) -> Callable[[], str]:
    if database_url.startswith("sqlite"):
        counter = iter(range(10**6))
        return lambda: f"sqlite:///{tmp_path / f'machine-{next(counter)}.db'}"
    from tests.conftest import _empty_postgres_database

    return lambda: _empty_postgres_database(database_url)


def test_random_operation_sequences_keep_every_invariant(
        database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    machine = type("Machine", (LedgerMachine,), {
        "make_database": staticmethod(_database_factory(database_url, tmp_path, request))})
    run_state_machine_as_test(machine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
        suppress_health_check=list(HealthCheck)))
