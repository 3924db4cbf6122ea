"""What one SDK call is, written once for the sync and the async client: the method,
the path, the body, and how to read the answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One endpoint call. `parse` reads the JSON body of a success (bytes) into the
    contract model; a refusal never reaches it."""

    method: str
    path: str
    parse: Callable[[bytes], T]
    body: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None


def segment(value: str) -> str:
    """A path segment: the shop's own ids may hold '/', '?', '#', '%' or spaces."""
    return quote(value, safe="")


def wallet_path(customer_id: str, program: str) -> str:
    return f"/v1/customers/{segment(customer_id)}/wallets/{segment(program)}"


def body(**fields: Any) -> dict[str, Any]:
    """JSON body of the fields that were given (None means "not sent")."""
    return {name: (value.isoformat() if isinstance(value, datetime) else value)
            for name, value in fields.items() if value is not None}


def query(**params: Any) -> dict[str, Any]:
    """Query parameters that were given; times as RFC 3339."""
    return body(**params)


class Namespace:
    """Base of every `api.<resource>`: each method is written once, as the `Call` it
    makes, and sent over the client's transport. Over the async transport the same
    method returns an awaitable of what it is annotated to return."""

    def __init__(self, transport: Any):
        self._transport = transport

    def _send(self, call: Call[T]) -> T:
        return self._transport.send(call)  # type: ignore[no-any-return]

    def _get(self, path: str, parse: Callable[[bytes], T]) -> T:
        return self._send(Call("GET", path, parse))

    def _act(self, path: str, parse: Callable[[bytes], T], idempotency_key: str | None) -> T:
        """A POST that acts on an existing object and sends no parameters."""
        return self._send(Call("POST", path, parse, {}, idempotency_key=idempotency_key))
