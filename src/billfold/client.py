"""billfold's Python SDK: a typed client over httpx, sync (`Client`) and async
(`AsyncClient`), for every endpoint of the REST API.

    from billfold.client import Client

    with Client("bf_sk_…", base_url="http://127.0.0.1:8000") as bf:
        bf.credit("cus-42", "main", 5000, funding_type="cash", expires_in="90d")
        hold = bf.create_hold("cus-42", "main", 2000)
        bf.capture_hold(hold.id, amount=1500)
        print(bf.get_wallet("cus-42").available)        # 3500

Every POST carries an Idempotency-Key — yours, or one generated per call — and
the same key is reused when the call is retried (connection failures,
timeouts, 429 and 5xx; `max_retries` times with exponential backoff), so a
retry never moves money twice. Refusals raise the typed errors of
`billfold.errors` (`InsufficientFunds`, `NotFound`, `InvalidRequest`, …) with
the contract's `code`, `message` and `param`, plus `http_status` and
`request_id`.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx

from billfold.errors import BillfoldError

__all__ = [
    "AsyncClient",
    "Client",
    "Customer",
    "Hold",
    "Lot",
    "LotEntry",
    "NextExpiry",
    "Page",
    "Transaction",
    "Wallet",
]

T = TypeVar("T")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_RETRIES = 2
MAX_RETRIES_LIMIT = 10
BACKOFF_BASE_SECONDS = 0.25
BACKOFF_MAX_SECONDS = 8.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


# -- values ---------------------------------------------------------------------------


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class NextExpiry:
    amount: int
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Wallet:
    id: str | None
    customer_id: str
    program: str
    unit: str
    available: int
    held: int
    pending: int
    total: int
    by_funding_type: dict[str, int]
    next_expiry: NextExpiry | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Wallet:
        expiry = data["next_expiry"]
        return cls(data["id"], data["customer_id"], data["program"], data["unit"],
                   data["available"], data["held"], data["pending"], data["total"],
                   dict(data["by_funding_type"]),
                   None if expiry is None else NextExpiry(expiry["amount"],
                                                          _time(expiry["expires_at"])))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    email: str | None
    name: str | None
    metadata: dict[str, Any]
    created_at: datetime
    wallets: tuple[Wallet, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Customer:
        return cls(data["id"], data["email"], data["name"], dict(data["metadata"]),
                   _time(data["created_at"]),  # type: ignore[arg-type]
                   tuple(Wallet.from_json(w) for w in data.get("wallets", ())))


@dataclass(frozen=True, slots=True)
class LotEntry:
    lot_id: str
    funding_type: str
    amount: int
    held: int


@dataclass(frozen=True, slots=True)
class Transaction:
    id: str
    wallet_id: str | None
    customer_id: str | None
    program: str | None
    unit: str
    type: str
    amount: int
    balance_after: int | None
    held_after: int | None
    funding_type: str | None
    lots: tuple[LotEntry, ...]
    description: str | None
    reference: str | None
    metadata: dict[str, Any]
    reverses_transaction_id: str | None
    hold_id: str | None
    created_at: datetime

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transaction:
        return cls(
            data["id"], data["wallet_id"], data["customer_id"], data["program"], data["unit"],
            data["type"], data["amount"], data["balance_after"], data["held_after"],
            data["funding_type"],
            tuple(LotEntry(e["lot_id"], e["funding_type"], e["amount"], e["held"])
                  for e in data["lots"]),
            data["description"], data["reference"], dict(data["metadata"]),
            data["reverses_transaction_id"], data["hold_id"],
            _time(data["created_at"]))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Lot:
    id: str
    status: str
    amount: int
    remaining: int
    held: int
    funding_type: str
    withdrawable: bool
    expires_at: datetime | None
    description: str | None
    transaction_id: str
    created_at: datetime

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Lot:
        return cls(data["id"], data["status"], data["amount"], data["remaining"], data["held"],
                   data["funding_type"], data["withdrawable"], _time(data["expires_at"]),
                   data["description"], data["transaction_id"],
                   _time(data["created_at"]))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Hold:
    id: str
    status: str
    amount: int
    captured_amount: int
    expires_at: datetime
    customer_id: str
    program: str
    unit: str
    wallet_id: str
    reference: str | None
    metadata: dict[str, Any]
    created_at: datetime
    settled_at: datetime | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Hold:
        return cls(data["id"], data["status"], data["amount"], data["captured_amount"],
                   _time(data["expires_at"]), data["customer_id"],  # type: ignore[arg-type]
                   data["program"], data["unit"], data["wallet_id"], data["reference"],
                   dict(data["metadata"]), _time(data["created_at"]),  # type: ignore[arg-type]
                   _time(data["settled_at"]))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    data: tuple[T, ...]
    has_more: bool
    next_cursor: str | None


# -- requests -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Call(Generic[T]):
    """One endpoint call: what to send and how to read the answer."""

    method: str
    path: str
    parse: Callable[[Any], T]
    body: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None


def _segment(value: str) -> str:
    return quote(value, safe="")


def _wallet_path(customer_id: str, program: str) -> str:
    return f"/v1/customers/{_segment(customer_id)}/wallets/{_segment(program)}"


def _body(**fields: Any) -> dict[str, Any]:
    """JSON body of the fields that were given (None means "not sent")."""
    return {name: (value.isoformat() if isinstance(value, datetime) else value)
            for name, value in fields.items() if value is not None}


def _page(parse: Callable[[dict[str, Any]], T]) -> Callable[[Any], Page[T]]:
    return lambda data: Page(tuple(parse(item) for item in data["data"]), data["has_more"],
                             data["next_cursor"])


def _list_params(limit: int | None, starting_after: str | None, **more: Any) -> dict[str, Any]:
    params = {"limit": limit, "starting_after": starting_after, **more}
    return {name: value for name, value in params.items() if value is not None}


class _Calls:
    """Every endpoint, as a `_Call`; the clients below only send them."""

    @staticmethod
    def create_customer(customer_id: str, email: str | None, name: str | None,
                        metadata: dict[str, Any] | None, key: str | None) -> _Call[Customer]:
        return _Call("POST", "/v1/customers", Customer.from_json,
                     _body(id=customer_id, email=email, name=name, metadata=metadata), {}, key)

    @staticmethod
    def get_customer(customer_id: str) -> _Call[Customer]:
        return _Call("GET", f"/v1/customers/{_segment(customer_id)}", Customer.from_json)

    @staticmethod
    def get_wallet(customer_id: str, program: str) -> _Call[Wallet]:
        return _Call("GET", _wallet_path(customer_id, program), Wallet.from_json)

    @staticmethod
    def credit(customer_id: str, program: str, body: dict[str, Any],
               key: str | None) -> _Call[Transaction]:
        return _Call("POST", _wallet_path(customer_id, program) + "/credits",
                     Transaction.from_json, body, {}, key)

    @staticmethod
    def debit(customer_id: str, program: str, body: dict[str, Any],
              key: str | None) -> _Call[Transaction]:
        return _Call("POST", _wallet_path(customer_id, program) + "/debits",
                     Transaction.from_json, body, {}, key)

    @staticmethod
    def list_transactions(customer_id: str, program: str, limit: int | None,
                          starting_after: str | None) -> _Call[Page[Transaction]]:
        return _Call("GET", _wallet_path(customer_id, program) + "/transactions",
                     _page(Transaction.from_json), None, _list_params(limit, starting_after))

    @staticmethod
    def list_lots(customer_id: str, program: str, status: str | None, limit: int | None,
                  starting_after: str | None) -> _Call[Page[Lot]]:
        return _Call("GET", _wallet_path(customer_id, program) + "/lots", _page(Lot.from_json),
                     None, _list_params(limit, starting_after, status=status))

    @staticmethod
    def get_transaction(transaction_id: str) -> _Call[Transaction]:
        return _Call("GET", f"/v1/transactions/{_segment(transaction_id)}",
                     Transaction.from_json)

    @staticmethod
    def reverse(transaction_id: str, body: dict[str, Any],
                key: str | None) -> _Call[Transaction]:
        return _Call("POST", f"/v1/transactions/{_segment(transaction_id)}/reverse",
                     Transaction.from_json, body, {}, key)

    @staticmethod
    def create_hold(body: dict[str, Any], key: str | None) -> _Call[Hold]:
        return _Call("POST", "/v1/holds", Hold.from_json, body, {}, key)

    @staticmethod
    def get_hold(hold_id: str) -> _Call[Hold]:
        return _Call("GET", f"/v1/holds/{_segment(hold_id)}", Hold.from_json)

    @staticmethod
    def capture_hold(hold_id: str, body: dict[str, Any], key: str | None) -> _Call[Hold]:
        return _Call("POST", f"/v1/holds/{_segment(hold_id)}/capture", Hold.from_json, body,
                     {}, key)

    @staticmethod
    def release_hold(hold_id: str, key: str | None) -> _Call[Hold]:
        return _Call("POST", f"/v1/holds/{_segment(hold_id)}/release", Hold.from_json, {},
                     {}, key)


class _CommerceCalls:
    """The commerce endpoints (settings, stats, checkouts, offers, orders, refunds). They
    answer the contract's JSON objects as dicts."""

    @staticmethod
    def get_settings() -> _Call[dict[str, Any]]:
        return _Call("GET", "/v1/settings", dict)

    @staticmethod
    def update_settings(changes: dict[str, Any], key: str | None) -> _Call[dict[str, Any]]:
        return _Call("PATCH", "/v1/settings", dict, changes, {}, key)

    @staticmethod
    def get_stats(start: datetime | None, end: datetime | None) -> _Call[dict[str, Any]]:
        params = {name: value.isoformat() for name, value in (("from", start), ("to", end))
                  if value is not None}
        return _Call("GET", "/v1/stats", dict, None, params)

    @staticmethod
    def post(path: str, body: dict[str, Any], key: str | None) -> _Call[dict[str, Any]]:
        return _Call("POST", path, dict, body, {}, key)

    @staticmethod
    def get(path: str) -> _Call[dict[str, Any]]:
        return _Call("GET", path, dict)


