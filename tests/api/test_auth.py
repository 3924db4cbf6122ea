"""Bearer secret keys: missing, wrong or revoked → 401 in the contract's shape."""

from __future__ import annotations

import time

import httpx
import pytest

from billfold.app import Billfold
from billfold.client import Client
from billfold.errors import AuthenticationFailed
from billfold.ledger.stores import revoke_api_key
from tests.api.conftest import ServerThread, Tenant
from tests.helpers import snapshot

PATHS = [
    ("GET", "/v1/customers/cus-1"),
    ("POST", "/v1/customers"),
    ("GET", "/v1/customers/cus-1/wallets/main"),
    ("POST", "/v1/customers/cus-1/wallets/main/credits"),
    ("POST", "/v1/customers/cus-1/wallets/main/debits"),
    ("GET", "/v1/customers/cus-1/wallets/main/transactions"),
    ("GET", "/v1/customers/cus-1/wallets/main/lots"),
    ("GET", "/v1/transactions/txn_1"),
    ("POST", "/v1/transactions/txn_1/reverse"),
    ("POST", "/v1/holds"),
    ("GET", "/v1/holds/hold_1"),
    ("POST", "/v1/holds/hold_1/capture"),
    ("POST", "/v1/holds/hold_1/release"),
]
CREDIT = {"amount": 100, "funding_type": "cash"}


@pytest.mark.parametrize("authorization", [None, "Bearer bf_sk_nope_nope", "Basic abc",
                                           "Bearer bf_sk_", "bf_sk_x"])
def test_every_path_refuses_a_missing_or_wrong_key(server: ServerThread, tenant: Tenant,
                                                   bf: Billfold,
                                                   authorization: str | None) -> None:
    tenant.client.wallets.credit("cus-1", "main", 100, funding_type="cash")
    before = snapshot(bf)
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path in PATHS:
        response = httpx.request(method, server.base_url + path, headers=headers, json=CREDIT)
        assert response.status_code == 401, (method, path)
        error = response.json()["error"]
        assert error["type"] == "authentication"
        assert error["code"] in ("missing_api_key", "invalid_api_key")
        assert set(error) == {"type", "code", "message", "param"}
    assert snapshot(bf) == before


def test_a_key_of_a_store_is_refused_once_revoked(server: ServerThread, bf: Billfold) -> None:
    store = bf.create_store("Shop", currency="SAR")
    key = bf.create_api_key(store.id)
    with Client(key.secret, server.base_url) as api:
        api.customers.create("cus-1")
        bf.revoke_api_key(store.id, key.id)
        with pytest.raises(AuthenticationFailed) as refused:
            api.customers.get("cus-1")
    assert refused.value.code == "invalid_api_key"


def test_a_key_revoked_by_another_process_is_refused_once_remembered_time_ends(
        server: ServerThread, bf: Billfold) -> None:
    store = bf.create_store("Shop", currency="SAR")
    key = bf.create_api_key(store.id)
    bf.auth_cache_seconds = 0.3
    with Client(key.secret, server.base_url) as api:
        api.customers.create("cus-1")  # the server now remembers the key
        bf.run(lambda c: revoke_api_key(c, store_id=store.id, key_id=key.id,
                                        now=bf.clock.now()))  # as `billfold keys revoke` would
        assert api.customers.get("cus-1").id == "cus-1"  # still remembered
        time.sleep(0.35)
        with pytest.raises(AuthenticationFailed) as refused:
            api.customers.get("cus-1")
    assert refused.value.code == "invalid_api_key"


def test_another_stores_key_with_a_forged_store_part_is_refused(server: ServerThread,
                                                                bf: Billfold) -> None:
    mine = bf.create_store("Mine", currency="SAR")
    theirs = bf.create_store("Theirs", currency="SAR")
    secret = bf.create_api_key(mine.id).secret
    random_part = secret.rsplit("_", 1)[1]
    forged = f"bf_sk_{theirs.id.removeprefix('sto_')}_{random_part}"
    response = httpx.get(server.base_url + "/v1/customers/cus-1",
                         headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
