"""Small pieces every router shares: JSON responses, documented error statuses,
path and list parameters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query
from fastapi.responses import JSONResponse

from billfold.api.schemas import (
    CUSTOMER_ID_PATTERN,
    OBJECT_ID_PATTERN,
    PROGRAM_PATTERN,
    ErrorBody,
)
from billfold.ledger.queries import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

_ERROR_TEXT = {
    400: "Invalid request (the error's `param` names the parameter); nothing changed.",
    401: "Missing, wrong or revoked secret key.",
    402: "Not enough available balance; nothing changed.",
    404: "No such object in this store.",
    409: "Conflicts with the object's state, or the Idempotency-Key was used with "
         "another request.",
}


def respond(body: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status_code)


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
