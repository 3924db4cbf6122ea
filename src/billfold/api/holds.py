"""Holds: reserve credit, then capture all or part of it, or release it."""

from __future__ import annotations

from fastapi import APIRouter

from billfold.api.common import ContractRoute, HoldIdPath, errors
from billfold.api.deps import IdempotencyKey, Store
from billfold.api.schemas import HoldCapture, HoldCreate, HoldRelease
from billfold.contract import Hold

router = APIRouter(prefix="/v1/holds", tags=["holds"], route_class=ContractRoute)


@router.post("", status_code=201, responses=errors(402, 404, 409))
def create_hold(body: HoldCreate, store: Store,
                idempotency_key: IdempotencyKey = None) -> Hold:
    """Reserve `amount` of available credit until it is captured, released or expires
    (default 30 minutes); 402 if the wallet has less available."""
    return store.holds.create(body.customer_id, body.program, body.amount,
                              expires_in=body.expires_in, expires_at=body.expires_at,
                              reference=body.reference, metadata=body.metadata,
                              idempotency_key=idempotency_key)


@router.get("/{hold_id}", responses=errors(404))
def get_hold(hold_id: HoldIdPath, store: Store) -> Hold:
    return store.holds.get(hold_id)


@router.post("/{hold_id}/capture", responses=errors(404, 409))
def capture_hold(hold_id: HoldIdPath, store: Store, body: HoldCapture | None = None,
                 idempotency_key: IdempotencyKey = None) -> Hold:
    """Spend all (or `amount`) of the hold; the rest is released. More than held → 400."""
    body = body or HoldCapture()
    return store.holds.capture(hold_id, amount=body.amount, description=body.description,
                               idempotency_key=idempotency_key)


@router.post("/{hold_id}/release", responses=errors(404, 409))
def release_hold(hold_id: HoldIdPath, store: Store, body: HoldRelease | None = None,
                 idempotency_key: IdempotencyKey = None) -> Hold:
    """Let go of the whole hold."""
    return store.holds.release(hold_id, idempotency_key=idempotency_key)
