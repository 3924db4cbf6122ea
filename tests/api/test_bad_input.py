"""Bad input on every endpoint: a 400 in the contract's shape naming the parameter,
and nothing in the ledger moves."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from billfold.app import Billfold
from billfold.client import Client
from tests.helpers import snapshot

WALLET = "/v1/customers/cus-1/wallets/main"
AMOUNTS = ["100", 100.5, 100.0, True, 0, -5, 10**15 + 1, None, [100], {"v": 100}]
_MISSING = object()


@pytest.fixture
def ready(api: Client) -> dict[str, str]:
    """A funded customer, one open hold and one credit to aim bad requests at."""
    credit = api.wallets.credit("cus-1", "main", 5000, funding_type="cash")
    hold = api.holds.create("cus-1", "main", 1000)
    return {"txn": credit.id, "hold": hold.id}


def refused(api: Client, method: str, path: str, *, param: str | None,
            body: Any = _MISSING, raw: bytes | None = None, code: str | None = None,
            content_type: str = "application/json") -> None:
    """Send it; assert a 400 with the contract's body naming `param`."""
    headers = {"Authorization": api._headers["Authorization"]}
    if raw is not None:
        headers["Content-Type"] = content_type
        response = httpx.request(method, api.base_url + path, content=raw, headers=headers)
    elif body is _MISSING:
        response = httpx.request(method, api.base_url + path, headers=headers)
    else:
        response = httpx.request(method, api.base_url + path, json=body, headers=headers)
    assert response.status_code == 400, (path, body, raw, response.text)
    error = response.json()["error"]
    assert set(error) == {"type", "code", "message", "param"}
    assert error["type"] == "invalid_request"
    assert error["param"] == param, (body, error)
    assert error["message"]
    if code is not None:
        assert error["code"] == code, error


def bad_bodies_common(amount_body: dict[str, Any]) -> list[tuple[Any, str | None]]:
    """Bodies every POST with an amount refuses: (body, param)."""
    cases: list[tuple[Any, str | None]] = [
        ({**amount_body, "amount": value}, "amount") for value in AMOUNTS]
    cases += [
        ({**amount_body, "unexpected": 1}, "unexpected"),
        ({**amount_body, "metadata": "x"}, "metadata"),
        ({**amount_body, "metadata": {"k": 1.5}}, "metadata"),
        ({**amount_body, "metadata": {"k": {"nested": 1}}}, "metadata"),
        ({**amount_body, "metadata": {f"k{n}": n for n in range(51)}}, "metadata"),
        ({**amount_body, "metadata": {"k": "a\u0000b"}}, "metadata"),
        ([amount_body], None),
        ("amount", None),
    ]
    return cases


def test_credit_refuses_bad_input(api: Client, ready: dict[str, str], bf: Billfold) -> None:
    good = {"amount": 100, "funding_type": "cash"}
    before = snapshot(bf)
    cases = bad_bodies_common(good) + [
        ({"amount": 100}, "funding_type"),
        ({**good, "funding_type": "gift"}, "funding_type"),
    ] + [
        ({**good, "expires_in": value}, "expires_in")
        for value in ("5 minutes", 0, -1, True, 1.5, "0m", "")
    ] + [
        ({**good, "expires_at": value}, "expires_at")
        for value in ("tomorrow", "2030-01-01T00:00:00", 1900000000, "2020-01-01T00:00:00Z",
                      "9999-12-31T23:59:59-14:00")
    ] + [
        ({**good, "expires_in": "1d", "expires_at": "2030-01-01T00:00:00Z"}, "expires_in"),
        ({**good, "description": "a\u0000b"}, "description"),
        ({**good, "description": "x" * 1001}, "description"),
        ({**good, "reference": "r" * 201}, "reference"),
        ({**good, "withdrawable": "yes"}, "withdrawable"),
    ]
    for body, param in cases:
        code = "invalid_amount" if param == "amount" else None
        refused(api, "POST", WALLET + "/credits", body=body, param=param, code=code)
    refused(api, "POST", WALLET + "/credits", raw=b'{"amount": 100,', param=None,
            code="invalid_json")
    refused(api, "POST", WALLET + "/credits", raw=b"amount=100&funding_type=cash",
            content_type="application/x-www-form-urlencoded", param=None, code="invalid_json")
    refused(api, "POST", WALLET + "/credits", param=None)
    refused(api, "POST", "/v1/customers/cus%201/wallets/main/credits", body=good,
            param="customer_id")
    refused(api, "POST", "/v1/customers/cus-1/wallets/bad-name/credits", body=good,
            param="program")
    assert snapshot(bf) == before


