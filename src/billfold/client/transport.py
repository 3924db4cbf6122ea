"""Sending a `Call`: headers, the Idempotency-Key, retries with backoff, typed errors.

Everything but the two lines that touch the network (and the sleep between
attempts) is written once, in `Policy`; `SyncTransport` and `AsyncTransport` only
perform those lines, over `httpx.Client` and `httpx.AsyncClient`.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Generic, NoReturn, TypeVar

import httpx

from billfold.client.calls import Call
from billfold.contract import Page
from billfold.errors import BillfoldError, RateLimited

T = TypeVar("T")
H = TypeVar("H", httpx.Client, httpx.AsyncClient)
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_RETRIES = 2
MAX_RETRIES_LIMIT = 10
BACKOFF_BASE_SECONDS = 0.25
BACKOFF_MAX_SECONDS = 8.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
PageCall = Callable[[str | None], Call[Page[T]]]


class Policy:
    """The client's settings and every decision about a call: what to send, whether
    to retry, how long to wait, and what the answer means."""

    def __init__(self, api_key: str, base_url: str, timeout_seconds: float, max_retries: int):
        if not isinstance(api_key, str) or not api_key:
            raise ValueError("api_key is a store's secret key, bf_sk_…")
        if not 0 <= max_retries <= MAX_RETRIES_LIMIT:
            raise ValueError(f"max_retries must be from 0 to {MAX_RETRIES_LIMIT}")
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.timeout_seconds = timeout_seconds
        self.headers = {"Authorization": f"Bearer {api_key}", "User-Agent": "billfold-python"}

    def request_args(self, call: Call[Any]) -> dict[str, Any]:
        """The request, with one Idempotency-Key for every attempt of a POST (yours, or
        one made up here), so a retry never moves money twice."""
        headers = dict(self.headers)
        key = call.idempotency_key
        if key is None and call.method == "POST":
            key = f"sdk-{uuid.uuid4()}"
        if key is not None:
            headers["Idempotency-Key"] = key
        args: dict[str, Any] = {"method": call.method, "url": self.base_url + call.path,
                                "headers": headers, "params": call.params}
        if call.body is not None:
            args["json"] = call.body
        return args

    def raw_args(self, method: str, path: str, json: Any, params: dict[str, Any] | None,
                 idempotency_key: str | None) -> dict[str, Any]:
        headers = dict(self.headers)
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return {"method": method, "url": self.base_url + path, "json": json, "params": params,
                "headers": headers}

    def attempts(self) -> range:
        return range(self.max_retries + 1)

    def lost(self, failure: httpx.TransportError, attempt: int) -> None:
        """A request that got no answer: retried (None) unless that was the last try."""
        if attempt >= self.max_retries:
            raise failure

    def is_final(self, response: httpx.Response | None, attempt: int) -> bool:
        if response is None:
            return False
        if attempt >= self.max_retries or response.status_code not in RETRY_STATUSES:
            return True
        wait = response.headers.get("Retry-After", "")  # longer than a retry waits: final
        return wait.isdigit() and float(wait) > BACKOFF_MAX_SECONDS

    def backoff_seconds(self, response: httpx.Response | None, attempt: int) -> float:
        """`Retry-After` when the server says, else exponential backoff with jitter."""
        if response is not None:
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                return min(float(retry_after), BACKOFF_MAX_SECONDS)
        ceiling = min(BACKOFF_BASE_SECONDS * 2 ** attempt, BACKOFF_MAX_SECONDS)
        return random.uniform(ceiling / 2, ceiling)

    @staticmethod
    def result(call: Call[T], response: httpx.Response | None) -> T:
        assert response is not None
        if response.status_code >= 400:
            refuse(response)
        return call.parse(response.content)


def refuse(response: httpx.Response) -> NoReturn:
    """Raise the typed error for a refusal, with the HTTP status and request id."""
    try:
        error = BillfoldError.from_dict(response.json()["error"])
    except (ValueError, KeyError, TypeError):
        # Not one of billfold's codes (a proxy's answer): rebuilt unchecked, as a replay is.
        error = BillfoldError.from_dict({
            "type": "internal", "code": f"http_{response.status_code}", "param": None,
            "message": f"HTTP {response.status_code} without a billfold error body."})
    error.http_status = response.status_code  # type: ignore[attr-defined]
    error.request_id = response.headers.get("Request-Id")  # type: ignore[attr-defined]
    wait = response.headers.get("Retry-After", "")
    if isinstance(error, RateLimited) and wait.isdigit():
        error.retry_after_seconds = int(wait)
    raise error


def next_cursor(page: Page[Any]) -> str | None:
    """The cursor of the page after `page`, None after the last."""
    return page.next_cursor if page.has_more else None


class Transport(Generic[H]):
    """The policy and the httpx client a transport sends with (one made if not given)."""

    http_type: type[H]

    def __init__(self, policy: Policy, http: H | None):
        self.policy = policy
        self.http: H = http or self.http_type(timeout=policy.timeout_seconds)


class SyncTransport(Transport[httpx.Client]):
    http_type = httpx.Client

    def send(self, call: Call[T]) -> T:
        args = self.policy.request_args(call)
        for attempt in self.policy.attempts():
            response = self._attempt(args, attempt)
            if self.policy.is_final(response, attempt):
                break
            time.sleep(self.policy.backoff_seconds(response, attempt))
        return self.policy.result(call, response)

    def _attempt(self, args: dict[str, Any], attempt: int) -> httpx.Response | None:
        try:
            return self.http.request(**args)
        except httpx.TransportError as failure:
            return self.policy.lost(failure, attempt)

    def items(self, page_call: PageCall[T]) -> Iterator[T]:
        page = self.send(page_call(None))
        yield from page.data
        while (cursor := next_cursor(page)) is not None:
            page = self.send(page_call(cursor))
            yield from page.data

    def raw(self, args: dict[str, Any]) -> httpx.Response:
        return self.http.request(**args)

    def close(self) -> None:
        self.http.close()


class AsyncTransport(Transport[httpx.AsyncClient]):
    http_type = httpx.AsyncClient

    async def send(self, call: Call[T]) -> T:
        args = self.policy.request_args(call)
        for attempt in self.policy.attempts():
            response = await self._attempt(args, attempt)
            if self.policy.is_final(response, attempt):
                break
            await asyncio.sleep(self.policy.backoff_seconds(response, attempt))
        return self.policy.result(call, response)

    async def _attempt(self, args: dict[str, Any], attempt: int) -> httpx.Response | None:
        try:
            return await self.http.request(**args)
        except httpx.TransportError as failure:
            return self.policy.lost(failure, attempt)

    async def items(self, page_call: PageCall[T]) -> AsyncIterator[T]:
        cursor: str | None = None
        while True:
            page = await self.send(page_call(cursor))
            for item in page.data:
                yield item
            if (cursor := next_cursor(page)) is None:
                return

    async def raw(self, args: dict[str, Any]) -> httpx.Response:
        return await self.http.request(**args)

    async def close(self) -> None:
        await self.http.aclose()
