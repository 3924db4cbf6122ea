"""Orders: place, read, move through statuses, refund to the wallet."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from billfold.api.commerce_schemas import ORDER_ID_PATTERN, OrderCreate, RefundCreate, StatusChange
from billfold.api.common import ContractRoute, errors
from billfold.api.deps import IdempotencyKey, Store
from billfold.contract import Order, Page, Refund

router = APIRouter(prefix="/v1/orders", tags=["orders and refunds"], route_class=ContractRoute)
OrderIdPath = Annotated[str, Path(pattern=ORDER_ID_PATTERN, examples=["order-1001"])]


@router.post("", status_code=201, responses=errors(404, 409))
def place_order(body: OrderCreate, store: Store,
                idempotency_key: IdempotencyKey = None) -> Order:
    """Record an order (paid by its checkout's wallet holds, if any); promise cashback."""
    return store.orders.create(
        body.id, body.customer_id, body.amount, currency=body.currency,
        lines=[line.model_dump() for line in body.lines], checkout_id=body.checkout_id,
        idempotency_key=idempotency_key)


@router.get("/{order_id}", responses=errors(404))
def get_order(order_id: OrderIdPath, store: Store) -> Order:
    return store.orders.get(order_id)


@router.post("/{order_id}/status", responses=errors(404, 409))
def set_status(order_id: OrderIdPath, body: StatusChange, store: Store,
               idempotency_key: IdempotencyKey = None) -> Order:
    """Move forward (placed → paid → shipped → delivered → completed, steps may be skipped)
    or cancel from placed/paid; anything else is a 409."""
    return store.orders.set_status(order_id, body.status, idempotency_key=idempotency_key)


@router.post("/{order_id}/refunds", status_code=201, responses=errors(404, 409))
def refund(order_id: OrderIdPath, body: RefundCreate, store: Store,
           idempotency_key: IdempotencyKey = None) -> Refund:
    """Refund to the wallet at once; more than paid and not yet refunded is a 400."""
    return store.orders.refund(order_id, body.amount, to=body.to,
                               idempotency_key=idempotency_key)


@router.get("/{order_id}/refunds", responses=errors(404))
def list_refunds(order_id: OrderIdPath, store: Store) -> Page[Refund]:
    """Every refund of the order, in one page."""
    return store.orders.list_refunds(order_id)
