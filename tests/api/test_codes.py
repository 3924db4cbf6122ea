"""Wallet codes over HTTP, on both databases: batches, redemption, the one refusal for
every code that cannot be redeemed, and the wrong-code throttle — across a restart and
across two server processes sharing one PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from billfold.api.main import create_app
from billfold.app import Billfold
from billfold.client import Client
from billfold.clock import FrozenClock
from billfold.errors import RateLimited
from billfold.funding import codes, throttle
from billfold.store.tables import idempotency_keys, redeem_throttles, wallet_codes
from tests.api.conftest import ServerThread, Tenant
from tests.api.test_service import billfold as billfold_process
from tests.api.test_service import free_port, stop, wait_healthy
from tests.helpers import assert_books_balance, race_calls, snapshot

CODES, REDEEM = "/v1/wallet_codes", "/v1/wallet_codes/redeem"
INVALID = {"type": "invalid_request", "code": "invalid_wallet_code",
           "message": "This code cannot be redeemed.", "param": "code"}
CODE_FORM = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def _make(api: Client, **fields: Any) -> dict[str, Any]:
    response = api.request("POST", CODES, json={"amount": 500, "program": "main", **fields})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _redeem(api: Client, code: str, customer_id: str) -> httpx.Response:
    return api.request("POST", REDEEM, json={"code": code, "customer_id": customer_id})


def _refused(bf: Billfold, send: Callable[[], httpx.Response], status: int,
             error: dict[str, Any]) -> httpx.Response:
    before = snapshot(bf)
    response = send()
    assert response.status_code == status, response.text
    assert response.json() == {"error": error}
    assert snapshot(bf) == before
    return response


def test_a_batch_shows_its_codes_once_and_keeps_only_their_hashes(api: Client,
                                                                  bf: Billfold) -> None:
    made = api.request("POST", CODES, idempotency_key="batch-1", json={
        "amount": 2500, "program": "main", "count": 3, "max_redemptions": 2,
        "expires_at": "2026-06-01T00:00:00Z", "credit_expires_in": "30d"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["id"].startswith("code_") and len(body["codes"]) == 3
    assert len(set(body["codes"])) == 3 and all(CODE_FORM.match(c) for c in body["codes"])
    assert (body["amount"], body["count"], body["max_redemptions"], body["redeemed"],
            body["status"], body["funding_type"], body["withdrawable"],
            body["credit_expires_in"]) == (2500, 3, 2, 0, "active", "code_redemption", False,
                                           30 * 86400)
    got = api.request("GET", f"{CODES}/{body['id']}").json()
    assert "codes" not in got and got["count"] == 3
    replay = api.request("POST", CODES, idempotency_key="batch-1", json={
        "amount": 2500, "program": "main", "count": 3, "max_redemptions": 2,
        "expires_at": "2026-06-01T00:00:00Z", "credit_expires_in": "30d"})
    assert replay.status_code == 201 and replay.json()["id"] == body["id"]
    assert replay.json()["codes"] == []  # shown once: a replay cannot show them again
    with bf.begin(read_only=True) as conn:
        stored = [str(v) for row in conn.execute(select(wallet_codes)).all() for v in row]
        stored += [str(v) for row in conn.execute(select(idempotency_keys)).all() for v in row]
    plain = {c.replace("-", "") for c in body["codes"]} | set(body["codes"])
    assert not any(p in value for p in plain for value in stored)
    assert {codes.code_digest(c.replace("-", "")) for c in body["codes"]} <= set(stored)


def test_a_batch_as_csv(tenant: Tenant, server: ServerThread) -> None:
    response = httpx.post(server.base_url + CODES,
                          json={"amount": 100, "program": "main", "count": 2},
                          headers={"Accept": "text/csv",
                                   "Authorization": f"Bearer {tenant.api_key}"})
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2 and all(CODE_FORM.match(row["code"]) for row in rows)
    assert {row["amount"] for row in rows} == {"100"}


@pytest.mark.parametrize("fields", [
    {"count": 0}, {"count": 10_001}, {"amount": 0}, {"amount": 1.5}, {"amount": "5"},
    {"max_redemptions": 0}, {"funding_type": "gold"}, {"expires_at": "2020-01-01T00:00:00Z"},
    {"credit_expires_in": "soon"}, {"program": "nope"}])
def test_bad_batches_are_refused_and_make_nothing(api: Client, bf: Billfold,
                                                  fields: dict[str, Any]) -> None:
    before = snapshot(bf)
    response = api.request("POST", CODES, json={"amount": 500, "program": "main", **fields})
    assert response.status_code in (400, 404), response.text
    assert response.json()["error"]["type"] in ("invalid_request", "not_found")
    assert snapshot(bf) == before


def test_redeem_once_per_customer_and_one_answer_for_every_dead_code(
        api: Client, bf: Billfold, clock: FrozenClock) -> None:
    batch = _make(api, count=2, max_redemptions=2, credit_expires_in="7d")
    code, other = batch["codes"]
    loose = f"  {code.lower().replace('-', ' ')} "
    first = _redeem(api, loose, "ann")
    assert first.status_code == 201, first.text
    txn = first.json()
    assert (txn["type"], txn["amount"], txn["funding_type"], txn["customer_id"]) == (
        "credit", 500, "code_redemption", "ann")
    lot = api.wallets.list_lots("ann").data[0]
    assert lot.expires_at is not None and (lot.expires_at - clock.now()).days == 7
    _refused(bf, lambda: _redeem(api, code, "ann"), 409, {
        "type": "conflict", "code": "code_already_redeemed",
        "message": "This customer has already redeemed this code.", "param": "code"})
    assert _redeem(api, code, "bob").status_code == 201
    _refused(bf, lambda: _redeem(api, code, "cat"), 400, INVALID)  # used up
    _refused(bf, lambda: _redeem(api, codes.new_code(), "cat"), 400, INVALID)  # unknown
    _refused(bf, lambda: _redeem(api, "not a code", "cat"), 400, INVALID)
    disabled = api.request("POST", f"{CODES}/{batch['id']}/disable")
    assert disabled.status_code == 200 and disabled.json()["status"] == "disabled"
    _refused(bf, lambda: _redeem(api, other, "cat"), 400, INVALID)  # disabled
    expiring = _make(api, expires_at="2026-01-01T00:01:00Z")
    clock.advance(120)
    _refused(bf, lambda: _redeem(api, expiring["codes"][0], "cat"), 400, INVALID)  # expired
    assert api.request("GET", f"{CODES}/{batch['id']}").json()["redeemed"] == 2
    assert api.wallets.get("ann").available == api.wallets.get("bob").available == 500
    events = api.events.list(type="code.redeemed").data
    assert [e.data["customer_id"] for e in events] == ["bob", "ann"]
    assert_books_balance(bf)


def test_codes_of_another_store_are_not_found_nor_redeemable(
        api: Client, tenant_factory: Callable[[], Tenant], bf: Billfold) -> None:
    batch = _make(api)
    other = tenant_factory().client
    assert other.request("GET", f"{CODES}/{batch['id']}").json()["error"]["code"] == (
        "wallet_code_not_found")
    assert other.request("POST", f"{CODES}/{batch['id']}/disable").status_code == 404
    _refused(bf, lambda: _redeem(other, batch["codes"][0], "ann"), 400, INVALID)
    assert _redeem(api, batch["codes"][0], "ann").status_code == 201


def _guess(api: Client, customer_id: str, times: int) -> list[int]:
    return [_redeem(api, codes.new_code(), customer_id).status_code for _ in range(times)]


def test_thirty_wrong_guesses_are_throttled_and_refused_tries_move_nothing(
        api: Client, bf: Billfold, clock: FrozenClock) -> None:
    good = _make(api)["codes"][0]
    statuses = _guess(api, "mallory", 30)
    assert statuses == [400] * 10 + [429] * 20
    refused = _refused(bf, lambda: _redeem(api, good, "mallory"), 429, {
        "type": "rate_limited", "code": "too_many_code_attempts",
        "message": "Too many wrong codes; try again in 600 seconds.", "param": "code"})
    assert refused.headers["Retry-After"] == "600"
    assert _redeem(api, good, "alice").status_code == 201  # another customer is not held
    clock.advance(300)
    assert _redeem(api, codes.new_code(), "mallory").headers["Retry-After"] == "300"
    clock.advance(300)
    assert _redeem(api, good, "mallory").status_code == 400  # used up; tries again


def test_the_store_key_is_throttled_after_a_hundred_wrong_codes(api: Client) -> None:
    for customer in range(10):
        assert _guess(api, f"guesser-{customer}", 10) == [400] * 10
    response = _redeem(api, codes.new_code(), "someone-new")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    with pytest.raises(RateLimited) as caught:
        api.codes.redeem(codes.new_code(), "someone-else")
    assert caught.value.retry_after_seconds == 600


def test_the_throttle_survives_a_restart(bf: Billfold, database_url: str, clock: FrozenClock,
                                         tenant: Tenant) -> None:
    assert _guess(tenant.client, "mallory", 10) == [400] * 10
    again = Billfold(database_url, clock=clock)
    restarted = ServerThread(create_app(again)).start()
    try:
        with Client(tenant.api_key, restarted.base_url, max_retries=0) as client:
            assert _redeem(client, codes.new_code(), "mallory").status_code == 429
    finally:
        restarted.stop()
        again.close()


def test_two_server_processes_share_one_throttle(bf: Billfold, database_url: str,
                                                 tmp_path: Path) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several server processes share PostgreSQL (SQLite is one process's)")
    store = bf.create_store("Shared", currency="SAR")
    key = bf.create_api_key(store.id).secret
    ports = [free_port(), free_port()]
    processes = [billfold_process("serve", "--port", str(port), cwd=tmp_path,
                                  env={"BILLFOLD_DATABASE_URL": database_url,
                                       "BILLFOLD_WORKER": "external"}) for port in ports]
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_healthy(f"http://127.0.0.1:{port}", process)
        first, second = (Client(key, f"http://127.0.0.1:{port}", max_retries=0)
                         for port in ports)
        assert _guess(first, "mallory", 5) + _guess(second, "mallory", 5) == [400] * 10
        assert _redeem(first, codes.new_code(), "mallory").status_code == 429
        assert _redeem(second, codes.new_code(), "mallory").status_code == 429
        first.close()
        second.close()
    finally:
        for process in processes:
            stop(process)
    with bf.begin(read_only=True) as conn:
        counted = conn.execute(select(redeem_throttles.c.failures).where(
            redeem_throttles.c.subject == "mallory")).scalar_one()
    assert counted == throttle.MAX_MISSES_PER_CUSTOMER


def test_the_last_use_of_a_code_goes_to_exactly_one_of_twenty(api: Client, bf: Billfold,
                                                              tenant: Tenant) -> None:
    batch = _make(api, max_redemptions=5)
    code = batch["codes"][0]
    for customer in range(4):
        assert _redeem(api, code, f"early-{customer}").status_code == 201
    shop = bf.store(tenant.store_id)
    outcomes = race_calls([lambda i=i: shop.codes.redeem(code, f"late-{i}")
                           for i in range(20)])
    assert outcomes == {"ok": 1, "invalid_wallet_code": 19}
    assert api.codes.get(batch["id"]).redeemed == 5
    assert_books_balance(bf)
