"""Customers and their wallets: create, read, credit, debit, history, lots."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import ConfigDict, Field, StrictStr

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
from billfold.api.schemas import CreditCreate, CustomerCreate, DebitCreate, Strict
from billfold.contract import Customer, Lot, Page, PortalSession, Transaction, Wallet

router = APIRouter(prefix="/v1/customers", tags=["customers and wallets"],
                   route_class=ContractRoute)
WALLET = "/{customer_id}/wallets/{program}"


@router.post("", status_code=201, responses={
    200: {"model": Customer, "description": "The customer existed and nothing differed."},
    **errors(409)})
def create_customer(body: CustomerCreate, store: Store, response: Response,
                    idempotency_key: IdempotencyKey = None) -> Customer:
    """Create a customer (201), or answer the existing one (200) when nothing differs."""
    customer, created = store.customers.create_or_find(
        body.id, email=body.email, name=body.name, metadata=body.metadata,
        idempotency_key=idempotency_key)
    response.status_code = 201 if created else 200
    return customer


@router.get("/{customer_id}", responses=errors(404))
def get_customer(customer_id: CustomerIdPath, store: Store) -> Customer:
    """The customer, with a summary of every wallet it has."""
    return store.customers.get(customer_id)


@router.get(WALLET, responses=errors(404))
def get_wallet(customer_id: CustomerIdPath, program: ProgramPath, store: Store) -> Wallet:
    """The wallet's figures now (zeros for a known customer with no activity)."""
    return store.wallets.get(customer_id, program)


@router.post(WALLET + "/credits", status_code=201, responses=errors(404, 409))
def credit(customer_id: CustomerIdPath, program: ProgramPath, body: CreditCreate, store: Store,
           idempotency_key: IdempotencyKey = None) -> Transaction:
    """Add credit as a new lot; creates the customer if needed."""
    return store.wallets.credit(
        customer_id, program, body.amount, funding_type=body.funding_type,
        expires_in=body.expires_in, expires_at=body.expires_at, withdrawable=body.withdrawable,
        description=body.description, reference=body.reference, metadata=body.metadata,
        idempotency_key=idempotency_key)


@router.post(WALLET + "/debits", status_code=201, responses=errors(402, 404, 409))
def debit(customer_id: CustomerIdPath, program: ProgramPath, body: DebitCreate, store: Store,
          idempotency_key: IdempotencyKey = None) -> Transaction:
    """Spend from the wallet in spending order, or 402 with nothing changed."""
    return store.wallets.debit(customer_id, program, body.amount, description=body.description,
                               reference=body.reference, metadata=body.metadata,
                               idempotency_key=idempotency_key)


@router.get(WALLET + "/transactions", responses=errors(404))
def list_transactions(customer_id: CustomerIdPath, program: ProgramPath, store: Store,
                      limit: Limit = DEFAULT_LIMIT,
                      starting_after: StartingAfter = None) -> Page[Transaction]:
    """The wallet's history, newest first."""
    return store.wallets.list_transactions(customer_id, program, limit=limit,
                                           starting_after=starting_after)


@router.get(WALLET + "/lots", responses=errors(404))
def list_lots(customer_id: CustomerIdPath, program: ProgramPath, store: Store,
              status: Annotated[Literal["active", "expired", "spent"] | None,
                                Query(description="Only lots in this state.")] = None,
              limit: Limit = DEFAULT_LIMIT,
              starting_after: StartingAfter = None) -> Page[Lot]:
    """The wallet's lots, newest first."""
    return store.wallets.list_lots(customer_id, program, status=status, limit=limit,
                                   starting_after=starting_after)


class PortalSessionCreate(Strict):
    locale: Literal["en", "ar"] | None = Field(None, description="ar: Arabic, right to left.")
    return_url: Annotated[StrictStr, Field(max_length=2048)] | None = Field(
        None, description="Where the page's back link goes.")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"locale": "ar", "return_url": "https://shop.example/account"}]})


@router.post("/{customer_id}/portal_sessions", status_code=201, responses=errors(404, 409))
def create_portal_session(customer_id: CustomerIdPath, store: Store,
                          body: PortalSessionCreate | None = None,
                          idempotency_key: IdempotencyKey = None) -> PortalSession:
    """A link to the customer's "My Wallet" page, opened with no other login, for an hour
    (or the store's `portal_session_expires_in`)."""
    sent = body or PortalSessionCreate()
    return store.portal_sessions.create(customer_id, locale=sent.locale,
                                        return_url=sent.return_url,
                                        idempotency_key=idempotency_key)
