"""`Client` and `AsyncClient`: one store's handle on the service, with the same
resource namespaces as the library. They differ only in their transport."""

from __future__ import annotations

import json
from typing import Any, Generic, TypeVar

import httpx

from billfold.client.calls import Call
from billfold.client.commerce import Checkouts, Offers, Orders, Statistics, StoreSettings
from billfold.client.funding import Codes, Events, PortalSessions, Topups, Webhooks
from billfold.client.loyalty import Loyalty
from billfold.client.transport import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_SECONDS,
    AsyncTransport,
    Policy,
    SyncTransport,
)
from billfold.client.wallets import Customers, Holds, Transactions, Wallets
from billfold.client.withdrawals import Transfers, Withdrawals

H = TypeVar("H", httpx.Client, httpx.AsyncClient)
_HEALTH: Call[dict[str, Any]] = Call("GET", "/healthz", json.loads)


class _Handle(Generic[H]):
    """What both clients are: settings, a transport, and the namespaces over it."""

    _transport_type: Any

    def __init__(self, api_key: str, base_url: str = DEFAULT_BASE_URL, *,
                 timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
                 max_retries: int = DEFAULT_MAX_RETRIES, http_client: H | None = None):
        policy = Policy(api_key, base_url, timeout_seconds, max_retries)
        self.base_url = policy.base_url
        self.max_retries = policy.max_retries
        self.timeout_seconds = policy.timeout_seconds
        self._headers = policy.headers
        self._transport = self._transport_type(policy, http_client)
        self.customers = Customers(self._transport)
        self.wallets = Wallets(self._transport)
        self.transactions = Transactions(self._transport)
        self.holds = Holds(self._transport)
        self.checkouts = Checkouts(self._transport)
        self.offers = Offers(self._transport)
        self.orders = Orders(self._transport)
        self.settings = StoreSettings(self._transport)
        self.stats = Statistics(self._transport)
        self.loyalty = Loyalty(self._transport)  # -- loyalty --
        self.transfers = Transfers(self._transport)
        self.withdrawals = Withdrawals(self._transport)
        self.codes = Codes(self._transport)
        self.topups = Topups(self._transport)
        self.events = Events(self._transport)
        self.webhooks = Webhooks(self._transport)
        self.portal_sessions = PortalSessions(self._transport)

    def request(self, method: str, path: str, *, json: Any = None,
                params: dict[str, Any] | None = None,
                idempotency_key: str | None = None) -> httpx.Response:
        """A raw call (no retries, no parsing): for endpoints this SDK does not cover yet."""
        args = self._transport.policy.raw_args(method, path, json, params, idempotency_key)
        return self._transport.raw(args)  # type: ignore[no-any-return]

    def health(self) -> dict[str, Any]:
        """`{"status": "ok"}` while the service is up (no key needed)."""
        return self._transport.send(_HEALTH)  # type: ignore[no-any-return]


class Client(_Handle[httpx.Client]):
    """Synchronous client. Thread-safe; reuse one (it pools connections)."""

    _transport_type = SyncTransport

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class AsyncClient(_Handle[httpx.AsyncClient]):
    """Asynchronous client over httpx.AsyncClient: the same namespaces and methods as
    `Client`, each awaited (`iter_transactions` is an async iterator)."""

    _transport_type = AsyncTransport

    async def aclose(self) -> None:
        await self._transport.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()
