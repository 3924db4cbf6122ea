"""Transactions: read one, reverse one."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from billfold.api.common import TransactionIdPath, errors, respond
from billfold.api.deps import IdempotencyKey, Store
from billfold.api.schemas import ReverseCreate, TransactionOut, transaction_out

router = APIRouter(prefix="/v1/transactions", tags=["transactions"])


@router.get("/{transaction_id}", response_model=TransactionOut, responses=errors(404))
def get_transaction(transaction_id: TransactionIdPath, store: Store) -> JSONResponse:
    return respond(transaction_out(store.transaction(transaction_id)))


@router.post("/{transaction_id}/reverse", status_code=201, response_model=TransactionOut,
             responses=errors(402, 404, 409))
def reverse(transaction_id: TransactionIdPath, body: ReverseCreate, store: Store,
            idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Undo all or part of a credit or debit with a new `reversal` transaction."""
    txn = store.reverse(transaction_id, amount=body.amount, description=body.description,
                        metadata=body.metadata, idempotency_key=idempotency_key)
    return respond(transaction_out(txn), 201)
