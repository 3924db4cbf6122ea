"""The hot path (billfold.api.hot) answers exactly what FastAPI's routes answer.

Two servers share one database: `hot` as the service runs (the hot path on) and
`plain` with every request left to FastAPI's router. Each request is sent to both
in the same database state; status, body and headers must be the same. A movement
is sent to `hot` once, then replayed through `plain` with its Idempotency-Key: the
stored answer must be byte for byte what the hot path sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from billfold.api.main import create_app
from billfold.app import Billfold
from tests.api.conftest import ServerThread
from tests.helpers import snapshot

WALLET = "/v1/customers/cus-1/wallets/main"
COMPARED_HEADERS = ("content-type", "content-length", "www-authenticate", "retry-after")


@dataclass
class Pair:
    hot: httpx.Client
    plain: httpx.Client
    served: Any  # the hot path's object: `served` counts what it answered
    secret: str

    def both(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send to both servers; assert they answered alike; the hot one's answer."""
        before = self.served.served
        hot = self.hot.request(method, path, **kwargs)
        plain = self.plain.request(method, path, **kwargs)
        assert (hot.status_code, hot.content) == (plain.status_code, plain.content), (
            method, path, kwargs, hot.text, plain.text)
        for name in COMPARED_HEADERS:
            assert hot.headers.get(name) == plain.headers.get(name), name
        assert "request-id" in hot.headers
        self.last_served = self.served.served - before
        return hot


@pytest.fixture
def pair(bf: Billfold) -> Iterator[Pair]:
    hot_app = create_app(bf)
    servers = [ServerThread(hot_app).start(), ServerThread(create_app(bf, hot_path=False)).start()]
    store = bf.create_store("Shop", currency="SAR")
    secret = bf.create_api_key(store.id).secret
    headers = {"Authorization": f"Bearer {secret}"}
    hot, plain = (httpx.Client(base_url=s.base_url, headers=headers) for s in servers)
    assert hot.post(WALLET + "/credits", json={"amount": 5000, "funding_type": "cash"},
                    headers={"Idempotency-Key": "seed"}).status_code == 201
    yield Pair(hot, plain, hot_app.state.hot_path, secret)
    hot.close()
    plain.close()
    for server in servers:
        server.stop()


def _replayed(pair: Pair, method: str, path: str, body: Any, key: str) -> httpx.Response:
    """Sent once through the hot path, then replayed through FastAPI: the same answer."""
    before = pair.served.served
    first = pair.hot.request(method, path, json=body, headers={"Idempotency-Key": key})
    assert pair.served.served == before + 1, "the hot path did not answer it"
    again = pair.plain.request(method, path, json=body, headers={"Idempotency-Key": key})
    assert (first.status_code, first.content) == (again.status_code, again.content)
    assert first.headers["content-type"] == again.headers["content-type"] == "application/json"
    return first


def test_every_movement_and_the_balance_read_answer_as_fastapi_does(pair: Pair) -> None:
    credit = _replayed(pair, "POST", WALLET + "/credits",
                       {"amount": 700, "funding_type": "promotional", "expires_in": "30d",
                        "description": "Welcome", "metadata": {"campaign": "w"}}, "c1")
    assert credit.status_code == 201 and credit.json()["amount"] == 700
    debit = _replayed(pair, "POST", WALLET + "/debits",
                      {"amount": 1200, "reference": "order-1"}, "d1")
    assert debit.status_code == 201
    assert debit.json()["balance_after"] == 5000 + 700 - 1200
    hold = _replayed(pair, "POST", "/v1/holds",
                     {"customer_id": "cus-1", "program": "main", "amount": 300}, "h1")
    assert hold.status_code == 201 and hold.json()["status"] == "held"
    hold_id = hold.json()["id"]
    captured = _replayed(pair, "POST", f"/v1/holds/{hold_id}/capture", {"amount": 200}, "h1c")
    assert captured.status_code == 200 and captured.json()["status"] == "captured"
    other = pair.hot.post("/v1/holds", json={"customer_id": "cus-1", "program": "main",
                                             "amount": 100}).json()["id"]
    released = _replayed(pair, "POST", f"/v1/holds/{other}/release", None, "h2r")
    assert released.json()["status"] == "released"
    wallet = pair.both("GET", WALLET)
    assert pair.last_served == 1
    assert wallet.json()["total"] == wallet.json()["available"] == 5000 + 700 - 1200 - 200
    history = pair.both("GET", WALLET + "/transactions", params={"limit": 2})
    assert pair.last_served == 1
    page = history.json()
    assert [t["type"] for t in page["data"]] == ["release", "hold"] and page["has_more"]
    rest = pair.both("GET", WALLET + "/transactions",
                     params={"limit": 100, "starting_after": page["next_cursor"]})
    assert pair.last_served == 1
    assert len(rest.json()["data"]) >= 4 and not rest.json()["has_more"]


def test_a_capture_or_release_without_a_body_is_served(pair: Pair) -> None:
    hold_id = pair.hot.post("/v1/holds", json={"customer_id": "cus-1", "program": "main",
                                               "amount": 100}).json()["id"]
    before = pair.served.served
    response = pair.hot.post(f"/v1/holds/{hold_id}/capture")
    assert response.status_code == 200 and response.json()["captured_amount"] == 100
    assert pair.served.served == before + 1


