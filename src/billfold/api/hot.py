"""The hot path: the routes on every order's checkout answered without FastAPI's
per-request machinery.

A profile of the service put about two thirds of its CPU per debit in FastAPI's
router and dependency solving (dozens of route matches, the dependency tree walked
anew for every request). `HotPath` sits between the request log and FastAPI and
answers the movements, the balance and the history page itself, with the parts FastAPI
would use: the route's own parameter and body fields validate the request, the
route's endpoint runs on the thread pool, the route's response field checks and
serializes its answer, and the app's own handlers render a refusal.

It answers only what it is sure of. A request it cannot take whole — no known
secret key, a parameter or body FastAPI would refuse, another content type — goes
on to FastAPI unchanged (its body replayed), so every error body is the one
FastAPI's handlers write, and `/openapi.json` is FastAPI's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.security.utils import get_authorization_scheme_param
from starlette._utils import get_route_path
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from billfold.app import Billfold, Shop
from billfold.errors import BillfoldError

if TYPE_CHECKING:
    from fastapi.dependencies.models import ModelField

# Requests with a body larger than this go on to FastAPI (no movement's body comes near).
MAX_BODY_BYTES = 64 * 1024
_PARAMETERS = frozenset({"body", "store", "idempotency_key"})  # beside the path's own
# The only parameter types read here: one value, never a list.
_SCALARS = (str, str | None, int, int | None)


@dataclass(frozen=True, slots=True)
class HotRoute:
    """One route of the app, as the hot path runs it."""

    route: APIRoute
    method: str
    path: re.Pattern[str]
    endpoint: Callable[..., Any]  # the plain (sync) endpoint the route was declared with
    status_code: int
    path_fields: tuple[ModelField, ...]
    query_fields: tuple[ModelField, ...]
    header_fields: tuple[ModelField, ...]
    body_field: ModelField | None

    @classmethod
    def of(cls, route: APIRoute) -> HotRoute:
        endpoint = getattr(route.endpoint, "__wrapped__", route.endpoint)
        dependant = route.dependant
        names = {p.name for p in dependant.path_params} | _PARAMETERS
        taken = {p.name for p in (*dependant.header_params, *dependant.body_params)}
        taken |= {d.name for d in dependant.dependencies if d.name is not None}
        names |= {p.name for p in dependant.query_params}
        if (dependant.cookie_params or len(dependant.body_params) > 1
                or any(getattr(b.field_info, "embed", False) for b in dependant.body_params)
                or not taken <= names or len(route.methods or ()) != 1
                or any(p.field_info.annotation not in _SCALARS for p in (
                    *dependant.path_params, *dependant.query_params, *dependant.header_params))):
            raise ValueError(f"{route.path} takes parameters the hot path does not read")
        (method,) = route.methods or ()
        return cls(route, method, route.path_regex, endpoint, route.status_code or 200,
                   tuple(dependant.path_params), tuple(dependant.query_params),
                   tuple(dependant.header_params),
                   dependant.body_params[0] if dependant.body_params else None)


def routes_of(routers: Sequence[APIRouter], endpoints: Sequence[Callable[..., Any]]
              ) -> tuple[HotRoute, ...]:
    """The routes of `routers` declared with one of `endpoints` (routers the app
    includes with no prefix of its own, so a route's path is the app's)."""
    return tuple(HotRoute.of(route) for router in routers for route in router.routes
                 if isinstance(route, APIRoute)
                 and getattr(route.endpoint, "__wrapped__", route.endpoint) in endpoints)


class HotPath:
    """Pure ASGI middleware: `routes` answered directly, the rest passed to `app`."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI, routes: Sequence[HotRoute]):
        self.app = app
        self._fastapi = fastapi_app
        self._routes = tuple(routes)
        self.served = 0  # requests the hot path answered (the tests read it)
        fastapi_app.state.hot_path = self

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = self._match(scope)
            if found is not None:
                await self._serve(scope, receive, send, *found)
                return
        await self.app(scope, receive, send)

    def _match(self, scope: Scope) -> tuple[HotRoute, dict[str, str]] | None:
        method, path = scope["method"], get_route_path(scope)
        for hot in self._routes:
            if hot.method == method:
                matched = hot.path.match(path)
                if matched is not None:
                    return hot, matched.groupdict()
        return None

    async def _serve(self, scope: Scope, receive: Receive, send: Send, hot: HotRoute,
                     path_values: dict[str, str]) -> None:
        body, more = await _read_body(receive)
        values = None if more else await self._arguments(scope, hot, path_values, body)
        if values is None:  # FastAPI answers it, refusal and all
            await self.app(scope, _replay(body, more, receive), send)
            return
        scope["route"] = hot.route  # for the request log's route label
        response = await self._respond(scope, hot, values)
        self.served += 1
        await response(scope, receive, send)

    async def _arguments(self, scope: Scope, hot: HotRoute, path_values: dict[str, str],
                         body: bytes) -> dict[str, Any] | None:
        """The endpoint's arguments, each validated by the route's own field as FastAPI
        validates it, or None where FastAPI should answer the request."""
        headers = Headers(scope=scope)
        shop = self._shop(scope, headers)
        if shop is None:
            return None
        query = QueryParams(scope["query_string"])
        if len(query.multi_items()) != len(query):  # a name twice: FastAPI's to read
            return None
        values: dict[str, Any] = {"store": shop}
        for fields, received in ((hot.path_fields, path_values), (hot.query_fields, query),
                                 (hot.header_fields, headers)):
            for field in fields:
                if not _take(values, field, received.get(field.alias)):
                    return None
        if hot.body_field is not None:
            received = _json_body(headers, body)
            if received is _REFUSED or not _take(values, hot.body_field, received):
                return None
        return values

    def _shop(self, scope: Scope, headers: Headers) -> Shop | None:
        """The caller's store, where its secret key is known (recently authenticated);
        None sends the request to FastAPI, which reads the key table or refuses."""
        authorization = headers.get("authorization")
        scheme, secret = get_authorization_scheme_param(authorization)
        if not (authorization and scheme and secret) or scheme.lower() != "bearer":
            return None
        billfold: Billfold = self._fastapi.state.billfold
        store_id = billfold.known_key(secret)
        if store_id is None:
            return None
        scope.setdefault("state", {})["store_id"] = store_id  # for the request log
        # No public URL from the request: only portal links use it, and no hot route
        # makes one.
        return Shop(billfold, store_id)

    async def _respond(self, scope: Scope, hot: HotRoute, values: dict[str, Any]) -> Response:
        try:
            answer = await run_in_threadpool(hot.endpoint, **values)
        except BillfoldError as refusal:
            return _handler(self._fastapi, BillfoldError)(Request(scope), refusal)
        except Exception as error:  # answered as FastAPI's app would
            return _handler(self._fastapi, Exception)(Request(scope), error)
        route = hot.route
        field = route.response_field
        assert field is not None
        value, errors = field.validate(answer, {}, loc=("response",))
        if errors:
            return _handler(self._fastapi, Exception)(
                Request(scope), ValueError(f"{route.path} answered an invalid response"))
        content = field.serialize_json(
            value, include=route.response_model_include, exclude=route.response_model_exclude,
            by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none)
        return Response(content, status_code=hot.status_code, media_type="application/json")


