"""Small pieces every router shares: the route class, documented error statuses,
path and list parameters."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Path, Query
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from billfold.api.schemas import CUSTOMER_ID_PATTERN, OBJECT_ID_PATTERN, PROGRAM_PATTERN
from billfold.contract import ErrorBody
from billfold.ledger.queries import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

_ERROR_TEXT = {
    400: "Invalid request (the error's `param` names the parameter); nothing changed.",
    401: "Missing, wrong or revoked secret key.",
    402: "Not enough available balance; nothing changed.",
    403: "The store's settings do not allow this; nothing changed.",
    404: "No such object in this store.",
    409: "Conflicts with the object's state, or the Idempotency-Key was used with "
         "another request.",
    429: "Too many tries: wait the seconds `Retry-After` says; nothing changed.",
}


class ContractRoute(APIRoute):
    """A route whose plain (sync) endpoint runs on the thread pool as a coroutine.

    The endpoint calls the library (blocking) and returns the contract model the library
    answered, validated when `billfold.app.render` built it; FastAPI then checks it (an
    instance of the response model passes as it is) and serializes it on the event
    loop. Left a sync endpoint, FastAPI would take a second thread-pool hop just to
    check its answer — a cost every credit, debit and hold would pay."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any):
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _on_thread_pool(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _on_thread_pool(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)  # FastAPI reads the parameters through __wrapped__
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return run


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route may answer (401 and 400 always)."""
    return {status: {"model": ErrorBody, "description": _ERROR_TEXT[status]}
            for status in sorted({400, 401, *statuses})}


CustomerIdPath = Annotated[str, Path(pattern=CUSTOMER_ID_PATTERN,
                                     description="The shop's own customer id.",
                                     examples=["cus-42"])]
ProgramPath = Annotated[str, Path(pattern=PROGRAM_PATTERN, description="Wallet program.",
                                  examples=["main"])]
HoldIdPath = Annotated[str, Path(pattern=OBJECT_ID_PATTERN, examples=["hold_01jf3v7"])]
TransactionIdPath = Annotated[str, Path(pattern=OBJECT_ID_PATTERN, examples=["txn_01jf3v5"])]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size, 1 to 100.")]
StartingAfter = Annotated[str | None, Query(
    min_length=1, max_length=64, pattern=OBJECT_ID_PATTERN,
    description="The `next_cursor` of the previous page.")]
DEFAULT_LIMIT = DEFAULT_PAGE_SIZE
