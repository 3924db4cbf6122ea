"""Holds: reserve credit, then capture all or part of it, or release it."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from billfold.api.common import HoldIdPath, errors, respond
from billfold.api.deps import IdempotencyKey, Store
from billfold.api.schemas import HoldCapture, HoldCreate, HoldOut, HoldRelease, hold_out

router = APIRouter(prefix="/v1/holds", tags=["holds"])


@router.post("", status_code=201, response_model=HoldOut, responses=errors(402, 404, 409))
def create_hold(body: HoldCreate, store: Store,
                idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Reserve `amount` of available credit until it is captured, released or expires
    (default 30 minutes); 402 if the wallet has less available."""
    hold = store.hold(body.customer_id, body.program, body.amount, expires_in=body.expires_in,
                      expires_at=body.expires_at, reference=body.reference, metadata=body.metadata,
                      idempotency_key=idempotency_key)
    return respond(hold_out(hold), 201)


@router.get("/{hold_id}", response_model=HoldOut, responses=errors(404))
def get_hold(hold_id: HoldIdPath, store: Store) -> JSONResponse:
    return respond(hold_out(store.get_hold(hold_id)))


@router.post("/{hold_id}/capture", response_model=HoldOut, responses=errors(404, 409))
def capture_hold(hold_id: HoldIdPath, store: Store, body: HoldCapture | None = None,
                 idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Spend all (or `amount`) of the hold; the rest is released. More than held → 400."""
    body = body or HoldCapture()
    hold = store.capture(hold_id, amount=body.amount, description=body.description,
                         idempotency_key=idempotency_key)
    return respond(hold_out(hold))


@router.post("/{hold_id}/release", response_model=HoldOut, responses=errors(404, 409))
def release_hold(hold_id: HoldIdPath, store: Store, body: HoldRelease | None = None,
                 idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Let go of the whole hold."""
    hold = store.release(hold_id, idempotency_key=idempotency_key)
    return respond(hold_out(hold))
