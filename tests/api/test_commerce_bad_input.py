"""Bad input on every commerce endpoint: the contract's error body, and nothing moves
(ledger snapshot and settings unchanged)."""

from __future__ import annotations

from typing import Any

import pytest

from billfold.app import Billfold
from billfold.client import Client
from tests.api.test_bad_input import AMOUNTS, refused
from tests.helpers import snapshot

LINE = {"product_id": "p1", "quantity": 1, "unit_amount": 10000}


@pytest.fixture
def ready(api: Client) -> dict[str, str]:
    """A funded customer, a shipped order with cashback, an open checkout."""
    api.settings.update({"programs": {"rewards": {"unit": "SAR", "max_per_order_amount": 500}}})
    api.offers.create("10%", percent=10)
    api.wallets.credit("cus-1", "main", 5000, funding_type="cash")
    api.orders.create("o-1", "cus-1", 10000, currency="SAR", lines=[LINE])
    api.orders.set_status("o-1", "shipped")
    checkout = api.checkouts.create("cus-1", "o-2", 3000, currency="SAR")
    return {"checkout": checkout.id}


def _all_refused(api: Client, bf: Billfold, method: str, path: str,
                 cases: list[tuple[Any, str | None]]) -> None:
    before, settings = snapshot(bf), api.settings.get()
    for body, param in cases:
        refused(api, method, path, body=body, param=param)
    assert snapshot(bf) == before
    assert api.settings.get() == settings


def test_settings_patch_refuses_bad_input(api: Client, bf: Billfold, ready: Any) -> None:
    rewards = {"unit": "SAR"}
    _all_refused(api, bf, "PATCH", "/v1/settings", [
        ({"wallet_enabled": "yes"}, "wallet_enabled"),
        ({"nope": 1}, "nope"),
        ({"currency": "USD"}, "currency"),
        ({"cashback_expires_in": "soon"}, "cashback_expires_in"),
        ({"topup_amounts": [0]}, "topup_amounts"),
        ({"clawback_shortfall": "ignore"}, "clawback_shortfall"),
        ({"programs": {"rewards": {**rewards, "max_per_order_percent": 12.345}}},
         "programs.rewards"),
        ({"programs": {"rewards": {**rewards, "max_per_order_percent": 0}}},
         "programs.rewards"),
        ({"programs": {"rewards": {**rewards, "max_per_order_percent": "abc"}}},
         "programs.rewards"),
        ({"programs": {"rewards": {**rewards, "max_per_order_amount": 1.5}}}, "programs"),
        ({"programs": {"rewards": {"unit": "USD"}}}, "programs.rewards"),
        ({"programs": {"points": {"unit": "points"}}}, "programs.points"),
        ({"programs": {"fresh": {"max_per_order_amount": 100}}}, "programs.fresh"),
        ({"programs": {"main": {"points_per_unit": 100}}}, "programs.main"),
        ([{"wallet_enabled": True}], None),
    ])


def test_checkout_refuses_bad_input(api: Client, bf: Billfold, ready: Any) -> None:
    good = {"customer_id": "cus-1", "order_id": "o-9", "currency": "SAR", "amount": 1000}
    _all_refused(api, bf, "POST", "/v1/checkouts", [
        *[({**good, "amount": value}, "amount") for value in AMOUNTS],
        ({**good, "currency": "USD"}, "currency"),
        ({**good, "programs": ["nope"]}, "programs"),
        ({**good, "programs": "main"}, "programs"),
        ({**good, "expires_in": "forever"}, "expires_in"),
        ({**good, "extra": 1}, "extra"),
        ({k: v for k, v in good.items() if k != "order_id"}, "order_id"),
    ])


def test_checkout_actions_refuse_what_is_not_open(api: Client, bf: Billfold,
                                                  ready: dict[str, str]) -> None:
    api.checkouts.cancel(ready["checkout"])
    before = snapshot(bf)
    for action in ("complete", "cancel"):
        response = api.request("POST", f"/v1/checkouts/{ready['checkout']}/{action}")
        assert response.status_code == 409, response.text
        assert response.json()["error"]["type"] == "conflict"
    assert api.request("POST", "/v1/checkouts/chk_nope/complete").status_code == 404
    assert snapshot(bf) == before