_REFUSED = object()


def _take(values: dict[str, Any], field: ModelField, received: Any) -> bool:
    """Validate one parameter as FastAPI does (absent: its default, if it has one); False
    where FastAPI would refuse it."""
    if received is None:
        if field.field_info.is_required():
            return False
        values[field.name] = field.field_info.get_default(call_default_factory=True)
        return True
    value, errors = field.validate(received, values, loc=(field.name,))
    if errors:
        return False
    values[field.name] = value
    return True


def _json_body(headers: Headers, body: bytes) -> Any:
    """The body as FastAPI reads it: None when empty, parsed JSON when the content type
    is JSON or absent; _REFUSED for anything FastAPI would answer with an error."""
    if not body:
        return None
    content_type = headers.get("content-type")
    if content_type is not None:
        main = content_type.split(";", 1)[0].strip().lower()
        if main != "application/json":
            return _REFUSED
    try:
        return json.loads(body)
    except ValueError:
        return _REFUSED


def _handler(app: FastAPI, kind: type[Exception]) -> Callable[[Request, Any], Response]:
    return app.exception_handlers[kind]  # type: ignore[return-value]


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request's body, up to MAX_BODY_BYTES; `more` is True when it is longer (the
    rest not read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True  # a disconnect: FastAPI's to answer
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False
        if size > MAX_BODY_BYTES:
            return b"".join(chunks), True


def _replay(body: bytes, more: bool, receive: Receive) -> Receive:
    """A receive that gives back what was read, then goes on with the connection's."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": more}

    return replayed
