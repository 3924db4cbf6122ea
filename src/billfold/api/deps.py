"""Request dependencies: the caller's store (from its secret key) and the
Idempotency-Key header."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from billfold.app import Billfold, Shop
from billfold.app.idempotency import MAX_KEY_LENGTH
from billfold.errors import AuthenticationFailed

_bearer = HTTPBearer(auto_error=False, description="A store's secret key: `bf_sk_…`.")


def get_billfold(request: Request) -> Billfold:
    return request.app.state.billfold  # type: ignore[no-any-return]


async def current_store(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Shop:
    """The store the secret key belongs to; 401 when it is missing, wrong or revoked."""
    if credentials is None:
        raise AuthenticationFailed(
            "Send your secret key as 'Authorization: Bearer bf_sk_…'.", code="missing_api_key")
    billfold = get_billfold(request)
    store_id = billfold.known_key(credentials.credentials)
    if store_id is None:  # not seen lately: read the key table off the event loop
        store_id = await run_in_threadpool(billfold.authenticate, credentials.credentials)
    request.state.store_id = store_id  # for the request log
    return Shop(billfold, store_id, public_url=str(request.base_url))


Store = Annotated[Shop, Depends(current_store)]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=MAX_KEY_LENGTH, pattern=r"^[\x20-\x7e]+$",
    description="Your unique key for this request: a retry with the same key and body "
                "returns the first response and moves nothing twice.",
    examples=["order-1001-debit"])]
