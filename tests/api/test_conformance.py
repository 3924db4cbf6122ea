"""One scenario through the embedded library, the sync SDK and the async SDK: the same
namespaces, method names and arguments give the same objects — the contract's models,
each of the type its Protocol declares — ids aside. And every namespace of the library
offers each method of its Protocol with the same parameters and return annotation."""

from __future__ import annotations

import asyncio
import collections.abc
import inspect
import typing
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from billfold.app import Billfold
from billfold.client import AsyncClient
from billfold.contract.namespaces import NAMESPACES
from billfold.worker.deliver import Deliverer
from tests.api.conftest import ServerThread, Tenant
from tests.helpers import assert_books_balance, rename_ids

LINES = [{"product_id": "p1", "category_ids": ["c1"], "quantity": 1, "unit_amount": 3000}]


def scenario(shop: Any, fan_out: Callable[[], object]) -> list[tuple[str, Any]]:
    """Every namespace, every method, through `shop`: (label, result) in call order, each
    result checked at once against its Protocol's return annotation (an iterator's
    items collected into a list). A label starts with the method's `namespace.name`."""
    steps: list[tuple[str, Any]] = []

    def step(label: str, value: Any) -> Any:
        value = _of_declared_type(label.split()[0], value)
        steps.append((label, value))
        return value

    step("settings.update", shop.settings.update(
        {"programs": {"rewards": {"unit": "SAR", "max_per_order_amount": 500}}}))
    step("customers.create", shop.customers.create("cus-1", email="amira@example.com",
                                                   name="Amira"))
    # -- loyalty --
    step("settings.update loyalty", shop.settings.update(
        {"programs": {"points": {"unit": "points", "points_per_unit": 100}},
         "tiers": [{"name": "VIP", "min_points": 20, "window": "365d", "multiplier": 2}]}))
    rule = step("loyalty.create_rule", shop.loyalty.create_rule(
        "Reviews", program="points", event="review", kind="fixed", points=20,
        max_per_customer=100, period="month", expires_in="90d"))
    step("loyalty.create_rule purchase", shop.loyalty.create_rule(
        "Per 100", program="points", event="purchase", kind="proportional", points=100,
        per_amount=10000))
    step("loyalty.get_rule", shop.loyalty.get_rule(rule.id))
    step("loyalty.list_rules", shop.loyalty.list_rules(limit=1))
    step("loyalty.create_event", shop.loyalty.create_event("review", "cus-1", id="rev-1",
                                                           properties={"stars": 5}))
    step("loyalty.create_event again", shop.loyalty.create_event("review", "cus-1",
                                                                 id="rev-1"))
    step("loyalty.create_referral", shop.loyalty.create_referral("cus-1", "cus-2"))
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
    step("settings.update funding", shop.settings.update(
        {"withdrawals_enabled": True, "allow_transfers": True}))
    step("customers.create receiver", shop.customers.create("cus-3"))
    step("transfers.create", shop.transfers.create("cus-1", "cus-3", "main", 300,
                                                   description="Gift"))
    withdrawal = step("withdrawals.create", shop.withdrawals.create("cus-1", "main", 400))
    step("withdrawals.get", shop.withdrawals.get(withdrawal.id))
    step("withdrawals.approve", shop.withdrawals.approve(withdrawal.id))
    rejected = step("withdrawals.create again", shop.withdrawals.create("cus-1", "main", 100))
    step("withdrawals.reject", shop.withdrawals.reject(rejected.id))
    step("withdrawals.list", shop.withdrawals.list(limit=1))
    step("withdrawals.list pending", shop.withdrawals.list(customer_id="cus-1",
                                                           status="pending"))
    made = shop.codes.create(700, "main", count=2, max_redemptions=2, credit_expires_in="30d")
    step("codes.create", made)
    steps[-1] = ("codes.create", made.model_copy(update={"codes": [  # random: their form
        code.count("-") for code in made.codes]}))
    step("codes.get", shop.codes.get(made.id))
    step("codes.redeem", shop.codes.redeem(made.codes[0].lower(), "cus-1"))
    step("codes.disable", shop.codes.disable(made.id))
    step("settings.update topups", shop.settings.update(
        {"allow_topup": True, "topup_amounts": [1000, 5000]}))
    topup = step("topups.create", shop.topups.create("cus-1", "main", 5000))
    step("topups.confirm", shop.topups.confirm(topup.id, "pay-1"))
    step("topups.get", shop.topups.get(topup.id))
    dropped = shop.topups.create("cus-1", "main", 1000)
    step("topups.cancel", shop.topups.cancel(dropped.id))
    step("topups.list", shop.topups.list("cus-1", "main", limit=1))
    step("topups.set_auto", shop.topups.set_auto("cus-1", "main", 500, 1000))
    step("topups.get_auto", shop.topups.get_auto("cus-1", "main"))
    step("topups.delete_auto", shop.topups.delete_auto("cus-1", "main"))
    credited = shop.events.list(type="wallet.credited", customer_id="cus-1", limit=2)
    step("events.list", credited)
    step("events.get", shop.events.get(credited.data[0].id))
    hook = shop.webhooks.create("http://127.0.0.1:9/hooks", events=["wallet.debited"])
    step("webhooks.create", hook)
    steps[-1] = ("webhooks.create", hook.model_copy(update={"secret": hook.secret[:6]}))
    step("webhooks.get", shop.webhooks.get(hook.id))
    step("webhooks.list", shop.webhooks.list())
    step("webhooks.update", shop.webhooks.update(hook.id, every_event=True))
    rotated = shop.webhooks.rotate_secret(hook.id)
    step("webhooks.rotate_secret", rotated)
    steps[-1] = ("webhooks.rotate_secret",
                 rotated.model_copy(update={"secret": rotated.secret != hook.secret}))
    fan_out()  # the worker's first step: the events become pending attempts
    attempts = step("webhooks.list_deliveries", shop.webhooks.list_deliveries(hook.id,
                                                                              limit=5))
    step("webhooks.replay", shop.webhooks.replay(hook.id, attempts.data[-1].id))
    link = shop.portal_sessions.create("cus-1", locale="ar")
    step("portal_sessions.create", link)
    steps[-1] = ("portal_sessions.create", link.model_copy(update={  # a random token
        "url": link.url is not None and "/portal/" in link.url}))
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
    step("loyalty.close_rule", shop.loyalty.close_rule(rule.id))
    step("wallets.get", shop.wallets.get("cus-1"))
    step("wallets.list_transactions", shop.wallets.list_transactions("cus-1", limit=5))
    step("wallets.iter_transactions", shop.wallets.iter_transactions("cus-1"))
    step("wallets.list_lots", shop.wallets.list_lots("cus-1", status="active"))
    step("customers.get", shop.customers.get("cus-1"))
    step("settings.get", shop.settings.get())
    step("stats.get", shop.stats.get())
    return steps


