"""Two stores' keys never see each other's data: another store's object is 404,
and nothing moves when one store reaches for the other's."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from billfold.app import Billfold
from billfold.errors import NotFound
from tests.api.conftest import Tenant
from tests.helpers import snapshot


@pytest.fixture
def two(tenant_factory: Callable[[], Tenant]) -> tuple[Tenant, Tenant]:
    return tenant_factory(), tenant_factory()


def test_customers_and_wallets_are_per_store(two: tuple[Tenant, Tenant], bf: Billfold) -> None:
    mine, theirs = two
    theirs.client.customers.create("cus-1", email="secret@example.com")
    theirs.client.wallets.credit("cus-1", "main", 5000, funding_type="cash")
    before = snapshot(bf)
    for call in (lambda: mine.client.customers.get("cus-1"),
                 lambda: mine.client.wallets.get("cus-1"),
                 lambda: mine.client.wallets.list_transactions("cus-1"),
                 lambda: mine.client.wallets.list_lots("cus-1"),
                 lambda: mine.client.wallets.debit("cus-1", "main", 100),
                 lambda: mine.client.holds.create("cus-1", "main", 100)):
        with pytest.raises(NotFound):
            call()
    assert snapshot(bf) == before
    # The same customer id in my store is another customer with its own wallet.
    mine.client.wallets.credit("cus-1", "main", 70, funding_type="cash")
    assert mine.client.wallets.get("cus-1").available == 70
    assert theirs.client.wallets.get("cus-1").available == 5000
    assert mine.client.customers.get("cus-1").email is None
    assert len(mine.client.wallets.list_transactions("cus-1").data) == 1


def test_transactions_are_per_store(two: tuple[Tenant, Tenant], bf: Billfold) -> None:
    mine, theirs = two
    credit = theirs.client.wallets.credit("cus-1", "main", 5000, funding_type="cash")
    before = snapshot(bf)
    with pytest.raises(NotFound):
        mine.client.transactions.get(credit.id)
    with pytest.raises(NotFound):
        mine.client.transactions.reverse(credit.id, description="steal")
    assert snapshot(bf) == before
    assert theirs.client.transactions.get(credit.id).amount == 5000


def test_holds_are_per_store(two: tuple[Tenant, Tenant], bf: Billfold) -> None:
    mine, theirs = two
    theirs.client.wallets.credit("cus-1", "main", 5000, funding_type="cash")
    hold = theirs.client.holds.create("cus-1", "main", 2000)
    before = snapshot(bf)
    for call in (lambda: mine.client.holds.get(hold.id),
                 lambda: mine.client.holds.capture(hold.id),
                 lambda: mine.client.holds.release(hold.id)):
        with pytest.raises(NotFound):
            call()
    assert snapshot(bf) == before
    assert theirs.client.holds.get(hold.id).status == "held"


def test_idempotency_keys_are_per_store(two: tuple[Tenant, Tenant]) -> None:
    mine, theirs = two
    a = mine.client.wallets.credit("cus-1", "main", 100, funding_type="cash",
                                   idempotency_key="k-1")
    b = theirs.client.wallets.credit("cus-1", "main", 100, funding_type="cash",
                                     idempotency_key="k-1")
    assert a.id != b.id
    assert mine.client.wallets.get("cus-1").available == 100
    assert theirs.client.wallets.get("cus-1").available == 100


def test_earning_rules_and_events_are_per_store(two: tuple[Tenant, Tenant],
                                                bf: Billfold) -> None:
    mine, theirs = two
    for tenant in two:
        tenant.client.settings.update({"programs": {"points": {"unit": "points",
                                                               "points_per_unit": 100}}})
    rule = theirs.client.loyalty.create_rule("Review", program="points", event="review",
                                             kind="fixed", points=20)
    before = snapshot(bf)
    for call in (lambda: mine.client.loyalty.get_rule(rule.id),
                 lambda: mine.client.loyalty.close_rule(rule.id)):
        with pytest.raises(NotFound):
            call()
    assert snapshot(bf) == before
    assert mine.client.loyalty.list_rules().data == []
    # Their rule awards nothing to a review reported to my store.
    assert mine.client.loyalty.create_event("review", "cus-1", id="rev-1").awarded == []
    assert theirs.client.loyalty.get_rule(rule.id).status == "active"
    awarded = theirs.client.loyalty.create_event("review", "cus-1", id="rev-1").awarded
    assert [a.amount for a in awarded] == [20]
    assert mine.client.wallets.get("cus-1", "points").available == 0


def test_withdrawals_and_transfers_are_per_store(two: tuple[Tenant, Tenant],
                                                 bf: Billfold) -> None:
    mine, theirs = two
    for tenant in two:
        tenant.client.settings.update({"withdrawals_enabled": True, "allow_transfers": True})
    theirs.client.wallets.credit("cus-1", "main", 5000, funding_type="cash")
    theirs.client.customers.create("cus-2")
    mine.client.customers.create("cus-2")
    pending = theirs.client.withdrawals.create("cus-1", "main", 1000)
    settled = theirs.client.withdrawals.create("cus-1", "main", 500)
    theirs.client.withdrawals.approve(settled.id)
    before = snapshot(bf)
    for call in (lambda: mine.client.withdrawals.get(pending.id),
                 lambda: mine.client.withdrawals.approve(pending.id),
                 lambda: mine.client.withdrawals.reject(pending.id),
                 lambda: mine.client.withdrawals.reject(settled.id),
                 lambda: mine.client.withdrawals.create("cus-1", "main", 100),
                 lambda: mine.client.transfers.create("cus-1", "cus-2", "main", 100),
                 lambda: mine.client.transfers.create("cus-2", "cus-1", "main", 100)):
        with pytest.raises(NotFound):
            call()
    assert snapshot(bf) == before
    assert mine.client.withdrawals.list().data == []
    assert [w.id for w in theirs.client.withdrawals.list().data] == [settled.id, pending.id]
    assert theirs.client.withdrawals.get(pending.id).status == "pending"