class _Base:
    def __init__(self, api_key: str, base_url: str, timeout_seconds: float, max_retries: int):
        if not isinstance(api_key, str) or not api_key:
            raise ValueError("api_key is a store's secret key, bf_sk_…")
        if not 0 <= max_retries <= MAX_RETRIES_LIMIT:
            raise ValueError(f"max_retries must be from 0 to {MAX_RETRIES_LIMIT}")
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.timeout_seconds = timeout_seconds
        self._headers = {"Authorization": f"Bearer {api_key}",
                         "User-Agent": "billfold-python"}

    def _request_args(self, call: _Call[Any]) -> dict[str, Any]:
        headers = dict(self._headers)
        if call.method == "POST":
            headers["Idempotency-Key"] = call.idempotency_key or f"sdk-{uuid.uuid4()}"
        args: dict[str, Any] = {"method": call.method, "url": self.base_url + call.path,
                                "headers": headers, "params": call.params}
        if call.body is not None:
            args["json"] = call.body
        return args

    @staticmethod
    def _should_retry(response: httpx.Response | None, attempt: int, max_retries: int) -> bool:
        if attempt >= max_retries:
            return False
        return response is None or response.status_code in RETRY_STATUSES

    @staticmethod
    def _backoff_seconds(response: httpx.Response | None, attempt: int) -> float:
        if response is not None:
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                return min(float(retry_after), BACKOFF_MAX_SECONDS)
        ceiling = min(BACKOFF_BASE_SECONDS * 2 ** attempt, BACKOFF_MAX_SECONDS)
        return random.uniform(ceiling / 2, ceiling)

    @staticmethod
    def _result(call: _Call[T], response: httpx.Response) -> T:
        if response.status_code >= 400:
            raise _error_from(response)
        return call.parse(response.json())


