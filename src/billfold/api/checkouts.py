"""Checkouts: what the wallets pay of an order, held until complete or cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from billfold.api.commerce_schemas import CheckoutCreate
from billfold.api.common import ContractRoute, errors
from billfold.api.deps import IdempotencyKey, Store
from billfold.api.schemas import OBJECT_ID_PATTERN
from billfold.contract import Checkout

router = APIRouter(prefix="/v1/checkouts", tags=["checkouts"], route_class=ContractRoute)
CheckoutIdPath = Annotated[str, Path(pattern=OBJECT_ID_PATTERN, examples=["chk_01jf3v7"])]


@router.post("", status_code=201, responses=errors(402, 404, 409))
def create_checkout(body: CheckoutCreate, store: Store,
                    idempotency_key: IdempotencyKey = None) -> Checkout:
    """Propose and hold what each program pays (caps, points, draw order); the rest is
    `remaining_amount`, for the card."""
    return store.checkouts.create(body.customer_id, body.order_id, body.amount,
                                  currency=body.currency, programs=body.programs,
                                  expires_in=body.expires_in, idempotency_key=idempotency_key)


@router.get("/{checkout_id}", responses=errors(404))
def get_checkout(checkout_id: CheckoutIdPath, store: Store) -> Checkout:
    return store.checkouts.get(checkout_id)


@router.post("/{checkout_id}/complete", responses=errors(404, 409))
def complete_checkout(checkout_id: CheckoutIdPath, store: Store,
                      idempotency_key: IdempotencyKey = None) -> Checkout:
    """Capture every hold."""
    return store.checkouts.complete(checkout_id, idempotency_key=idempotency_key)


@router.post("/{checkout_id}/cancel", responses=errors(404, 409))
def cancel_checkout(checkout_id: CheckoutIdPath, store: Store,
                    idempotency_key: IdempotencyKey = None) -> Checkout:
    """Release every hold."""
    return store.checkouts.cancel(checkout_id, idempotency_key=idempotency_key)
