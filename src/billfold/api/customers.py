"""Customers and their wallets: create, read, credit, debit, history, lots."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from billfold.api.common import (
    DEFAULT_LIMIT,
    CustomerIdPath,
    Limit,
    ProgramPath,
    StartingAfter,
    errors,
    respond,
)
from billfold.api.deps import IdempotencyKey, Store
from billfold.api.schemas import (
    CreditCreate,
    CustomerCreate,
    CustomerOut,
    DebitCreate,
    LotList,
    TransactionList,
    TransactionOut,
    WalletOut,
    customer_out,
    lot_out,
    transaction_out,
    wallet_out,
)

router = APIRouter(prefix="/v1/customers", tags=["customers and wallets"])
WALLET = "/{customer_id}/wallets/{program}"


@router.post("", status_code=201, response_model=CustomerOut, responses={
    200: {"model": CustomerOut, "description": "The customer existed and nothing differed."},
    **errors(409)})
def create_customer(body: CustomerCreate, store: Store,
                    idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Create a customer (201), or answer the existing one (200) when nothing differs."""
    result = store.create_customer(body.id, email=body.email, name=body.name,
                                   metadata=body.metadata, idempotency_key=idempotency_key)
    body_out = customer_out(result.customer, store.wallets(body.id))
    return respond(body_out, 201 if result.created else 200)


@router.get("/{customer_id}", response_model=CustomerOut, responses=errors(404))
def get_customer(customer_id: CustomerIdPath, store: Store) -> JSONResponse:
    """The customer, with a summary of every wallet it has."""
    customer = store.customer(customer_id)
    return respond(customer_out(customer, store.wallets(customer_id)))


@router.get(WALLET, response_model=WalletOut, responses=errors(404))
def get_wallet(customer_id: CustomerIdPath, program: ProgramPath, store: Store) -> JSONResponse:
    """The wallet's figures now (zeros for a known customer with no activity)."""
    return respond(wallet_out(store.balance(customer_id, program)))


@router.post(WALLET + "/credits", status_code=201, response_model=TransactionOut,
             responses=errors(404, 409))
def credit(customer_id: CustomerIdPath, program: ProgramPath, body: CreditCreate, store: Store,
           idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Add credit as a new lot; creates the customer if needed."""
    txn = store.credit(
        customer_id, program, body.amount, funding_type=body.funding_type,
        expires_in=body.expires_in, expires_at=body.expires_at, withdrawable=body.withdrawable,
        description=body.description, reference=body.reference, metadata=body.metadata,
        idempotency_key=idempotency_key)
    return respond(transaction_out(txn), 201)


@router.post(WALLET + "/debits", status_code=201, response_model=TransactionOut,
             responses=errors(402, 404, 409))
def debit(customer_id: CustomerIdPath, program: ProgramPath, body: DebitCreate, store: Store,
          idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Spend from the wallet in spending order, or 402 with nothing changed."""
    txn = store.debit(customer_id, program, body.amount, description=body.description,
                      reference=body.reference, metadata=body.metadata,
                      idempotency_key=idempotency_key)
    return respond(transaction_out(txn), 201)


@router.get(WALLET + "/transactions", response_model=TransactionList, responses=errors(404))
def list_transactions(customer_id: CustomerIdPath, program: ProgramPath, store: Store,
                      limit: Limit = DEFAULT_LIMIT,
                      starting_after: StartingAfter = None) -> JSONResponse:
    """The wallet's history, newest first."""
    page = store.history(customer_id, program, limit=limit, starting_after=starting_after)
    return respond({"data": [transaction_out(t) for t in page.data],
                    "has_more": page.has_more, "next_cursor": page.next_cursor})


@router.get(WALLET + "/lots", response_model=LotList, responses=errors(404))
def list_lots(customer_id: CustomerIdPath, program: ProgramPath, store: Store,
              status: Annotated[Literal["active", "expired", "spent"] | None,
                                Query(description="Only lots in this state.")] = None,
              limit: Limit = DEFAULT_LIMIT,
              starting_after: StartingAfter = None) -> JSONResponse:
    """The wallet's lots, newest first."""
    page = store.lots(customer_id, program, status=status, limit=limit,
                      starting_after=starting_after)
    return respond({"data": [lot_out(lot) for lot in page.data],
                    "has_more": page.has_more, "next_cursor": page.next_cursor})
