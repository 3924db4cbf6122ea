"""The two ways a shop calls billfold: the library in-process, and the REST API."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from typing import Any

from billfold.app import Billfold, Shop

PROGRAM = "main"
CREDIT_FUNDING_TYPE = "cashback"
CREDIT_EXPIRES_IN = "30d"
HTTP_TIMEOUT_SECONDS = 30.0


class LibraryClient:
    """Calls `Shop` directly; every mutation carries an idempotency key."""

    def __init__(self, billfold: Billfold, store_id: str, *, owns_billfold: bool = False):
        self._bf = billfold
        self._shop = Shop(billfold, store_id)
        self._owns = owns_billfold

    def credit(self, customer_id: str, amount: int, key: str) -> None:
        self._shop.wallets.credit(customer_id, PROGRAM, amount, funding_type=CREDIT_FUNDING_TYPE,
                                  expires_in=CREDIT_EXPIRES_IN, idempotency_key=key)

    def debit(self, customer_id: str, amount: int, key: str) -> None:
        self._shop.wallets.debit(customer_id, PROGRAM, amount, idempotency_key=key)

    def hold_capture(self, customer_id: str, amount: int, key: str) -> None:
        hold = self._shop.holds.create(customer_id, PROGRAM, amount, idempotency_key=key)
        self._shop.holds.capture(hold.id, idempotency_key=f"{key}-capture")

    def balance(self, customer_id: str) -> None:
        self._shop.wallets.get(customer_id, PROGRAM)

    def history(self, customer_id: str) -> None:
        self._shop.wallets.list_transactions(customer_id, PROGRAM, limit=20)

    def close(self) -> None:
        if self._owns:
            self._bf.close()


class HttpError(Exception):
    pass


class HttpClient:
    """Calls the REST API of API.md over one keep-alive connection.

    Plain `http.client`, not httpx: the load generator shares the machine with the
    server, and a lighter client leaves more of it to what is being measured.
    """

    def __init__(self, base_url: str, api_key: str):
        parsed = urllib.parse.urlsplit(base_url)
        self._address = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self._auth = f"Bearer {api_key}"
        self._connection: http.client.HTTPConnection | None = None

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None,
                 key: str | None = None) -> Any:
        headers = {"Authorization": self._auth}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if key is not None:
            headers["Idempotency-Key"] = key
        for attempt in range(2):  # a kept-alive connection the server closed: reconnect once
            if self._connection is None:
                self._connection = http.client.HTTPConnection(
                    *self._address, timeout=HTTP_TIMEOUT_SECONDS)
            try:
                self._connection.request(method, path, payload, headers)
                response = self._connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self._connection.close()
                self._connection = None
                if attempt == 1:
                    raise
        if response.status >= 300:
            raise HttpError(f"{method} {path} -> {response.status} {data[:200]!r}")
        return json.loads(data)

    def _wallet(self, customer_id: str) -> str:
        return f"/v1/customers/{customer_id}/wallets/{PROGRAM}"

    def credit(self, customer_id: str, amount: int, key: str) -> None:
        self._request("POST", f"{self._wallet(customer_id)}/credits",
                      {"amount": amount, "funding_type": CREDIT_FUNDING_TYPE,
                       "expires_in": CREDIT_EXPIRES_IN}, key)

    def debit(self, customer_id: str, amount: int, key: str) -> None:
        self._request("POST", f"{self._wallet(customer_id)}/debits", {"amount": amount}, key)

    def hold_capture(self, customer_id: str, amount: int, key: str) -> None:
        hold = self._request("POST", "/v1/holds", {
            "customer_id": customer_id, "program": PROGRAM, "amount": amount}, key)
        self._request("POST", f"/v1/holds/{hold['id']}/capture", {}, f"{key}-capture")

    def balance(self, customer_id: str) -> None:
        self._request("GET", self._wallet(customer_id))

    def history(self, customer_id: str) -> None:
        self._request("GET", f"{self._wallet(customer_id)}/transactions?limit=20")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