def _error_from(response: httpx.Response) -> BillfoldError:
    """The typed error for a refusal, with the HTTP status and request id attached."""
    try:
        error = BillfoldError.from_dict(response.json()["error"])
    except (ValueError, KeyError, TypeError):
        # Not one of billfold's codes (a proxy's answer): rebuilt unchecked, as a replay is.
        error = BillfoldError.from_dict({
            "type": "internal", "code": f"http_{response.status_code}", "param": None,
            "message": f"HTTP {response.status_code} without a billfold error body."})
    error.http_status = response.status_code  # type: ignore[attr-defined]
    error.request_id = response.headers.get("Request-Id")  # type: ignore[attr-defined]
    return error


class Client(_Base):
    """Synchronous client. Thread-safe; reuse one (it pools connections)."""

    def __init__(self, api_key: str, base_url: str = DEFAULT_BASE_URL, *,
                 timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
                 max_retries: int = DEFAULT_MAX_RETRIES,
                 http_client: httpx.Client | None = None):
        super().__init__(api_key, base_url, timeout_seconds, max_retries)
        self._http = http_client or httpx.Client(timeout=timeout_seconds)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, *, json: Any = None,
                params: dict[str, Any] | None = None,
                idempotency_key: str | None = None) -> httpx.Response:
        """A raw call (no retries, no parsing): for endpoints this SDK does not cover yet."""
        headers = dict(self._headers)
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return self._http.request(method, self.base_url + path, json=json, params=params,
                                  headers=headers)

    def _send(self, call: _Call[T]) -> T:
        args = self._request_args(call)  # one idempotency key for every attempt
        attempt = 0
        while True:
            response: httpx.Response | None = None
            try:
                response = self._http.request(**args)
            except httpx.TransportError:
                if not self._should_retry(None, attempt, self.max_retries):
                    raise
            if response is not None and not self._should_retry(response, attempt,
                                                                self.max_retries):
                return self._result(call, response)
            time.sleep(self._backoff_seconds(response, attempt))
            attempt += 1

    # -- endpoints (same names and arguments in AsyncClient) ---------------------------

    def health(self) -> dict[str, Any]:
        return self._send(_Call("GET", "/healthz", dict))

    def create_customer(self, customer_id: str, *, email: str | None = None,
                        name: str | None = None, metadata: dict[str, Any] | None = None,
                        idempotency_key: str | None = None) -> Customer:
        return self._send(_Calls.create_customer(customer_id, email, name, metadata,
                                                 idempotency_key))

    def get_customer(self, customer_id: str) -> Customer:
        return self._send(_Calls.get_customer(customer_id))

    def get_wallet(self, customer_id: str, program: str = "main") -> Wallet:
        return self._send(_Calls.get_wallet(customer_id, program))

    def credit(self, customer_id: str, program: str, amount: int, *, funding_type: str,
               expires_in: str | int | None = None, expires_at: datetime | None = None,
               withdrawable: bool | None = None, description: str | None = None,
               reference: str | None = None, metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> Transaction:
        body = _body(amount=amount, funding_type=funding_type, expires_in=expires_in,
                     expires_at=expires_at, withdrawable=withdrawable,
                     description=description, reference=reference, metadata=metadata)
        return self._send(_Calls.credit(customer_id, program, body, idempotency_key))

    def debit(self, customer_id: str, program: str, amount: int, *,
              description: str | None = None, reference: str | None = None,
              metadata: dict[str, Any] | None = None,
              idempotency_key: str | None = None) -> Transaction:
        body = _body(amount=amount, description=description, reference=reference,
                     metadata=metadata)
        return self._send(_Calls.debit(customer_id, program, body, idempotency_key))

    def list_transactions(self, customer_id: str, program: str = "main", *,
                          limit: int | None = None,
                          starting_after: str | None = None) -> Page[Transaction]:
        return self._send(_Calls.list_transactions(customer_id, program, limit,
                                                   starting_after))

    def iter_transactions(self, customer_id: str, program: str = "main", *,
                          page_size: int = 100) -> Iterator[Transaction]:
        """Every transaction of the wallet, newest first, page by page."""
        cursor = None
        while True:
            page = self.list_transactions(customer_id, program, limit=page_size,
                                          starting_after=cursor)
            yield from page.data
            if not page.has_more:
                return
            cursor = page.next_cursor

    def list_lots(self, customer_id: str, program: str = "main", *,
                  status: str | None = None, limit: int | None = None,
                  starting_after: str | None = None) -> Page[Lot]:
        return self._send(_Calls.list_lots(customer_id, program, status, limit,
                                           starting_after))

    def get_transaction(self, transaction_id: str) -> Transaction:
        return self._send(_Calls.get_transaction(transaction_id))

    def reverse(self, transaction_id: str, *, description: str, amount: int | None = None,
                metadata: dict[str, Any] | None = None,
                idempotency_key: str | None = None) -> Transaction:
        body = _body(amount=amount, description=description, metadata=metadata)
        return self._send(_Calls.reverse(transaction_id, body, idempotency_key))

    def create_hold(self, customer_id: str, program: str, amount: int, *,
                    expires_in: str | int | None = None, expires_at: datetime | None = None,
                    reference: str | None = None, metadata: dict[str, Any] | None = None,
                    idempotency_key: str | None = None) -> Hold:
        body = _body(customer_id=customer_id, program=program, amount=amount,
                     expires_in=expires_in, expires_at=expires_at,
                     reference=reference, metadata=metadata)
        return self._send(_Calls.create_hold(body, idempotency_key))

    def get_hold(self, hold_id: str) -> Hold:
        return self._send(_Calls.get_hold(hold_id))

    def capture_hold(self, hold_id: str, *, amount: int | None = None,
                     description: str | None = None,
                     idempotency_key: str | None = None) -> Hold:
        body = _body(amount=amount, description=description)
        return self._send(_Calls.capture_hold(hold_id, body, idempotency_key))

    def release_hold(self, hold_id: str, *, idempotency_key: str | None = None) -> Hold:
        return self._send(_Calls.release_hold(hold_id, idempotency_key))


    # -- commerce (answers are the contract's JSON objects, as dicts) ------------------

    def get_settings(self) -> dict[str, Any]:
        return self._send(_CommerceCalls.get_settings())

    def update_settings(self, changes: dict[str, Any], *,
                        idempotency_key: str | None = None) -> dict[str, Any]:
        """PATCH /v1/settings: keys left out keep their value; `programs` merges by name."""
        return self._send(_CommerceCalls.update_settings(changes, idempotency_key))

    def get_stats(self, *, start: datetime | None = None,
                  end: datetime | None = None) -> dict[str, Any]:
        return self._send(_CommerceCalls.get_stats(start, end))

    def create_checkout(self, customer_id: str, order_id: str, amount: int, *,
                        currency: str, programs: list[str] | None = None,
                        expires_in: str | int | None = None,
                        idempotency_key: str | None = None) -> dict[str, Any]:
        body = _body(customer_id=customer_id, order_id=order_id, currency=currency,
                     amount=amount, programs=programs, expires_in=expires_in)
        return self._send(_CommerceCalls.post("/v1/checkouts", body, idempotency_key))

    def get_checkout(self, checkout_id: str) -> dict[str, Any]:
        return self._send(_CommerceCalls.get(f"/v1/checkouts/{_segment(checkout_id)}"))

    def complete_checkout(self, checkout_id: str, *,
                          idempotency_key: str | None = None) -> dict[str, Any]:
        return self._send(_CommerceCalls.post(
            f"/v1/checkouts/{_segment(checkout_id)}/complete", {}, idempotency_key))

    def cancel_checkout(self, checkout_id: str, *,
                        idempotency_key: str | None = None) -> dict[str, Any]:
        return self._send(_CommerceCalls.post(
            f"/v1/checkouts/{_segment(checkout_id)}/cancel", {}, idempotency_key))

    def create_cashback_offer(self, name: str, *, program: str = "main",
                              idempotency_key: str | None = None,
                              **fields: Any) -> dict[str, Any]:
        """`percent` (15, or "12.5") or `amount`, and any other field of the contract."""
        body = _body(name=name, program=program, **fields)
        return self._send(_CommerceCalls.post("/v1/cashback_offers", body, idempotency_key))

    def get_cashback_offer(self, offer_id: str) -> dict[str, Any]:
        return self._send(_CommerceCalls.get(f"/v1/cashback_offers/{_segment(offer_id)}"))

    def close_cashback_offer(self, offer_id: str, *,
                             idempotency_key: str | None = None) -> dict[str, Any]:
        return self._send(_CommerceCalls.post(
            f"/v1/cashback_offers/{_segment(offer_id)}/close", {}, idempotency_key))

    def create_order(self, order_id: str, customer_id: str, amount: int, *, currency: str,
                     lines: list[dict[str, Any]], checkout_id: str | None = None,
                     idempotency_key: str | None = None) -> dict[str, Any]:
        body = _body(id=order_id, customer_id=customer_id, currency=currency, amount=amount,
                     lines=lines, checkout_id=checkout_id)
        return self._send(_CommerceCalls.post("/v1/orders", body, idempotency_key))

    def get_order(self, order_id: str) -> dict[str, Any]:
        return self._send(_CommerceCalls.get(f"/v1/orders/{_segment(order_id)}"))

    def set_order_status(self, order_id: str, status: str, *,
                         idempotency_key: str | None = None) -> dict[str, Any]:
        return self._send(_CommerceCalls.post(f"/v1/orders/{_segment(order_id)}/status",
                                              {"status": status}, idempotency_key))

    def refund_order(self, order_id: str, amount: int, *, to: str = "wallet",
                     idempotency_key: str | None = None) -> dict[str, Any]:
        return self._send(_CommerceCalls.post(f"/v1/orders/{_segment(order_id)}/refunds",
                                              {"amount": amount, "to": to}, idempotency_key))


class AsyncClient(_Base):
    """Asynchronous client (httpx.AsyncClient); the same methods as `Client`, awaited."""

    def __init__(self, api_key: str, base_url: str = DEFAULT_BASE_URL, *,
                 timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
                 max_retries: int = DEFAULT_MAX_RETRIES,
                 http_client: httpx.AsyncClient | None = None):
        super().__init__(api_key, base_url, timeout_seconds, max_retries)
        self._http = http_client or httpx.AsyncClient(timeout=timeout_seconds)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def _send(self, call: _Call[T]) -> T:
        args = self._request_args(call)  # one idempotency key for every attempt
        attempt = 0
        while True:
            response: httpx.Response | None = None
            try:
                response = await self._http.request(**args)
            except httpx.TransportError:
                if not self._should_retry(None, attempt, self.max_retries):
                    raise
            if response is not None and not self._should_retry(response, attempt,
                                                                self.max_retries):
                return self._result(call, response)
            await asyncio.sleep(self._backoff_seconds(response, attempt))
            attempt += 1

    async def health(self) -> dict[str, Any]:
        return await self._send(_Call("GET", "/healthz", dict))

    async def create_customer(self, customer_id: str, *, email: str | None = None,
                              name: str | None = None, metadata: dict[str, Any] | None = None,
                              idempotency_key: str | None = None) -> Customer:
        return await self._send(_Calls.create_customer(customer_id, email, name, metadata,
                                                       idempotency_key))

    async def get_customer(self, customer_id: str) -> Customer:
        return await self._send(_Calls.get_customer(customer_id))

    async def get_wallet(self, customer_id: str, program: str = "main") -> Wallet:
        return await self._send(_Calls.get_wallet(customer_id, program))

    async def credit(self, customer_id: str, program: str, amount: int, *, funding_type: str,
                     expires_in: str | int | None = None, expires_at: datetime | None = None,
                     withdrawable: bool | None = None, description: str | None = None,
                     reference: str | None = None, metadata: dict[str, Any] | None = None,
                     idempotency_key: str | None = None) -> Transaction:
        body = _body(amount=amount, funding_type=funding_type, expires_in=expires_in,
                     expires_at=expires_at, withdrawable=withdrawable,
                     description=description, reference=reference, metadata=metadata)
        return await self._send(_Calls.credit(customer_id, program, body, idempotency_key))

    async def debit(self, customer_id: str, program: str, amount: int, *,
                    description: str | None = None, reference: str | None = None,
                    metadata: dict[str, Any] | None = None,
                    idempotency_key: str | None = None) -> Transaction:
        body = _body(amount=amount, description=description, reference=reference,
                     metadata=metadata)
        return await self._send(_Calls.debit(customer_id, program, body, idempotency_key))

    async def list_transactions(self, customer_id: str, program: str = "main", *,
                                limit: int | None = None,
                                starting_after: str | None = None) -> Page[Transaction]:
        return await self._send(_Calls.list_transactions(customer_id, program, limit,
                                                         starting_after))

    async def iter_transactions(self, customer_id: str, program: str = "main", *,
                                page_size: int = 100) -> AsyncIterator[Transaction]:
        cursor = None
        while True:
            page = await self.list_transactions(customer_id, program, limit=page_size,
                                                starting_after=cursor)
            for item in page.data:
                yield item
            if not page.has_more:
                return
            cursor = page.next_cursor

    async def list_lots(self, customer_id: str, program: str = "main", *,
                        status: str | None = None, limit: int | None = None,
                        starting_after: str | None = None) -> Page[Lot]:
        return await self._send(_Calls.list_lots(customer_id, program, status, limit,
                                                 starting_after))

    async def get_transaction(self, transaction_id: str) -> Transaction:
        return await self._send(_Calls.get_transaction(transaction_id))

    async def reverse(self, transaction_id: str, *, description: str,
                      amount: int | None = None, metadata: dict[str, Any] | None = None,
                      idempotency_key: str | None = None) -> Transaction:
        body = _body(amount=amount, description=description, metadata=metadata)
        return await self._send(_Calls.reverse(transaction_id, body, idempotency_key))

    async def create_hold(self, customer_id: str, program: str, amount: int, *,
                          expires_in: str | int | None = None,
                          expires_at: datetime | None = None, reference: str | None = None,
                          metadata: dict[str, Any] | None = None,
                          idempotency_key: str | None = None) -> Hold:
        body = _body(customer_id=customer_id, program=program, amount=amount,
                     expires_in=expires_in, expires_at=expires_at, reference=reference,
                     metadata=metadata)
        return await self._send(_Calls.create_hold(body, idempotency_key))

    async def get_hold(self, hold_id: str) -> Hold:
        return await self._send(_Calls.get_hold(hold_id))

    async def capture_hold(self, hold_id: str, *, amount: int | None = None,
                           description: str | None = None,
                           idempotency_key: str | None = None) -> Hold:
        body = _body(amount=amount, description=description)
        return await self._send(_Calls.capture_hold(hold_id, body, idempotency_key))

    async def release_hold(self, hold_id: str, *, idempotency_key: str | None = None) -> Hold:
        return await self._send(_Calls.release_hold(hold_id, idempotency_key))

    # -- commerce (answers are the contract's JSON objects, as dicts) ------------------

    async def get_settings(self) -> dict[str, Any]:
        return await self._send(_CommerceCalls.get_settings())

    async def update_settings(self, changes: dict[str, Any], *,
                        idempotency_key: str | None = None) -> dict[str, Any]:
        """PATCH /v1/settings: keys left out keep their value; `programs` merges by name."""
        return await self._send(_CommerceCalls.update_settings(changes, idempotency_key))

    async def get_stats(self, *, start: datetime | None = None,
                  end: datetime | None = None) -> dict[str, Any]:
        return await self._send(_CommerceCalls.get_stats(start, end))

    async def create_checkout(self, customer_id: str, order_id: str, amount: int, *,
                        currency: str, programs: list[str] | None = None,
                        expires_in: str | int | None = None,
                        idempotency_key: str | None = None) -> dict[str, Any]:
        body = _body(customer_id=customer_id, order_id=order_id, currency=currency,
                     amount=amount, programs=programs, expires_in=expires_in)
        return await self._send(_CommerceCalls.post("/v1/checkouts", body, idempotency_key))

    async def get_checkout(self, checkout_id: str) -> dict[str, Any]:
        return await self._send(_CommerceCalls.get(f"/v1/checkouts/{_segment(checkout_id)}"))

    async def complete_checkout(self, checkout_id: str, *,
                          idempotency_key: str | None = None) -> dict[str, Any]:
        return await self._send(_CommerceCalls.post(
            f"/v1/checkouts/{_segment(checkout_id)}/complete", {}, idempotency_key))

    async def cancel_checkout(self, checkout_id: str, *,
                        idempotency_key: str | None = None) -> dict[str, Any]:
        return await self._send(_CommerceCalls.post(
            f"/v1/checkouts/{_segment(checkout_id)}/cancel", {}, idempotency_key))

    async def create_cashback_offer(self, name: str, *, program: str = "main",
                              idempotency_key: str | None = None,
                              **fields: Any) -> dict[str, Any]:
        """`percent` (15, or "12.5") or `amount`, and any other field of the contract."""
        body = _body(name=name, program=program, **fields)
        return await self._send(_CommerceCalls.post("/v1/cashback_offers", body, idempotency_key))

    async def get_cashback_offer(self, offer_id: str) -> dict[str, Any]:
        return await self._send(_CommerceCalls.get(f"/v1/cashback_offers/{_segment(offer_id)}"))

    async def close_cashback_offer(self, offer_id: str, *,
                             idempotency_key: str | None = None) -> dict[str, Any]:
        return await self._send(_CommerceCalls.post(
            f"/v1/cashback_offers/{_segment(offer_id)}/close", {}, idempotency_key))

    async def create_order(self, order_id: str, customer_id: str, amount: int, *, currency: str,
                     lines: list[dict[str, Any]], checkout_id: str | None = None,
                     idempotency_key: str | None = None) -> dict[str, Any]:
        body = _body(id=order_id, customer_id=customer_id, currency=currency, amount=amount,
                     lines=lines, checkout_id=checkout_id)
        return await self._send(_CommerceCalls.post("/v1/orders", body, idempotency_key))

    async def get_order(self, order_id: str) -> dict[str, Any]:
        return await self._send(_CommerceCalls.get(f"/v1/orders/{_segment(order_id)}"))

    async def set_order_status(self, order_id: str, status: str, *,
                         idempotency_key: str | None = None) -> dict[str, Any]:
        return await self._send(_CommerceCalls.post(f"/v1/orders/{_segment(order_id)}/status",
                                              {"status": status}, idempotency_key))

    async def refund_order(self, order_id: str, amount: int, *, to: str = "wallet",
                     idempotency_key: str | None = None) -> dict[str, Any]:
        return await self._send(_CommerceCalls.post(f"/v1/orders/{_segment(order_id)}/refunds",
                                              {"amount": amount, "to": to}, idempotency_key))