def test_offer_refuses_bad_input(api: Client, bf: Billfold, ready: Any) -> None:
    good = {"name": "x", "percent": 10, "program": "main"}
    _all_refused(api, bf, "POST", "/v1/cashback_offers", [
        ({**good, "percent": 12.345}, "percent"),
        ({**good, "percent": "12.345"}, "percent"),
        ({**good, "percent": 0}, "percent"),
        ({**good, "percent": 100.01}, "percent"),
        ({**good, "percent": True}, "percent"),
        ({**good, "amount": 100}, "percent"),
        ({"name": "x", "program": "main"}, "amount"),
        ({**good, "program": "nope"}, "program"),
        ({**good, "max_amount": "100"}, "max_amount"),
        ({**good, "min_order_amount": 0}, "min_order_amount"),
        ({**good, "starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"},
         "ends_at"),
        ({**good, "credit_expires_in": "0d"}, "credit_expires_in"),
        ({**good, "product_ids": "p1"}, "product_ids"),
        ({**good, "name": ""}, "name"),
    ])


def test_order_refuses_bad_input(api: Client, bf: Billfold, ready: Any) -> None:
    good = {"id": "o-9", "customer_id": "cus-1", "currency": "SAR", "amount": 10000,
            "lines": [LINE]}
    _all_refused(api, bf, "POST", "/v1/orders", [
        *[({**good, "amount": value}, "amount") for value in AMOUNTS],
        ({**good, "currency": "USD"}, "currency"),
        ({**good, "lines": [{**LINE, "quantity": 0}]}, "lines"),
        ({**good, "lines": [{**LINE, "unit_amount": -1}]}, "lines"),
        ({**good, "lines": [{**LINE, "unit_amount": 1.5}]}, "lines"),
        ({**good, "lines": "p1"}, "lines"),
        ({k: v for k, v in good.items() if k != "lines"}, "lines"),
        ({**good, "id": ""}, "id"),
    ])
    before = snapshot(bf)
    duplicate = api.request("POST", "/v1/orders", json={**good, "id": "o-1"})
    assert duplicate.status_code == 409
    unknown = api.request("POST", "/v1/orders", json={**good, "checkout_id": "chk_nope"})
    assert unknown.status_code == 404
    assert snapshot(bf) == before


def test_status_and_refund_refuse_bad_input(api: Client, bf: Billfold, ready: Any) -> None:
    _all_refused(api, bf, "POST", "/v1/orders/o-1/status", [
        ({"status": "refunded"}, "status"), ({"status": None}, "status"), ({}, "status")])
    _all_refused(api, bf, "POST", "/v1/orders/o-1/refunds", [
        *[({"amount": value}, "amount") for value in AMOUNTS],
        ({"amount": 10001}, "amount"),
        ({"amount": 100, "to": "card"}, "to"),
    ])
    before = snapshot(bf)
    for status in ("placed", "paid", "cancelled"):
        response = api.request("POST", "/v1/orders/o-1/status", json={"status": status})
        expected = 400 if status == "placed" else 409
        assert response.status_code == expected, (status, response.text)
    assert api.request("POST", "/v1/orders/nope/refunds", json={"amount": 1}).status_code == 404
    assert snapshot(bf) == before


def test_stats_refuses_bad_windows(api: Client, ready: Any) -> None:
    for params, param in ((("from", "garbage"),), "from"), (
            (("from", "2026-01-02T00:00:00Z"), ("to", "2026-01-01T00:00:00Z")), "from"), (
            (("from", "2020-01-01T00:00:00Z"), ("to", "2026-01-01T00:00:00Z")), "from"):
        response = api.request("GET", "/v1/stats", params=dict(params))
        assert response.status_code == 400, response.text
        assert response.json()["error"]["param"] == param
