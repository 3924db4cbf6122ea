"""Withdrawals (request, approve, reject, read) and transfers between customers."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from billfold.api.common import (
    DEFAULT_LIMIT,
    ContractRoute,
    CustomerIdPath,
    Limit,
    ProgramPath,
    StartingAfter,
    errors,
)
from billfold.api.deps import IdempotencyKey, Store
from billfold.api.schemas import (
    CUSTOMER_ID_PATTERN,
    OBJECT_ID_PATTERN,
    TransferCreate,
    WithdrawalAction,
    WithdrawalCreate,
)
from billfold.contract import Page, Transaction, Withdrawal

router = APIRouter(prefix="/v1", tags=["withdrawals and transfers"], route_class=ContractRoute)
WithdrawalIdPath = Annotated[str, Path(pattern=OBJECT_ID_PATTERN, examples=["wd_01jf3v9"])]


@router.post("/customers/{customer_id}/wallets/{program}/withdrawals", status_code=201,
             responses=errors(402, 403, 404, 409))
def request_withdrawal(customer_id: CustomerIdPath, program: ProgramPath,
                       body: WithdrawalCreate, store: Store,
                       idempotency_key: IdempotencyKey = None) -> Withdrawal:
    """Hold `amount` of the wallet's withdrawable credit (`held` in the wallet) until an
    admin approves or rejects it; 403 where the store allows no withdrawals, 402 if the
    withdrawable part is smaller."""
    return store.withdrawals.create(customer_id, program, body.amount,
                                    idempotency_key=idempotency_key)


@router.get("/withdrawals", responses=errors())
def list_withdrawals(store: Store,
                     customer_id: Annotated[str | None, Query(
                         pattern=CUSTOMER_ID_PATTERN, description="Only this customer's.")
                     ] = None,
                     status: Annotated[Literal["pending", "approved", "rejected"] | None,
                                       Query(description="Only withdrawals in this state.")
                                       ] = None,
                     limit: Limit = DEFAULT_LIMIT,
                     starting_after: StartingAfter = None) -> Page[Withdrawal]:
    """The store's withdrawals, newest first."""
    return store.withdrawals.list(customer_id=customer_id, status=status, limit=limit,
                                  starting_after=starting_after)


@router.get("/withdrawals/{withdrawal_id}", responses=errors(404))
def get_withdrawal(withdrawal_id: WithdrawalIdPath, store: Store) -> Withdrawal:
    return store.withdrawals.get(withdrawal_id)


@router.post("/withdrawals/{withdrawal_id}/approve", responses=errors(403, 404, 409))
def approve_withdrawal(withdrawal_id: WithdrawalIdPath, store: Store,
                       body: WithdrawalAction | None = None,
                       idempotency_key: IdempotencyKey = None) -> Withdrawal:
    """Pay the held amount out as a `withdrawal` transaction; 409 unless pending."""
    return store.withdrawals.approve(withdrawal_id, idempotency_key=idempotency_key)


@router.post("/withdrawals/{withdrawal_id}/reject", responses=errors(404, 409))
def reject_withdrawal(withdrawal_id: WithdrawalIdPath, store: Store,
                      body: WithdrawalAction | None = None,
                      idempotency_key: IdempotencyKey = None) -> Withdrawal:
    """Release the held amount back to the wallet; 409 unless pending."""
    return store.withdrawals.reject(withdrawal_id, idempotency_key=idempotency_key)


@router.post("/transfers", status_code=201, responses=errors(402, 403, 404, 409))
def create_transfer(body: TransferCreate, store: Store,
                    idempotency_key: IdempotencyKey = None) -> Transaction:
    """Move credit from one customer of the store to another, lots keeping their funding
    types and expiry; 403 unless `allow_transfers` is on, 402 beyond what is available."""
    return store.transfers.create(body.from_customer_id, body.to_customer_id, body.program,
                                  body.amount, description=body.description,
                                  reference=body.reference, metadata=body.metadata,
                                  idempotency_key=idempotency_key)
