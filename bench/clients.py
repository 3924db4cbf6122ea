"""The two ways a shop calls billfold: the library in-process, and the REST API."""

from __future__ import annotations

from typing import Any

from billfold.app import Billfold, StoreWallets

PROGRAM = "main"
CREDIT_FUNDING_TYPE = "cashback"
CREDIT_EXPIRES_IN = "30d"
HTTP_TIMEOUT_SECONDS = 30.0


class LibraryClient:
    """Calls `StoreWallets` directly; every mutation carries an idempotency key."""

    def __init__(self, billfold: Billfold, store_id: str, *, owns_billfold: bool = False):
        self._bf = billfold
        self._shop = StoreWallets(billfold, store_id)
        self._owns = owns_billfold

    def credit(self, customer_id: str, amount: int, key: str) -> None:
        self._shop.credit(customer_id, PROGRAM, amount, funding_type=CREDIT_FUNDING_TYPE,
                          expires_in=CREDIT_EXPIRES_IN, idempotency_key=key)

    def debit(self, customer_id: str, amount: int, key: str) -> None:
        self._shop.debit(customer_id, PROGRAM, amount, idempotency_key=key)

    def hold_capture(self, customer_id: str, amount: int, key: str) -> None:
        hold = self._shop.hold(customer_id, PROGRAM, amount, idempotency_key=key)
        self._shop.capture(hold.id, idempotency_key=f"{key}-capture")

    def balance(self, customer_id: str) -> None:
        self._shop.balance(customer_id, PROGRAM)

    def history(self, customer_id: str) -> None:
        self._shop.history(customer_id, PROGRAM, limit=20)

    def close(self) -> None:
        if self._owns:
            self._bf.close()


class HttpError(Exception):
    pass


class HttpClient:
    """Calls the REST API of API.md over one keep-alive connection."""

    def __init__(self, base_url: str, api_key: str):
        import httpx

        self._http = httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_SECONDS,
                                  headers={"Authorization": f"Bearer {api_key}"})

    def _check(self, response: Any) -> Any:
        if response.status_code >= 300:
            raise HttpError(f"{response.request.method} {response.request.url.path} -> "
                            f"{response.status_code} {response.text[:200]}")
        return response.json()

    def _wallet(self, customer_id: str) -> str:
        return f"/v1/customers/{customer_id}/wallets/{PROGRAM}"

    def credit(self, customer_id: str, amount: int, key: str) -> None:
        self._check(self._http.post(
            f"{self._wallet(customer_id)}/credits", headers={"Idempotency-Key": key},
            json={"amount": amount, "funding_type": CREDIT_FUNDING_TYPE,
                  "expires_in": CREDIT_EXPIRES_IN}))

    def debit(self, customer_id: str, amount: int, key: str) -> None:
        self._check(self._http.post(f"{self._wallet(customer_id)}/debits",
                                    headers={"Idempotency-Key": key}, json={"amount": amount}))

    def hold_capture(self, customer_id: str, amount: int, key: str) -> None:
        hold = self._check(self._http.post(
            "/v1/holds", headers={"Idempotency-Key": key},
            json={"customer_id": customer_id, "program": PROGRAM, "amount": amount}))
        self._check(self._http.post(f"/v1/holds/{hold['id']}/capture",
                                    headers={"Idempotency-Key": f"{key}-capture"}, json={}))

    def balance(self, customer_id: str) -> None:
        self._check(self._http.get(self._wallet(customer_id)))

    def history(self, customer_id: str) -> None:
        self._check(self._http.get(f"{self._wallet(customer_id)}/transactions",
                                   params={"limit": 20}))

    def close(self) -> None:
        self._http.close()
