"""Idempotency-Key over HTTP: replays give the first response (status and body),
another body is a 409, refusals are replayed too, and concurrent duplicates
move money once."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from billfold.app import Billfold
from billfold.client import Client
from tests.helpers import assert_books_balance, snapshot

WALLET = "/v1/customers/cus-1/wallets/main"


def post(api: Client, path: str, body: dict[str, Any], key: str) -> httpx.Response:
    return api.request("POST", path, json=body, idempotency_key=key)


@pytest.mark.parametrize(("path", "body", "status"), [
    ("/v1/customers", {"id": "cus-2", "email": "b@example.com"}, 201),
    (WALLET + "/credits", {"amount": 700, "funding_type": "promotional", "expires_in": "1d"},
     201),
    (WALLET + "/debits", {"amount": 300}, 201),
    ("/v1/holds", {"customer_id": "cus-1", "program": "main", "amount": 400}, 201),
])
def test_same_key_and_body_gives_the_first_response_and_moves_nothing_twice(
        api: Client, bf: Billfold, path: str, body: dict[str, Any], status: int) -> None:
    api.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    first = post(api, path, body, "key-1")
    assert first.status_code == status
    after_first = snapshot(bf)
    again = post(api, path, body, "key-1")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert snapshot(bf) == after_first


def test_capture_release_and_reverse_replay_too(api: Client, bf: Billfold) -> None:
    credit = api.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    hold = api.holds.create("cus-1", "main", 500)
    other = api.holds.create("cus-1", "main", 100)
    calls = [(f"/v1/holds/{hold.id}/capture", {"amount": 200}, 200),
             (f"/v1/holds/{other.id}/release", {}, 200),
             (f"/v1/transactions/{credit.id}/reverse", {"amount": 50, "description": "x"}, 201)]
    for path, body, status in calls:
        first = post(api, path, body, f"key-{path}")
        assert first.status_code == status
        state = snapshot(bf)
        again = post(api, path, body, f"key-{path}")
        assert (again.status_code, again.json()) == (status, first.json())
        assert snapshot(bf) == state


def test_same_key_with_another_body_is_409_and_moves_nothing(api: Client,
                                                            bf: Billfold) -> None:
    api.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    assert post(api, WALLET + "/debits", {"amount": 300}, "key-1").status_code == 201
    before = snapshot(bf)
    for path, body in [(WALLET + "/debits", {"amount": 301}),
                       ("/v1/customers/cus-2/wallets/main/debits", {"amount": 300}),
                       (WALLET + "/credits", {"amount": 300, "funding_type": "cash"})]:
        response = post(api, path, body, "key-1")
        assert response.status_code == 409
        assert response.json()["error"]["type"] == "conflict"
        assert response.json()["error"]["code"] == "idempotency_conflict"
    assert snapshot(bf) == before


def test_a_refused_debit_is_replayed_as_the_same_402(api: Client, bf: Billfold) -> None:
    api.wallets.credit("cus-1", "main", 100, funding_type="cash")
    first = post(api, WALLET + "/debits", {"amount": 500}, "key-1")
    assert first.status_code == 402
    api.wallets.credit("cus-1", "main", 1000, funding_type="cash")  # now it would succeed…
    before = snapshot(bf)
    again = post(api, WALLET + "/debits", {"amount": 500}, "key-1")
    assert (again.status_code, again.json()) == (402, first.json())  # …but the key answered
    assert snapshot(bf) == before


def test_concurrent_identical_requests_move_money_once(api: Client, bf: Billfold) -> None:
    api.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    barrier = threading.Barrier(6)
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def send() -> None:
        with Client(api._headers["Authorization"].removeprefix("Bearer "),
                    api.base_url) as own:
            barrier.wait()
            response = post(own, WALLET + "/debits", {"amount": 1000}, "same-key")
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [r.status_code for r in responses] == [201] * 6
    assert len({r.json()["id"] for r in responses}) == 1
    wallet = api.wallets.get("cus-1")
    assert (wallet.available, wallet.total) == (0, 0)
    assert [t.type for t in api.wallets.list_transactions("cus-1").data] == ["debit", "credit"]
    assert_books_balance(bf)


def test_concurrent_identical_holds_reserve_once(api: Client, bf: Billfold) -> None:
    api.wallets.credit("cus-1", "main", 1000, funding_type="cash")
    barrier = threading.Barrier(4)
    results: list[httpx.Response] = []

    def send() -> None:
        with Client(api._headers["Authorization"].removeprefix("Bearer "),
                    api.base_url) as own:
            barrier.wait()
            results.append(post(own, "/v1/holds", {"customer_id": "cus-1", "program": "main",
                                                   "amount": 600}, "hold-key"))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [r.status_code for r in results] == [201] * 4
    assert len({r.json()["id"] for r in results}) == 1
    assert api.wallets.get("cus-1").held == 600
