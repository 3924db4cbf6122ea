"""One scenario through the embedded library, the sync SDK and the async SDK: the same
namespaces, method names and arguments give the same objects (contract models; the
library's values rendered by the one converter per object), ids aside. And every
namespace of the library offers each method of its Protocol with the same parameters."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

import pytest

from billfold import contract
from billfold.app import Billfold, Shop, render
from billfold.client import AsyncClient
from billfold.commerce.checkout import Checkout
from billfold.commerce.offers import Offer
from billfold.commerce.order_records import Order
from billfold.commerce.refunds import Refund
from billfold.commerce.settings import StoreSettings
from billfold.commerce.stats import Stats
from billfold.contract.namespaces import NAMESPACES
from billfold.ledger.customers import Customer, CustomerCreated
from billfold.ledger.models import Balance, Hold, Lot, Page, Transaction
from tests.api.conftest import ServerThread, Tenant
from tests.helpers import assert_books_balance, rename_ids

LINES = [{"product_id": "p1", "category_ids": ["c1"], "quantity": 1, "unit_amount": 3000}]


def scenario(shop: Any, seen: Callable[[Any], Any] = lambda value: value,
             ) -> list[tuple[str, Any]]:
    """Every namespace, every method, through `shop`; (label, `seen(result)`) in call
    order, `seen` taken at once (the library's values are rendered as they come)."""
    steps: list[tuple[str, Any]] = []

    def step(label: str, value: Any) -> Any:
        steps.append((label, seen(value)))
        return value

    step("settings.update", shop.settings.update(
        {"programs": {"rewards": {"unit": "SAR", "max_per_order_amount": 500}}}))
    step("customers.create", shop.customers.create("cus-1", email="amira@example.com",
                                                   name="Amira"))
    credit = step("wallets.credit", shop.wallets.credit(
        "cus-1", "main", 5000, funding_type="cash", expires_in="90d", reference="welcome",
        idempotency_key="credit-1"))
    step("wallets.credit rewards", shop.wallets.credit("cus-1", "rewards", 2000,
                                                       funding_type="cashback"))
    debit = step("wallets.debit", shop.wallets.debit("cus-1", "main", 700,
                                                     description="Coffee"))
    step("transactions.reverse", shop.transactions.reverse(debit.id, amount=200,
                                                           description="Goodwill"))
    step("transactions.get", shop.transactions.get(credit.id))
    hold = step("holds.create", shop.holds.create("cus-1", "main", 900, expires_in="30m"))
    step("holds.get", shop.holds.get(hold.id))
    step("holds.capture", shop.holds.capture(hold.id, amount=600))
    other = step("holds.create again", shop.holds.create("cus-1", "main", 100))
    step("holds.release", shop.holds.release(other.id))
    offer = step("offers.create", shop.offers.create("Ten", percent=10, max_amount=250))
    step("offers.get", shop.offers.get(offer.id))
    checkout = step("checkouts.create", shop.checkouts.create("cus-1", "o1", 3000,
                                                              currency="SAR"))
    step("checkouts.get", shop.checkouts.get(checkout.id))
    step("orders.create", shop.orders.create("o1", "cus-1", 3000, currency="SAR",
                                             lines=LINES, checkout_id=checkout.id))
    step("orders.set_status", shop.orders.set_status("o1", "shipped"))
    step("orders.refund", shop.orders.refund("o1", 1000))
    step("orders.list_refunds", shop.orders.list_refunds("o1"))
    step("orders.get", shop.orders.get("o1"))
    cancelled = shop.checkouts.create("cus-1", "o2", 800, currency="SAR")
    step("checkouts.cancel", shop.checkouts.cancel(cancelled.id))
    completed = shop.checkouts.create("cus-1", "o3", 400, currency="SAR", programs=["main"])
    step("checkouts.complete", shop.checkouts.complete(completed.id))
    step("offers.close", shop.offers.close(offer.id))
    step("wallets.get", shop.wallets.get("cus-1"))
    step("wallets.list_transactions", shop.wallets.list_transactions("cus-1", limit=5))
    step("wallets.iter_transactions", list(shop.wallets.iter_transactions("cus-1")))
    step("wallets.list_lots", shop.wallets.list_lots("cus-1", status="active"))
    step("customers.get", shop.customers.get("cus-1"))
    step("settings.get", shop.settings.get())
    step("stats.get", shop.stats.get())
    return steps


def _rendered(shop: Shop, value: Any) -> Any:
    """The library's value as the API sends it (the one converter per object)."""
    if isinstance(value, list):
        return [_rendered(shop, item) for item in value]
    if isinstance(value, tuple):
        return render.whole_list(contract.Refund, value, render.refund)
    if isinstance(value, Page):
        kind = (contract.Transaction, render.transaction) if value.data and isinstance(
            value.data[0], Transaction) else (contract.Lot, render.lot)
        return render.page(kind[0], value, kind[1])
    if isinstance(value, CustomerCreated | Customer):
        customer = value.customer if isinstance(value, CustomerCreated) else value
        return render.customer(customer, shop.customers.list_wallets(customer.id))
    if isinstance(value, Checkout):
        return render.checkout(value, [shop.holds.get(p.hold_id) for p in value.parts])
    converters: dict[type, Callable[[Any], Any]] = {
        Transaction: render.transaction, Balance: render.wallet, Lot: render.lot,
        Hold: render.hold, Offer: render.offer, Order: render.order, Refund: render.refund,
        StoreSettings: render.settings, Stats: render.stats}
    return converters[type(value)](value)


def _dumped(steps: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    def dump(value: Any) -> Any:
        if isinstance(value, list):
            return [dump(item) for item in value]
        return value.model_dump(mode="json")

    return rename_ids([(label, dump(value)) for label, value in steps], {})


class _Blocking:
    """The async SDK driven from plain code: every call runs to completion on one loop."""

    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop):
        self._target, self._loop = target, loop

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not callable(attribute):
            return _Blocking(attribute, self._loop)

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            if hasattr(result, "__aiter__"):
                return self._loop.run_until_complete(_collect(result))
            return self._loop.run_until_complete(result)

        return call


async def _collect(items: Any) -> list[Any]:
    return [item async for item in items]


def test_library_sync_sdk_and_async_sdk_answer_one_scenario_alike(
        bf: Billfold, server: ServerThread, tenant_factory: Callable[[], Tenant]) -> None:
    library = bf.store(bf.create_store("Library", currency="SAR").id)
    through_library = _dumped(scenario(library, lambda value: _rendered(library, value)))
    through_sync = _dumped(scenario(tenant_factory().client))
    async_tenant = tenant_factory()
    loop = asyncio.new_event_loop()
    client = AsyncClient(async_tenant.api_key, server.base_url, max_retries=0)
    try:
        through_async = _dumped(scenario(_Blocking(client, loop)))
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()
    assert [label for label, _ in through_library] == [label for label, _ in through_sync]
    for (label, mine), (_, theirs), (_, awaited) in zip(
            through_library, through_sync, through_async, strict=True):
        assert mine == theirs, label
        assert theirs == awaited, label
    assert_books_balance(bf)


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_each_library_namespace_offers_its_protocol(bf: Billfold, namespace: str) -> None:
    handle = getattr(bf.store(bf.create_store("Shop", currency="SAR").id), namespace)
    protocol = NAMESPACES[namespace]
    for name, wanted in inspect.getmembers(protocol, inspect.isfunction):
        if name.startswith("_"):
            continue
        mine = getattr(handle, name, None)
        assert mine is not None, f"shop.{namespace}.{name} is missing"
        expected = [(p.name, p.kind) for p in inspect.signature(wanted).parameters.values()
                    if p.name != "self"]
        found = [(p.name, p.kind) for p in inspect.signature(mine).parameters.values()]
        assert found == expected, f"shop.{namespace}.{name}"
