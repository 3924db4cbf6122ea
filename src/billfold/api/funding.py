"""Wallet codes (create, read, disable, redeem), top-ups (create, confirm, cancel, list)
and automatic top-ups (`shared/API.md`, "Codes, top-ups, withdrawals, portal")."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import Response

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
from billfold.api.funding_schemas import (
    AutoTopupPut,
    CodeRedeem,
    TopupAction,
    TopupConfirm,
    TopupCreate,
    WalletCodeCreate,
)
from billfold.api.schemas import OBJECT_ID_PATTERN
from billfold.contract import (
    AutoTopup,
    NewWalletCodeBatch,
    Page,
    Topup,
    Transaction,
    WalletCodeBatch,
)

router = APIRouter(prefix="/v1", tags=["wallet codes and top-ups"], route_class=ContractRoute)
BatchIdPath = Annotated[str, Path(pattern=OBJECT_ID_PATTERN, examples=["code_01jf3v7"])]
TopupIdPath = Annotated[str, Path(pattern=OBJECT_ID_PATTERN, examples=["top_01jf3va"])]
CSV = "text/csv"


@router.post("/wallet_codes", status_code=201, response_model=NewWalletCodeBatch,
             responses={**errors(404, 409), 201: {"content": {CSV: {}}, "description":
                        "The batch and its plain codes, shown here only; as CSV with "
                        "`Accept: text/csv`."}})
def create_wallet_codes(body: WalletCodeCreate, store: Store,
                        accept: Annotated[str | None, Header()] = None,
                        idempotency_key: IdempotencyKey = None) -> Any:
    """A batch of `count` codes worth `amount` each. Only the codes' hashes are kept: the
    plain codes are in this answer and nowhere else (`Accept: text/csv` for a file)."""
    made = store.codes.create(
        body.amount, body.program, count=body.count, funding_type=body.funding_type,
        max_redemptions=body.max_redemptions, expires_at=body.expires_at,
        credit_expires_in=body.credit_expires_in, withdrawable=body.withdrawable,
        idempotency_key=idempotency_key)
    if accept is not None and CSV in accept:
        return Response(made.to_csv(), status_code=201, media_type=CSV, headers={
            "Content-Disposition": f'attachment; filename="{made.id}.csv"'})
    return made


@router.get("/wallet_codes/{batch_id}", responses=errors(404))
def get_wallet_codes(batch_id: BatchIdPath, store: Store) -> WalletCodeBatch:
    """The batch without its codes, with how many redemptions it has had."""
    return store.codes.get(batch_id)


@router.post("/wallet_codes/{batch_id}/disable", responses=errors(404, 409))
def disable_wallet_codes(batch_id: BatchIdPath, store: Store,
                         body: TopupAction | None = None,
                         idempotency_key: IdempotencyKey = None) -> WalletCodeBatch:
    """The batch's codes redeem no more."""
    return store.codes.disable(batch_id, idempotency_key=idempotency_key)


@router.post("/wallet_codes/redeem", status_code=201, responses=errors(404, 409, 429))
def redeem_wallet_code(body: CodeRedeem, store: Store,
                       idempotency_key: IdempotencyKey = None) -> Transaction:
    """Credit the code's amount to the customer's wallet. Any code that cannot be redeemed
    (unknown, used up, disabled, expired) is the same 400; a second redemption by the
    customer is 409; after 10 wrong codes for a customer (or 100 for the store) within 10
    minutes, 429 with `Retry-After`."""
    return store.codes.redeem(body.code, body.customer_id, idempotency_key=idempotency_key)


@router.post("/customers/{customer_id}/wallets/{program}/topups", status_code=201,
             responses=errors(403, 404, 409))
def create_topup(customer_id: CustomerIdPath, program: ProgramPath, body: TopupCreate,
                 store: Store, idempotency_key: IdempotencyKey = None) -> Topup:
    """A pending top-up for the customer to pay; 403 where the store takes no top-ups,
    400 for an amount not in `topup_amounts` (nor within the free bounds)."""
    return store.topups.create(customer_id, program, body.amount,
                               idempotency_key=idempotency_key)


@router.get("/customers/{customer_id}/wallets/{program}/topups", responses=errors(404))
def list_topups(customer_id: CustomerIdPath, program: ProgramPath, store: Store,
                status: Annotated[Literal["pending", "succeeded", "cancelled", "expired"]
                                  | None, Query(description="Only top-ups in this state.")
                                  ] = None,
                limit: Limit = DEFAULT_LIMIT,
                starting_after: StartingAfter = None) -> Page[Topup]:
    """The wallet's top-ups, newest first."""
    return store.topups.list(customer_id, program, status=status, limit=limit,
                             starting_after=starting_after)


@router.get("/topups/{topup_id}", responses=errors(404))
def get_topup(topup_id: TopupIdPath, store: Store) -> Topup:
    return store.topups.get(topup_id)


@router.post("/topups/{topup_id}/confirm", responses=errors(404, 409))
def confirm_topup(topup_id: TopupIdPath, body: TopupConfirm, store: Store,
                  idempotency_key: IdempotencyKey = None) -> Topup:
    """The payment arrived: the top-up becomes a `cash` lot (`succeeded`). The same
    `payment_reference` again answers it again; another one is 409."""
    return store.topups.confirm(topup_id, body.payment_reference,
                                idempotency_key=idempotency_key)


@router.post("/topups/{topup_id}/cancel", responses=errors(404, 409))
def cancel_topup(topup_id: TopupIdPath, store: Store, body: TopupAction | None = None,
                 idempotency_key: IdempotencyKey = None) -> Topup:
    """The top-up will not be paid; 409 unless pending (or already cancelled)."""
    return store.topups.cancel(topup_id, idempotency_key=idempotency_key)


@router.put("/customers/{customer_id}/wallets/{program}/auto_topup",
            responses=errors(403, 404, 409))
def put_auto_topup(customer_id: CustomerIdPath, program: ProgramPath, body: AutoTopupPut,
                   store: Store, idempotency_key: IdempotencyKey = None) -> AutoTopup:
    """The wallet's automatic top-up: when a movement takes `available` from at or above
    `threshold` to below it, a pending top-up of `amount` and a `topup.required` event."""
    return store.topups.set_auto(customer_id, program, body.threshold, body.amount,
                                 idempotency_key=idempotency_key)


@router.get("/customers/{customer_id}/wallets/{program}/auto_topup", responses=errors(404))
def get_auto_topup(customer_id: CustomerIdPath, program: ProgramPath,
                   store: Store) -> AutoTopup:
    return store.topups.get_auto(customer_id, program)


@router.delete("/customers/{customer_id}/wallets/{program}/auto_topup",
               responses=errors(404))
def delete_auto_topup(customer_id: CustomerIdPath, program: ProgramPath,
                      store: Store) -> AutoTopup:
    """Remove the wallet's automatic top-up; answers the rule removed, `deleted` true."""
    return store.topups.delete_auto(customer_id, program)