def _declared_return(method: str) -> Any:
    """The return annotation the Protocol declares for `namespace.name`."""
    namespace, name = method.split(".")
    return typing.get_type_hints(getattr(NAMESPACES[namespace], name))["return"]


def _of_declared_type(method: str, value: Any) -> Any:
    """`value`, asserted to be exactly of the type the Protocol declares (an iterator:
    of items of the declared type, returned as their list)."""
    declared = _declared_return(method)
    if typing.get_origin(declared) is collections.abc.Iterator:
        assert isinstance(value, Iterator), (method, type(value))
        items = list(value)
        [item_type] = typing.get_args(declared)
        assert all(type(item) is item_type for item in items), method
        return items
    assert type(value) is declared, (method, type(value), declared)
    return value


def _protocol_methods() -> set[str]:
    return {f"{namespace}.{name}" for namespace, protocol in NAMESPACES.items()
            for name, _ in inspect.getmembers(protocol, inspect.isfunction)
            if not name.startswith("_")}


def _ids_named(value: Any, names: dict[str, str]) -> Any:
    """`value` with every minted id replaced by its name in order of appearance (each
    run mints its own), contract objects kept as objects of their own types."""
    if isinstance(value, BaseModel):
        return value.model_copy(update={field: _ids_named(getattr(value, field), names)
                                        for field in type(value).model_fields})
    if isinstance(value, list):
        return [_ids_named(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _ids_named(item, names) for key, item in value.items()}
    return rename_ids(value, names)


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
            if hasattr(result, "__aiter__"):  # an async iterator, as a plain one
                return iter(self._loop.run_until_complete(_collect(result)))
            return self._loop.run_until_complete(result)

        return call


async def _collect(items: Any) -> list[Any]:
    return [item async for item in items]


def test_library_sync_sdk_and_async_sdk_answer_one_scenario_alike(
        bf: Billfold, server: ServerThread, tenant_factory: Callable[[], Tenant],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILLFOLD_WEBHOOK_ALLOW_PRIVATE", "1")  # a loopback endpoint
    library = bf.store(bf.create_store("Library", currency="SAR").id)
    deliverer = Deliverer(bf)
    fan_out = deliverer.fan_out
    through_library = scenario(library, fan_out)
    through_sync = scenario(tenant_factory().client, fan_out)
    async_tenant = tenant_factory()
    loop = asyncio.new_event_loop()
    client = AsyncClient(async_tenant.api_key, server.base_url, max_retries=0)
    try:
        through_async = scenario(_Blocking(client, loop), fan_out)
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()
        deliverer.close()
    labels = [label for label, _ in through_library]
    assert labels == [label for label, _ in through_sync] == [
        label for label, _ in through_async]
    assert {label.split()[0] for label in labels} == _protocol_methods()
    mine, sent, awaited = (_ids_named([value for _, value in steps], {})
                           for steps in (through_library, through_sync, through_async))
    for label, returned, parsed, parsed_async in zip(labels, mine, sent, awaited, strict=True):
        assert returned == parsed, label
        assert parsed == parsed_async, label
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
        assert typing.get_type_hints(mine)["return"] == _declared_return(
            f"{namespace}.{name}"), f"shop.{namespace}.{name}"