def test_debit_refuses_bad_input(api: Client, ready: dict[str, str], bf: Billfold) -> None:
    before = snapshot(bf)
    for body, param in [*bad_bodies_common({"amount": 100}), ({}, "amount")]:
        refused(api, "POST", WALLET + "/debits", body=body, param=param)
    refused(api, "POST", WALLET + "/debits", raw=b"{nope", param=None, code="invalid_json")
    assert snapshot(bf) == before
    assert api.wallets.get("cus-1").available == 4000


def test_create_customer_refuses_bad_input(api: Client, ready: dict[str, str],
                                           bf: Billfold) -> None:
    before = snapshot(bf)
    for body, param in [({}, "id"), ({"id": ""}, "id"), ({"id": "a/b"}, "id"),
                        ({"id": "a b"}, "id"), ({"id": "x" * 201}, "id"), ({"id": 42}, "id"),
                        ({"id": "c2", "email": "not-an-email"}, "email"),
                        ({"id": "c2", "name": ""}, "name"),
                        ({"id": "c2", "metadata": []}, "metadata"),
                        ({"id": "c2", "nickname": "x"}, "nickname")]:
        refused(api, "POST", "/v1/customers", body=body, param=param)
    assert snapshot(bf) == before
    assert api.request("GET", "/v1/customers/c2").status_code == 404


def test_reverse_refuses_bad_input(api: Client, ready: dict[str, str], bf: Billfold) -> None:
    before = snapshot(bf)
    path = f"/v1/transactions/{ready['txn']}/reverse"
    for value in ("1", 0, 1.0, True, -1, 10**15 + 1):
        refused(api, "POST", path, body={"amount": value, "description": "x"}, param="amount")
    refused(api, "POST", path, body={"description": 5}, param="description")
    refused(api, "POST", path, body={"description": "x", "why": "y"}, param="why")
    refused(api, "POST", "/v1/transactions/bad id!/reverse", body={}, param="transaction_id")
    assert snapshot(bf) == before


def test_hold_refuses_bad_input(api: Client, ready: dict[str, str], bf: Billfold) -> None:
    good = {"customer_id": "cus-1", "program": "main", "amount": 100}
    before = snapshot(bf)
    cases = [
        *bad_bodies_common(good),
        ({"program": "main", "amount": 100}, "customer_id"),
        ({"customer_id": "cus-1", "amount": 100}, "program"),
        ({**good, "program": "no such"}, "program"),
        ({**good, "expires_in": "32d"}, "expires_in"),
        ({**good, "expires_in": "soon"}, "expires_in"),
        ({**good, "reference": 7}, "reference"),
    ]
    for body, param in cases:
        refused(api, "POST", "/v1/holds", body=body, param=param)
    assert snapshot(bf) == before


def test_capture_and_release_refuse_bad_input(api: Client, ready: dict[str, str],
                                              bf: Billfold) -> None:
    before = snapshot(bf)
    capture = f"/v1/holds/{ready['hold']}/capture"
    for value in ("1", 0, 1.5, True, -1, 10**15 + 1):
        refused(api, "POST", capture, body={"amount": value}, param="amount")
    refused(api, "POST", capture, body={"amount": 1001}, param="amount",
            code="amount_exceeds_hold")
    refused(api, "POST", capture, body={"amount": 1, "tip": 2}, param="tip")
    refused(api, "POST", capture, raw=b"[", param=None, code="invalid_json")
    refused(api, "POST", f"/v1/holds/{ready['hold']}/release", body={"x": 1}, param="x")
    refused(api, "POST", f"/v1/holds/{ready['hold']}/release", body=[1], param=None)
    assert snapshot(bf) == before
    assert api.holds.get(ready["hold"]).status == "held"


def test_lists_refuse_bad_parameters(api: Client, ready: dict[str, str]) -> None:
    for path in (WALLET + "/transactions", WALLET + "/lots"):
        for query, param in (("limit=0", "limit"), ("limit=101", "limit"),
                             ("limit=abc", "limit"), ("limit=1.5", "limit"),
                             ("starting_after=no%20such", "starting_after")):
            refused(api, "GET", f"{path}?{query}", param=param)
    refused(api, "GET", WALLET + "/lots?status=nope", param="status")
    refused(api, "GET", WALLET + "/transactions?starting_after=abc", param="starting_after")
    refused(api, "GET", "/v1/customers/cus-1/wallets/bad-program", param="program")


def test_unknown_paths_and_methods_answer_in_the_contract_shape(api: Client,
                                                               ready: dict[str, str]) -> None:
    response = api.request("GET", "/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found"
    response = api.request("DELETE", "/v1/holds")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_bad_idempotency_key_is_refused(api: Client, ready: dict[str, str],
                                          bf: Billfold) -> None:
    before = snapshot(bf, with_idempotency=True)
    response = api.request("POST", WALLET + "/debits", json={"amount": 1},
                           idempotency_key="x" * 256)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "Idempotency-Key"
    assert snapshot(bf, with_idempotency=True) == before
