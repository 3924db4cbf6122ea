"""Orders: place, read, move through statuses, refund to the wallet."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from billfold.api.commerce_schemas import (
    ORDER_ID_PATTERN,
    OrderCreate,
    RefundCreate,
    StatusChange,
    order_out,
    refund_out,
)
from billfold.api.common import errors, respond
from billfold.api.deps import IdempotencyKey, Store

router = APIRouter(prefix="/v1/orders", tags=["orders and refunds"])
OrderIdPath = Annotated[str, Path(pattern=ORDER_ID_PATTERN, examples=["order-1001"])]


@router.post("", status_code=201, responses=errors(404, 409))
def place_order(body: OrderCreate, store: Store,
                idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Record an order (paid by its checkout's wallet holds, if any); promise cashback."""
    order = store.place_order(
        body.id, body.customer_id, body.amount, currency=body.currency,
        lines=[line.model_dump() for line in body.lines], checkout_id=body.checkout_id,
        idempotency_key=idempotency_key)
    return respond(order_out(order), 201)


@router.get("/{order_id}", responses=errors(404))
def get_order(order_id: OrderIdPath, store: Store) -> JSONResponse:
    return respond(order_out(store.get_order(order_id)))


@router.post("/{order_id}/status", responses=errors(404, 409))
def set_status(order_id: OrderIdPath, body: StatusChange, store: Store,
               idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Move forward (placed → paid → shipped → delivered → completed, steps may be skipped)
    or cancel from placed/paid; anything else is a 409."""
    order = store.set_order_status(order_id, body.status, idempotency_key=idempotency_key)
    return respond(order_out(order))


@router.post("/{order_id}/refunds", status_code=201, responses=errors(404, 409))
def refund(order_id: OrderIdPath, body: RefundCreate, store: Store,
           idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Refund to the wallet at once; more than paid and not yet refunded is a 400."""
    result = store.refund_order(order_id, body.amount, to=body.to,
                                idempotency_key=idempotency_key)
    return respond(refund_out(result), 201)


@router.get("/{order_id}/refunds", responses=errors(404))
def list_refunds(order_id: OrderIdPath, store: Store) -> JSONResponse:
    refunds = store.list_refunds(order_id)
    return respond({"data": [refund_out(r) for r in refunds], "has_more": False,
                    "next_cursor": None})
