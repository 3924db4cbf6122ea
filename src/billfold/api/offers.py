"""Cashback offers: create, read, close."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from billfold.api.commerce_schemas import OfferCreate
from billfold.api.common import ContractRoute, errors
from billfold.api.deps import IdempotencyKey, Store
from billfold.api.schemas import OBJECT_ID_PATTERN
from billfold.contract import CashbackOffer

router = APIRouter(prefix="/v1/cashback_offers", tags=["cashback offers"],
                   route_class=ContractRoute)
OfferIdPath = Annotated[str, Path(pattern=OBJECT_ID_PATTERN, examples=["off_01jf3v7"])]


@router.post("", status_code=201, responses=errors(409))
def create_offer(body: OfferCreate, store: Store,
                 idempotency_key: IdempotencyKey = None) -> CashbackOffer:
    """A percent (at most two decimals) or fixed cashback offer."""
    return store.offers.create(
        body.name, program=body.program, percent=body.percent, amount=body.amount,
        product_ids=body.product_ids, category_ids=body.category_ids,
        min_order_amount=body.min_order_amount, max_amount=body.max_amount,
        first_order_only=body.first_order_only, starts_at=body.starts_at,
        ends_at=body.ends_at, credit_expires_in=body.credit_expires_in,
        idempotency_key=idempotency_key)


@router.get("/{offer_id}", responses=errors(404))
def get_offer(offer_id: OfferIdPath, store: Store) -> CashbackOffer:
    return store.offers.get(offer_id)


@router.post("/{offer_id}/close", responses=errors(404, 409))
def close_offer(offer_id: OfferIdPath, store: Store,
                idempotency_key: IdempotencyKey = None) -> CashbackOffer:
    """Close the offer: no new order earns it; orders not yet fulfilled lose it."""
    return store.offers.close(offer_id, idempotency_key=idempotency_key)
