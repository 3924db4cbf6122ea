"""One place that turns every failure into the contract's error body:
`{"error": {"type", "code", "message", "param"}}`.

FastAPI's 422 validation body is replaced by a 400 `invalid_request` naming the
offending parameter; malformed JSON is a 400 `invalid_json`; unknown paths and
methods get the same shape; anything unexpected is a 500 `internal` that says
nothing about the cause (the log line has it).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from billfold.app import render
from billfold.contract import ErrorBody
from billfold.errors import BillfoldError, InternalError

log = logging.getLogger("billfold.api")

AMOUNT_PARAMS = frozenset({"amount"})
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})
_NOT_AN_OBJECT = frozenset({"model_attributes_type", "dict_type", "model_type"})


def respond(body: ErrorBody, status: int, headers: dict[str, str] | None = None) -> Response:
    """The contract's error body, serialized as every other answer is (by pydantic)."""
    return Response(body.model_dump_json(), status_code=status, headers=headers,
                    media_type="application/json")


def error_response(refusal: BillfoldError, status: int | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    return respond(render.error(refusal), status or refusal.status, headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(BillfoldError, _billfold_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


def _billfold_error(request: Request, error: BillfoldError) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    wait = getattr(error, "retry_after_seconds", None)
    if error.status == 429 and wait is not None:
        headers = {"Retry-After": str(wait)}
    return error_response(error, headers=headers)


def _validation_error(request: Request, error: RequestValidationError) -> Response:
    first = error.errors()[0] if error.errors() else {}
    if first.get("type") == "json_invalid":
        return respond(render.error_body("invalid_request", "invalid_json",
                                  "The request body is not valid JSON.", None), 400)
    param = _param_of(first.get("loc", ()))
    message = first.get("msg", "Invalid request.")
    if param is None and first.get("type") in _NOT_AN_OBJECT:
        code = "invalid_json" if isinstance(first.get("input"), bytes) else "invalid_request"
        return respond(render.error_body(
            "invalid_request", code,
            "The body must be a JSON object (Content-Type: application/json).", None), 400)
    if first.get("type") == "extra_forbidden":
        message = "Unknown parameter."
    elif first.get("type") == "missing":
        message = "This parameter is required." if param else "A JSON object body is required."
    code = "invalid_amount" if param in AMOUNT_PARAMS else "invalid_request"
    text = f"{param}: {message}" if param else message
    return respond(render.error_body("invalid_request", code, text, param), 400)


def _param_of(loc: Any) -> str | None:
    parts = [str(part) for part in loc if not isinstance(part, int)]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    # Union and constraint branches add their own labels after the field name.
    return parts[0] if parts else None


def _http_error(request: Request, error: StarletteHTTPException) -> Response:
    if error.status_code == 404:
        body = render.error_body("not_found", "route_not_found", "No such path.", None)
    elif error.status_code == 405:
        body = render.error_body("invalid_request", "method_not_allowed",
                          f"{request.method} is not allowed on this path.", None)
    else:
        body = render.error_body("invalid_request", "invalid_request", str(error.detail), None)
    return respond(body, error.status_code, error.headers)


def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error", extra={"path": request.url.path})
    internal = InternalError("Something went wrong on our side; nothing was changed. "
                             "Retry with the same Idempotency-Key.")
    return error_response(internal)