REFUSALS: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", WALLET + "/debits", {"json": {"amount": 10**6}}),  # 402
    ("POST", "/v1/customers/nobody/wallets/main/debits", {"json": {"amount": 1}}),  # 404
    ("POST", "/v1/customers/cus-1/wallets/nope/debits", {"json": {"amount": 1}}),  # 404
    ("POST", "/v1/holds", {"json": {"customer_id": "cus-1", "program": "main",
                                    "amount": 10**6}}),  # 402
    ("POST", "/v1/holds/hold_nothing/capture", {}),  # 404
    ("POST", "/v1/holds/hold_nothing/release", {}),  # 404
    ("GET", "/v1/customers/nobody/wallets/main", {}),  # 404
    ("GET", "/v1/customers/nobody/wallets/main/transactions", {}),  # 404
    ("GET", WALLET + "/transactions", {"params": {"starting_after": "999999"}}),  # empty
]
DELEGATED: list[tuple[str, str, dict[str, Any]]] = [
    *[("POST", WALLET + "/debits", {"json": {"amount": amount}})
      for amount in (0, -5, 1.5, 100.0, "100", True, None, 10**15 + 1, [1])],
    ("POST", WALLET + "/debits", {"json": {"amount": 1, "unexpected": 1}}),
    ("POST", WALLET + "/debits", {"json": {"amount": 1, "metadata": {"k": 1.5}}}),
    ("POST", WALLET + "/debits", {"content": b'{"amount": 1', "headers": {
        "Content-Type": "application/json"}}),
    ("POST", WALLET + "/debits", {"content": b'{"amount": 1}', "headers": {
        "Content-Type": "text/plain"}}),
    ("POST", WALLET + "/debits", {"content": b"[]"}),
    ("POST", WALLET + "/debits", {}),
    ("POST", WALLET + "/credits", {"json": {"amount": 5}}),
    ("POST", WALLET + "/credits", {"json": {"amount": 5, "funding_type": "gift"}}),
    ("POST", WALLET + "/debits", {"json": {"amount": 1}, "headers": {
        "Idempotency-Key": "k" * 256}}),
    ("POST", WALLET + "/debits", {"json": {"amount": 1}, "headers": {
        "Idempotency-Key": "caf\u00e9".encode()}}),
    ("POST", "/v1/customers/bad%20id/wallets/main/debits", {"json": {"amount": 1}}),
    ("POST", "/v1/holds/not a hold/capture", {}),
    ("POST", "/v1/holds/hold_x/capture", {"json": {"amount": "all"}}),
    ("POST", "/v1/holds", {"json": {"customer_id": "cus-1", "amount": 5}}),
    ("GET", "/v1/customers/cus-1/wallets/" + "p" * 200, {}),
    *[("GET", WALLET + "/transactions", {"params": params}) for params in (
        {"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"limit": "1.5"},
        {"starting_after": ""}, {"starting_after": "x" * 65}, {"starting_after": "a b"},
        [("limit", "1"), ("limit", "2")])],
    ("POST", WALLET + "/debits", {"json": {"amount": 1}, "headers": {
        "Authorization": "Bearer bf_sk_wrong"}}),
    ("POST", WALLET + "/debits", {"json": {"amount": 1}, "headers": {"Authorization": ""}}),
    ("POST", WALLET + "/debits", {"json": {"amount": 1}, "headers": {
        "Authorization": "Basic abc"}}),
    ("DELETE", WALLET + "/debits", {}),
    ("PUT", "/v1/holds", {"json": {}}),
]


CASES = [(*case, True) for case in REFUSALS] + [(*case, False) for case in DELEGATED]


@pytest.mark.parametrize(("method", "path", "kwargs", "served"), CASES)
def test_the_hot_path_answers_what_it_is_sure_of_as_fastapi_does_and_moves_nothing(
        pair: Pair, bf: Billfold, method: str, path: str, kwargs: dict[str, Any],
        served: bool) -> None:
    """A refusal or a read it can take whole, the hot path answers; what FastAPI would
    refuse goes on to FastAPI. Either way the same answer, and nothing moved."""
    before = snapshot(bf)
    response = pair.both(method, path, **kwargs)
    assert pair.last_served == int(served)
    assert response.status_code in (200, 400, 401, 402, 404, 405)  # 200: a read
    if response.status_code != 200:
        assert set(response.json()["error"]) == {"type", "code", "message", "param"}
    assert snapshot(bf) == before


def test_a_key_not_seen_lately_is_read_by_fastapi_then_served(bf: Billfold, pair: Pair) -> None:
    store = bf.create_store("Other", currency="SAR")
    secret = bf.create_api_key(store.id).secret
    headers = {"Authorization": f"Bearer {secret}"}
    first = pair.hot.get("/v1/customers/nobody/wallets/main", headers=headers)
    assert first.status_code == 404
    before = pair.served.served
    second = pair.hot.get("/v1/customers/nobody/wallets/main", headers=headers)
    assert second.content == first.content
    assert pair.served.served == before + 1
