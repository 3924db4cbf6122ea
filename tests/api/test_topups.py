"""Top-ups and automatic top-ups over HTTP, on both databases: every path and refusal,
each refusal answering the contract's error body and moving nothing; a payment
provider plugged into the library; the events API over the same flows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from billfold.app import Billfold
from billfold.client import Client
from billfold.clock import FrozenClock
from billfold.errors import InvalidRequest
from billfold.funding.topups import Topup
from tests.api.conftest import Tenant
from tests.helpers import assert_books_balance, race_calls, snapshot

TOPUPS = "/v1/customers/cus-1/wallets/main/topups"
AUTO = "/v1/customers/cus-1/wallets/main/auto_topup"


@pytest.fixture
def shop_api(api: Client) -> Client:
    api.settings.update({"allow_topup": True, "topup_amounts": [5000, 10000]})
    return api


def _refused(bf: Billfold, send: Callable[[], httpx.Response], status: int,
             error: dict[str, Any]) -> None:
    before = snapshot(bf)
    response = send()
    assert response.status_code == status, response.text
    assert response.json() == {"error": error}
    assert snapshot(bf) == before


def _create(api: Client, amount: int = 5000) -> dict[str, Any]:
    response = api.request("POST", TOPUPS, json={"amount": amount})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_confirmed_top_up_is_one_cash_lot_and_a_replay_answers_it_again(
        shop_api: Client, bf: Billfold) -> None:
    topup = _create(shop_api)
    assert topup["id"].startswith("top_")
    assert (topup["status"], topup["amount"], topup["trigger"]) == ("pending", 5000, "manual")
    assert shop_api.wallets.get("cus-1").available == 0
    confirm = f"/v1/topups/{topup['id']}/confirm"
    done = shop_api.request("POST", confirm, json={"payment_reference": "pay_1"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["payment_reference"]) == ("succeeded", "pay_1")
    wallet = shop_api.wallets.get("cus-1")
    assert (wallet.available, wallet.by_funding_type) == (5000, {"cash": 5000})
    txn = shop_api.transactions.get(body["transaction_id"])
    assert (txn.type, txn.amount, txn.funding_type, txn.reference) == (
        "credit", 5000, "cash", "pay_1")
    [lot] = shop_api.wallets.list_lots("cus-1").data
    assert lot.withdrawable  # paid-in money can be paid back out
    again = shop_api.request("POST", confirm, json={"payment_reference": "pay_1"})
    assert again.status_code == 200 and again.json() == body
    assert len(shop_api.wallets.list_lots("cus-1").data) == 1
    _refused(bf, lambda: shop_api.request("POST", confirm, json={"payment_reference": "pay_2"}),
             409, {"type": "conflict", "code": "topup_reference_conflict",
                   "message": "The top-up was confirmed with another payment_reference.",
                   "param": "payment_reference"})
    _refused(bf, lambda: shop_api.request("POST", f"/v1/topups/{topup['id']}/cancel"), 409,
             {"type": "conflict", "code": "topup_not_pending",
              "message": "The top-up is succeeded.", "param": None})
    [event] = shop_api.events.list(type="topup.succeeded").data
    assert event.data["topup_id"] == topup["id"] and event.data["amount"] == 5000
    assert_books_balance(bf)


def test_top_up_refusals_change_nothing(api: Client, bf: Billfold) -> None:
    forbidden = {"type": "permission", "code": "topups_disabled",
                 "message": "This store does not take top-ups (settings: allow_topup).",
                 "param": None}
    _refused(bf, lambda: api.request("POST", TOPUPS, json={"amount": 5000}), 403, forbidden)
    _refused(bf, lambda: api.request("PUT", AUTO, json={"threshold": 1, "amount": 5000}), 403,
             forbidden)
    api.settings.update({"allow_topup": True, "topup_amounts": [5000]})
    not_allowed = {"type": "invalid_request", "code": "topup_amount_not_allowed",
                   "message": "A top-up is one of [5000].", "param": "amount"}
    _refused(bf, lambda: api.request("POST", TOPUPS, json={"amount": 4999}), 400, not_allowed)
    for bad in (0, -5, 1.5, "5000", True, 10**16):
        response = api.request("POST", TOPUPS, json={"amount": bad})
        assert response.status_code == 400 and response.json()["error"]["param"] == "amount"
    _refused(bf, lambda: api.request("POST", "/v1/topups/top_nope/confirm",
                                     json={"payment_reference": "x"}), 404,
             {"type": "not_found", "code": "topup_not_found",
              "message": "No top-up 'top_nope' in this store.", "param": "topup_id"})
    topup = _create(api)
    for body in ({}, {"payment_reference": ""}, {"payment_reference": 5}):
        response = api.request("POST", f"/v1/topups/{topup['id']}/confirm", json=body)
        assert response.status_code == 400
    assert api.wallets.get("cus-1").available == 0


def test_free_amounts_within_bounds(api: Client) -> None:
    api.settings.update({"allow_topup": True, "topup_amounts": [5000],
                         "topup_min_amount": 1000, "topup_max_amount": 20000})
    assert _create(api, 1234)["amount"] == 1234
    response = api.request("POST", TOPUPS, json={"amount": 20001})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "A top-up is one of [5000], or from 1000 to 20000.")
    bad = api.request("PATCH", "/v1/settings",
                      json={"topup_min_amount": 30000})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "topup_min_amount"


def test_cancel_expire_and_list(shop_api: Client, bf: Billfold, clock: FrozenClock) -> None:
    cancelled = _create(shop_api)
    response = shop_api.request("POST", f"/v1/topups/{cancelled['id']}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert shop_api.request("POST", f"/v1/topups/{cancelled['id']}/cancel").status_code == 200
    late = _create(shop_api, 10000)
    clock.advance(86400)  # topup_expires_in defaults to one day
    bf.sweep()
    assert shop_api.topups.get(late["id"]).status == "expired"
    _refused(bf, lambda: shop_api.request("POST", f"/v1/topups/{late['id']}/confirm",
                                          json={"payment_reference": "pay_late"}), 409,
             {"type": "conflict", "code": "topup_not_pending",
              "message": "The top-up is expired.", "param": None})
    fresh = _create(shop_api)
    listed = shop_api.request("GET", TOPUPS).json()
    assert [t["id"] for t in listed["data"]] == [fresh["id"], late["id"], cancelled["id"]]
    pending = shop_api.request("GET", TOPUPS, params={"status": "pending"}).json()
    assert [t["id"] for t in pending["data"]] == [fresh["id"]]
    page = shop_api.topups.list("cus-1", limit=2)
    assert page.has_more and shop_api.topups.list(
        "cus-1", starting_after=page.next_cursor).data[0].id == cancelled["id"]
    assert shop_api.wallets.get("cus-1").available == 0


def test_a_top_up_confirmed_twice_at_once_makes_one_lot(shop_api: Client, bf: Billfold,
                                                       tenant: Tenant) -> None:
    topup = _create(shop_api)
    shop = bf.store(tenant.store_id)
    outcomes = race_calls([lambda: shop.topups.confirm(topup["id"], "pay_1")
                           for _ in range(8)])
    assert outcomes == {"ok": 8}
    assert len(shop.wallets.list_lots("cus-1").data) == 1
    assert shop.wallets.get("cus-1").available == 5000
    assert_books_balance(bf)


def test_top_ups_of_another_store_are_not_found(shop_api: Client,
                                                tenant_factory: Callable[[], Tenant]) -> None:
    topup = _create(shop_api)
    other = tenant_factory().client
    for method, path, body in (("GET", f"/v1/topups/{topup['id']}", None),
                               ("POST", f"/v1/topups/{topup['id']}/confirm",
                                {"payment_reference": "x"}),
                               ("POST", f"/v1/topups/{topup['id']}/cancel", None),
                               ("GET", AUTO, None)):
        response = other.request(method, path, json=body)
        assert response.status_code == 404, (path, response.text)
    assert shop_api.topups.get(topup["id"]).status == "pending"


def test_an_automatic_top_up_fires_once_per_crossing(shop_api: Client, bf: Billfold) -> None:
    shop_api.wallets.credit("cus-1", "main", 6000, funding_type="cash")
    put = shop_api.request("PUT", AUTO, json={"threshold": 2000, "amount": 10000})
    assert put.status_code == 200, put.text
    assert (put.json()["threshold"], put.json()["amount"]) == (2000, 10000)
    assert shop_api.request("GET", AUTO).json()["threshold"] == 2000
    shop_api.wallets.debit("cus-1", "main", 3000)  # 6000 -> 3000: still above
    assert shop_api.topups.list("cus-1").data == []
    shop_api.wallets.debit("cus-1", "main", 1500)  # 3000 -> 1500: crosses
    shop_api.wallets.debit("cus-1", "main", 1000)  # 1500 -> 500: already below
    [auto] = shop_api.topups.list("cus-1").data
    assert (auto.trigger, auto.status, auto.amount) == ("auto", "pending", 10000)
    required = shop_api.events.list(type="topup.required", customer_id="cus-1").data
    assert [e.data["topup_id"] for e in required] == [auto.id]
    shop_api.topups.confirm(auto.id, "pay_auto")  # 500 -> 10500: at or above again
    shop_api.wallets.debit("cus-1", "main", 9000)  # crosses once more
    assert [t.trigger for t in shop_api.topups.list("cus-1", status="pending").data] == ["auto"]
    deleted = shop_api.request("DELETE", AUTO)
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    assert shop_api.request("GET", AUTO).json()["error"]["code"] == "auto_topup_not_found"
    assert shop_api.request("DELETE", AUTO).status_code == 404
    assert_books_balance(bf)


@pytest.mark.parametrize("body", [{"threshold": 0, "amount": 100}, {"threshold": 100},
                                  {"threshold": 100, "amount": -1}])
def test_bad_automatic_top_ups_are_refused(shop_api: Client, bf: Billfold,
                                           body: dict[str, Any]) -> None:
    shop_api.customers.create("cus-1")
    before = snapshot(bf)
    response = shop_api.request("PUT", AUTO, json=body)
    assert response.status_code == 400 and response.json()["error"]["type"] == "invalid_request"
    assert snapshot(bf) == before


def test_the_payment_provider_is_asked_before_crediting(database_url: str,
                                                        clock: FrozenClock) -> None:
    asked: list[tuple[str, str]] = []

    class Processor:
        def confirm(self, topup: Topup, payment_reference: str) -> None:
            asked.append(("confirm", payment_reference))
            if payment_reference.startswith("fake"):
                raise InvalidRequest("The processor knows no such payment.",
                                     param="payment_reference")

        def refund(self, topup: Topup, payment_reference: str) -> None:
            asked.append(("refund", payment_reference))

    with Billfold(database_url, clock=clock, payment_provider=Processor()) as bf:
        shop = bf.store(bf.create_store("Shop", currency="SAR").id)
        shop.settings.update({"allow_topup": True, "topup_amounts": [5000]})
        topup = shop.topups.create("cus-1", "main", 5000)
        with pytest.raises(InvalidRequest):
            shop.topups.confirm(topup.id, "fake_1")
        assert shop.topups.get(topup.id).status == "pending"
        assert shop.topups.confirm(topup.id, "pay_1").status == "succeeded"
        cancelled = shop.topups.create("cus-1", "main", 5000)
        shop.topups.cancel(cancelled.id)
        with pytest.raises(Exception, match="cancelled"):
            shop.topups.confirm(cancelled.id, "pay_2")
        assert asked == [("confirm", "fake_1"), ("confirm", "pay_1"), ("refund", "pay_2")]
        assert shop.wallets.get("cus-1").available == 5000


def test_events_are_listed_newest_first_filtered_and_kept_per_store(
        api: Client, tenant_factory: Callable[[], Tenant]) -> None:
    api.wallets.credit("cus-1", "main", 500, funding_type="cash")
    api.wallets.credit("cus-2", "main", 700, funding_type="cash")
    api.wallets.debit("cus-1", "main", 100)
    every = api.request("GET", "/v1/events").json()
    assert [e["type"] for e in every["data"]] == [
        "wallet.debited", "wallet.credited", "wallet.credited"]
    assert all(e["id"].startswith("evt_") and e["store_id"] for e in every["data"])
    mine = api.events.list(customer_id="cus-1")
    assert [e.type for e in mine.data] == ["wallet.debited", "wallet.credited"]
    credited = api.events.list(type="wallet.credited", limit=1)
    assert credited.has_more and credited.data[0].data["customer_id"] == "cus-2"
    older = api.events.list(type="wallet.credited", starting_after=credited.next_cursor)
    assert [e.data["amount"] for e in older.data] == [500]
    one = api.request("GET", f"/v1/events/{every['data'][0]['id']}").json()
    assert one == every["data"][0]
    unknown = api.request("GET", "/v1/events", params={"type": "wallet.exploded"})
    assert unknown.status_code == 400 and unknown.json()["error"]["param"] == "type"
    other = tenant_factory().client
    assert other.request("GET", f"/v1/events/{one['id']}").status_code == 404
    assert other.events.list().data == []
