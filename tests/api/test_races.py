"""The races found from outside (issue 10), over real HTTP, requests lined up on a
barrier: checkouts of one customer at once are never refused for want of
balance, concurrent PATCHes of different settings all survive, and a reversal
always says why."""

from __future__ import annotations

from collections import Counter

import pytest

from billfold.app import Billfold
from tests.api.conftest import Tenant
from tests.api.racing import Call, race, statuses
from tests.helpers import assert_books_balance, snapshot


def _checkout(index: int, amount: int, programs: list[str]) -> Call:
    return Call("POST", "/v1/checkouts", {
        "customer_id": "cus-1", "order_id": f"order-{index}", "currency": "SAR",
        "amount": amount, "programs": programs}, f"checkout-{index}")


def test_ten_checkouts_at_once_split_the_wallet_as_one_after_another_would(
        tenant: Tenant, bf: Billfold, server) -> None:
    tenant.client.wallets.credit("cus-1", "main", 10_000, funding_type="cash")
    responses = race(server.base_url, tenant.api_key,
                     [_checkout(i, 3000, ["main"]) for i in range(10)])
    assert statuses(responses) == Counter({201: 10}), [r.json() for r in responses]
    bodies = [r.json() for r in responses]
    assert sorted((b["wallet_amount"] for b in bodies), reverse=True) == \
        [3000, 3000, 3000, 1000] + [0] * 6
    assert all(b["wallet_amount"] + b["remaining_amount"] == 3000 for b in bodies)
    wallet = tenant.client.wallets.get("cus-1")
    assert (wallet.available, wallet.held) == (0, 10_000)
    assert_books_balance(bf)


def test_checkouts_naming_programs_in_either_order_at_once_are_never_refused(
        tenant: Tenant, bf: Billfold, server) -> None:
    tenant.client.settings.update({"programs": {"rewards": {
        "unit": "SAR", "max_per_order_amount": 1000}}})
    tenant.client.wallets.credit("cus-1", "rewards", 3000, funding_type="cashback")
    tenant.client.wallets.credit("cus-1", "main", 10_000, funding_type="cash")
    calls = [_checkout(i, 2000, ["rewards", "main"] if i % 2 else ["main", "rewards"])
             for i in range(12)]
    responses = race(server.base_url, tenant.api_key, calls)
    assert statuses(responses) == Counter({201: 12}), [r.json() for r in responses]
    paid: Counter[str] = Counter()
    for body in (r.json() for r in responses):
        assert body["wallet_amount"] + body["remaining_amount"] == 2000
        for part in body["breakdown"]:
            paid[part["program"]] += part["amount"]
        rewards = [p["amount"] for p in body["breakdown"] if p["program"] == "rewards"]
        assert rewards in ([], [1000])
    assert paid == Counter({"rewards": 3000, "main": 10_000})
    assert tenant.client.wallets.get("cus-1", "rewards").available == 0
    assert tenant.client.wallets.get("cus-1", "main").available == 0
    assert_books_balance(bf)


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_patches_of_different_settings_all_survive(
        tenant: Tenant, server, round_: int) -> None:
    changes = [{"low_balance_threshold": 500 + round_}, {"allow_topup": True},
               {"topup_amounts": [5000 + round_, 10_000]},
               {"cashback_expires_in": f"{30 + round_}d"}]
    responses = race(server.base_url, tenant.api_key,
                     [Call("PATCH", "/v1/settings", c, f"patch-{i}")
                      for i, c in enumerate(changes)])
    assert statuses(responses) == Counter({200: 4})
    settings = tenant.client.settings.get()
    for change in changes:
        for key, value in change.items():
            assert getattr(settings, key) == value, (key, settings)


@pytest.mark.parametrize("body", [{"amount": 100}, {}, {"description": None},
                                  {"description": ""}, {"description": "   "}])
def test_a_reversal_without_a_description_is_refused_and_moves_nothing(
        tenant: Tenant, bf: Billfold, body: dict[str, object]) -> None:
    credit = tenant.client.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    before = snapshot(bf)
    response = tenant.client.request("POST", f"/v1/transactions/{credit.id}/reverse",
                                     json=body, idempotency_key="reverse-1")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request", "description")
    assert "description" in error["message"]
    assert snapshot(bf) == before
