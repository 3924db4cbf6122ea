"""Loyalty points end to end over HTTP, on both databases: CleverTap's use-case table
with its numbers (`../shared/seeds/clevertap-loyalty-wallets.txt`), points spent at
checkout, a half refund taking back half the points, and every bad rule refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from billfold.app import Billfold
from billfold.client import Client
from billfold.clock import FrozenClock
from tests.helpers import assert_books_balance, snapshot

RULES = "/v1/earning_rules"
LINES = [{"product_id": "p1", "quantity": 1, "unit_amount": 1}]


def _post(api: Client, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    response = api.request("POST", path, json=body)
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def _order(api: Client, order_id: str, customer_id: str, amount: int,
           checkout_id: str | None = None) -> dict[str, Any]:
    return _post(api, "/v1/orders", {
        "id": order_id, "customer_id": customer_id, "currency": "SAR", "amount": amount,
        "lines": [{**LINES[0], "unit_amount": amount}],
        **({"checkout_id": checkout_id} if checkout_id else {})})


def _complete(api: Client, order_id: str) -> dict[str, Any]:
    return _post(api, f"/v1/orders/{order_id}/status", {"status": "completed"}, 200)


def _points(api: Client, customer_id: str) -> tuple[int, int]:
    wallet = api.wallets.get(customer_id, "points")
    return wallet.available, wallet.pending


@pytest.fixture
def program(api: Client, clock: FrozenClock) -> Client:
    """CleverTap's table as earning rules, 100 points = 1.00 SAR, VIP at 1,000 a year."""
    settings = api.request("PATCH", "/v1/settings", json={
        "programs": {"points": {"unit": "points", "points_per_unit": 100}},
        "tiers": [{"name": "VIP", "min_points": 1000, "window": "365d"}]})
    assert settings.status_code == 200, settings.text
    season = clock.now() + timedelta(days=10)
    for rule in (
            {"name": "100 points per 100 spent", "event": "purchase", "kind": "proportional",
             "points": 100, "per_amount": 10000},
            {"name": "200 on the first order", "event": "first_purchase", "kind": "fixed",
             "points": 200},
            {"name": "Double points in season", "event": "purchase", "kind": "multiplier",
             "multiplier": 2, "starts_at": season.isoformat(),
             "ends_at": (season + timedelta(days=10)).isoformat()},
            {"name": "20 per review", "event": "review", "kind": "fixed", "points": 20},
            {"name": "Referral", "event": "referral", "kind": "fixed", "points": 100},
            {"name": "Cart recovered", "event": "cart_recovered", "kind": "fixed",
             "points": 50}):
        made = _post(api, RULES, {"program": "points", **rule})
        assert made["status"] == "active" and made["id"].startswith("rule_")
    return api


def test_clevertaps_table_end_to_end(program: Client, bf: Billfold,
                                     clock: FrozenClock) -> None:
    api = program
    # 100 points per 100 spent and 200 on the first order: promised, then granted
    placed = _order(api, "o1", "ann", 30000)
    assert placed["points"]["pending"] == 300 + 200
    assert _points(api, "ann") == (0, 500)
    assert _complete(api, "o1")["points"]["granted"] == 500
    assert _points(api, "ann") == (500, 0)
    # 20 per review, the event id as its idempotency key; 50 for a recovered cart
    review = _post(api, "/v1/events", {"id": "rev-1", "type": "review", "customer_id": "ann"})
    assert [a["amount"] for a in review["awarded"]] == [20]
    again = _post(api, "/v1/events", {"id": "rev-1", "type": "review", "customer_id": "ann"},
                  200)
    assert again == review
    _post(api, "/v1/events", {"type": "cart_recovered", "customer_id": "ann"})
    assert _points(api, "ann") == (570, 0)
    # 100 to referrer and referee on the referee's first completed order
    referral = _post(api, "/v1/referrals", {"referrer_id": "ann", "referee_id": "bob"})
    assert referral["status"] == "pending"
    _order(api, "o2", "bob", 10000)
    assert _points(api, "ann")[0] == 570  # not before the order is completed
    _complete(api, "o2")
    assert _points(api, "bob") == (100 + 200 + 100, 0)
    assert _points(api, "ann") == (670, 0)
    # double points in the season: 200.00 SAR earns 400
    clock.advance(days=11)
    assert _order(api, "o3", "ann", 20000)["points"]["pending"] == 400
    _complete(api, "o3")
    customer = api.request("GET", "/v1/customers/ann").json()
    assert (customer["tier"], customer["tier_points"]) == ("VIP", 1070)  # 1,000 in a year
    tiers = api.events.list(type="tier.changed", customer_id="ann").data
    assert [(e.data["from"], e.data["to"]) for e in tiers] == [(None, "VIP")]
    # a refund of half an order takes back half its points
    _post(api, "/v1/orders/o3/refunds", {"amount": 10000})
    assert api.orders.get("o3").points.clawed_back == 200
    assert _points(api, "ann") == (870, 0)
    assert_books_balance(bf)


