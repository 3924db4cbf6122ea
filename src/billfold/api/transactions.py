"""Transactions: read one, reverse one."""

from __future__ import annotations

from fastapi import APIRouter

from billfold.api.common import ContractRoute, TransactionIdPath, errors
from billfold.api.deps import IdempotencyKey, Store
from billfold.api.schemas import ReverseCreate
from billfold.contract import Transaction

router = APIRouter(prefix="/v1/transactions", tags=["transactions"], route_class=ContractRoute)


@router.get("/{transaction_id}", responses=errors(404))
def get_transaction(transaction_id: TransactionIdPath, store: Store) -> Transaction:
    return store.transactions.get(transaction_id)


@router.post("/{transaction_id}/reverse", status_code=201, responses=errors(402, 404, 409))
def reverse(transaction_id: TransactionIdPath, body: ReverseCreate, store: Store,
            idempotency_key: IdempotencyKey = None) -> Transaction:
    """Undo all or part of a credit or debit with a new `reversal` transaction."""
    return store.transactions.reverse(transaction_id, amount=body.amount,
                                      description=body.description, metadata=body.metadata,
                                      idempotency_key=idempotency_key)
