"""Holds over HTTP: place, capture all or part, release, and time out by themselves."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from billfold.app import Billfold
from billfold.client import Client
from billfold.clock import FrozenClock
from billfold.errors import Conflict, InsufficientFunds, InvalidRequest
from tests.api.conftest import ServerThread
from tests.helpers import assert_books_balance, snapshot

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def funded(api: Client) -> Client:
    api.wallets.credit("cus-1", "main", 5000, funding_type="cash")
    return api


def test_hold_answers_201_and_reserves_the_amount(funded: Client) -> None:
    response = funded.request("POST", "/v1/holds", json={
        "customer_id": "cus-1", "program": "main", "amount": 2000, "reference": "order-1",
        "expires_in": "30m"})
    assert response.status_code == 201
    body = response.json()
    assert body["id"].startswith("hold_")
    assert {k: body[k] for k in ("status", "amount", "captured_amount", "expires_at",
                                 "reference")} == {
        "status": "held", "amount": 2000, "captured_amount": 0,
        "expires_at": "2026-01-01T00:30:00Z", "reference": "order-1"}
    wallet = funded.wallets.get("cus-1")
    assert (wallet.available, wallet.held, wallet.total) == (3000, 2000, 5000)
    assert funded.holds.get(body["id"]).status == "held"


def test_hold_may_expire_at_an_absolute_time(funded: Client, bf: Billfold) -> None:
    response = funded.request("POST", "/v1/holds", json={
        "customer_id": "cus-1", "program": "main", "amount": 100,
        "expires_at": "2026-01-02T12:00:00Z"})
    assert response.status_code == 201
    assert response.json()["expires_at"] == "2026-01-02T12:00:00Z"
    via_sdk = funded.holds.create("cus-1", "main", 100,
                                  expires_at=datetime(2026, 1, 3, tzinfo=UTC))
    assert via_sdk.expires_at == datetime(2026, 1, 3, tzinfo=UTC)
    before = snapshot(bf)
    for body, param in (({"expires_at": "2025-12-31T00:00:00Z"}, "expires_at"),
                        ({"expires_at": "2026-03-01T00:00:00Z"}, "expires_in"),
                        ({"expires_at": "2026-01-02T12:00:00Z", "expires_in": "1h"},
                         "expires_in")):
        refused = funded.request("POST", "/v1/holds", json={
            "customer_id": "cus-1", "program": "main", "amount": 100, **body})
        assert refused.status_code == 400
        assert refused.json()["error"]["type"] == "invalid_request"
        assert refused.json()["error"]["param"] == param
    assert snapshot(bf) == before


def test_hold_beyond_available_is_402_and_moves_nothing(funded: Client, bf: Billfold) -> None:
    before = snapshot(bf)
    with pytest.raises(InsufficientFunds) as refused:
        funded.holds.create("cus-1", "main", 5001)
    assert refused.value.http_status == 402  # type: ignore[attr-defined]
    assert snapshot(bf) == before


def test_partial_capture_spends_part_and_releases_the_rest(funded: Client,
                                                           bf: Billfold) -> None:
    hold = funded.holds.create("cus-1", "main", 2000)
    response = funded.request("POST", f"/v1/holds/{hold.id}/capture", json={"amount": 1500})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["captured_amount"]) == ("captured", 1500)
    wallet = funded.wallets.get("cus-1")
    assert (wallet.available, wallet.held, wallet.total) == (3500, 0, 3500)
    history = funded.wallets.list_transactions("cus-1").data
    assert [(t.type, t.amount) for t in history[:2]] == [("capture", 1500), ("hold", 2000)]
    assert_books_balance(bf)


def test_capture_without_amount_captures_everything(funded: Client) -> None:
    hold = funded.holds.create("cus-1", "main", 2000)
    response = funded.request("POST", f"/v1/holds/{hold.id}/capture")
    assert (response.status_code, response.json()["captured_amount"]) == (200, 2000)
    assert funded.wallets.get("cus-1").available == 3000


def test_capturing_more_than_held_is_400_and_moves_nothing(funded: Client,
                                                           bf: Billfold) -> None:
    hold = funded.holds.create("cus-1", "main", 2000)
    before = snapshot(bf)
    with pytest.raises(InvalidRequest) as refused:
        funded.holds.capture(hold.id, amount=2001)
    assert (refused.value.code, refused.value.param) == ("amount_exceeds_hold", "amount")
    assert snapshot(bf) == before


def test_release_answers_200_and_frees_the_credit(funded: Client) -> None:
    hold = funded.holds.create("cus-1", "main", 2000)
    response = funded.request("POST", f"/v1/holds/{hold.id}/release")
    assert (response.status_code, response.json()["status"]) == (200, "released")
    assert funded.wallets.get("cus-1").available == 5000
    with pytest.raises(Conflict) as refused:
        funded.holds.capture(hold.id)
    assert refused.value.code == "hold_not_open"


def test_a_hold_past_its_expiry_is_released_by_itself(
        bf: Billfold, clock: FrozenClock, tenant,
        start_server: Callable[..., ServerThread]) -> None:
    from billfold.client import Client as SdkClient

    sweeping = start_server(sweep_interval_seconds=0.05)
    with SdkClient(tenant.api_key, sweeping.base_url) as api:
        api.wallets.credit("cus-1", "main", 5000, funding_type="cash")
        hold = api.holds.create("cus-1", "main", 2000, expires_in="1m")
        assert hold.expires_at == START + timedelta(minutes=1)
        clock.advance(seconds=61)
        deadline = time.monotonic() + 10
        while api.holds.get(hold.id).status == "held":
            assert time.monotonic() < deadline, "the hold was not released"
            time.sleep(0.02)
        assert api.holds.get(hold.id).status == "expired"
        assert api.wallets.get("cus-1").available == 5000
        assert "billfold_holds_expired_total 1.0" in api.request("GET", "/metrics").text
    assert_books_balance(bf)