def test_points_pay_at_checkout_with_hold_and_capture(program: Client, bf: Billfold) -> None:
    api = program
    api.wallets.credit("ann", "points", 1070, funding_type="promotional")
    checkout = _post(api, "/v1/checkouts", {"customer_id": "ann", "order_id": "o9",
                                            "currency": "SAR", "amount": 5000,
                                            "programs": ["points"]})
    assert checkout["remaining_amount"] == 5000 - 1070  # 1,070 points are 10.70 SAR
    assert _points(api, "ann") == (0, 0) and api.wallets.get("ann", "points").held == 1070
    released = api.request("POST", f"/v1/checkouts/{checkout['id']}/cancel")
    assert released.status_code == 200 and _points(api, "ann") == (1070, 0)
    again = _post(api, "/v1/checkouts", {"customer_id": "ann", "order_id": "o10",
                                         "currency": "SAR", "amount": 5000,
                                         "programs": ["points"]})
    order = _order(api, "o10", "ann", 5000, checkout_id=again["id"])
    # only the card-paid 39.30 SAR earns: floor(3930 x 100 / 10000) + the first order's 200
    assert order["points"]["pending"] == 39 + 200
    assert api.wallets.get("ann", "points").held == 0
    assert _points(api, "ann") == (0, 239)
    assert api.request("POST", f"/v1/checkouts/{again['id']}/cancel").status_code == 409
    assert_books_balance(bf)


@pytest.mark.parametrize(("fields", "param"), [
    ({"kind": "fixed", "points": 0}, "points"),
    ({"kind": "fixed", "points": -5}, "points"),
    ({"kind": "fixed", "points": 1.5}, "points"),
    ({"kind": "percent", "percent": "1.234"}, "percent"),
    ({"kind": "proportional", "points": 1, "per_amount": 0}, "per_amount"),
    ({"kind": "random", "outcomes": []}, "outcomes"),
    ({"kind": "random", "outcomes": [{"points": 5, "weight": 0}]}, "outcomes"),
    ({"kind": "bonus", "points": 5}, "kind"),
    ({"kind": "fixed", "points": 5, "starts_at": "2026-02-01T00:00:00Z",
      "ends_at": "2026-01-01T00:00:00Z"}, "ends_at"),
    ({"kind": "fixed", "points": 5, "program": "nope"}, "program"),
])
def test_every_bad_rule_is_a_400_that_creates_nothing(program: Client, bf: Billfold,
                                                      fields: dict[str, Any],
                                                      param: str) -> None:
    before = snapshot(bf)
    rules = program.request("GET", RULES).json()["data"]
    response = program.request("POST", RULES, json={
        "name": "Bad", "program": "points", "event": "review", **fields})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request" and error["param"] == param
    assert error["message"]
    assert program.request("GET", RULES).json()["data"] == rules
    assert snapshot(bf) == before
