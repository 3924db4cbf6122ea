"""Request and response bodies of the REST contract (`shared/API.md`).

Requests are strict: unknown fields are refused, amounts are JSON integers
from 1 to 10^15 (a string, float or boolean is refused), text may not carry
control characters. Responses are built from the library's frozen values by
the `*_out` functions; the Pydantic models below document them in OpenAPI.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
)

from billfold.customers import Customer
from billfold.durations import parse_duration_seconds
from billfold.errors import BillfoldError
from billfold.ledger.checks import (
    MAX_METADATA_KEY_LENGTH,
    MAX_METADATA_KEYS,
    MAX_METADATA_VALUE_LENGTH,
    MAX_REFERENCE_LENGTH,
    MAX_TEXT_LENGTH,
)
from billfold.ledger.models import FUNDING_TYPES, Balance, Hold, Lot, Transaction
from billfold.money import MAX_AMOUNT_MINOR, MIN_AMOUNT_MINOR

# Customer ids are the shop's own strings; in a path they may not hold '/', spaces
# or control characters.
CUSTOMER_ID_PATTERN = r"^[^/\s\x00-\x1f\x7f]{1,200}$"
PROGRAM_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
OBJECT_ID_PATTERN = r"^[A-Za-z0-9_]{1,64}$"
MAX_EXPIRY_YEAR = 9000


def _plain_text(value: str) -> str:
    """Refuse control characters (tab and newlines aside) and lone surrogates: neither
    belongs in a description, and PostgreSQL cannot store NUL."""
    for char in value:
        if char in "\t\n\r":
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            raise ValueError("must not contain control characters")
    return value


def _duration(value: object) -> object:
    try:
        parse_duration_seconds(value)
    except BillfoldError as error:
        raise ValueError(error.message) from None
    return value


def _rfc3339(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 time string such as 2026-05-01T12:00:00Z")
    return value


def _to_utc(value: datetime) -> datetime:
    try:
        moment = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range") from None
    if moment.year > MAX_EXPIRY_YEAR:
        raise ValueError(f"must be before the year {MAX_EXPIRY_YEAR}")
    return moment


Amount = Annotated[StrictInt, Field(ge=MIN_AMOUNT_MINOR, le=MAX_AMOUNT_MINOR,
                                    description="Minor units (cents, halalas), 1 to 10^15.",
                                    examples=[5000])]
Text = Annotated[StrictStr, Field(max_length=MAX_TEXT_LENGTH), AfterValidator(_plain_text)]
Reference = Annotated[StrictStr, Field(max_length=MAX_REFERENCE_LENGTH),
                      AfterValidator(_plain_text)]
MetadataKey = Annotated[StrictStr, Field(min_length=1, max_length=MAX_METADATA_KEY_LENGTH),
                        AfterValidator(_plain_text)]
MetadataValue = (Annotated[StrictStr, Field(max_length=MAX_METADATA_VALUE_LENGTH),
                           AfterValidator(_plain_text)]
                 | StrictInt | StrictBool | None)
Metadata = Annotated[dict[MetadataKey, MetadataValue],
                     Field(max_length=MAX_METADATA_KEYS,
                           description="Your own key-value pairs (strings, integers, booleans).",
                           examples=[{"order": "1001"}])]
Duration = Annotated[StrictInt | StrictStr, BeforeValidator(_duration),
                     Field(description='"30m", "12h", "90d", "2w", or whole seconds.',
                           examples=["90d"])]
Moment = Annotated[AwareDatetime, BeforeValidator(_rfc3339), AfterValidator(_to_utc),
                   Field(description="RFC 3339 time with an offset.",
                         examples=["2026-12-31T23:59:59Z"])]
CustomerId = Annotated[StrictStr, Field(pattern=CUSTOMER_ID_PATTERN,
                                        description="The shop's own customer id.",
                                        examples=["cus-42"])]
FundingType = Literal[tuple(sorted(FUNDING_TYPES))]  # type: ignore[valid-type]
Program = Annotated[StrictStr, Field(pattern=PROGRAM_PATTERN, examples=["main"])]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- requests -------------------------------------------------------------------------


class CustomerCreate(Strict):
    id: CustomerId
    email: Annotated[StrictStr, Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+$",
                                      examples=["amira@example.com"]),
                     AfterValidator(_plain_text)] | None = None
    name: Annotated[StrictStr, Field(min_length=1, max_length=200, examples=["Amira"]),
                    AfterValidator(_plain_text)] | None = None
    metadata: Metadata | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"id": "cus-42", "email": "amira@example.com", "name": "Amira"}]})


class CreditCreate(Strict):
    amount: Amount
    funding_type: FundingType = Field(examples=["cash"])
    expires_in: Duration | None = None
    expires_at: Moment | None = None
    withdrawable: StrictBool | None = Field(
        None, description="Overrides the funding type's default withdrawability.")
    description: Text | None = None
    reference: Reference | None = None
    metadata: Metadata | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount": 5000, "funding_type": "cash", "expires_in": "90d",
         "description": "Goodwill credit"}]})


class DebitCreate(Strict):
    amount: Amount
    description: Text | None = None
    reference: Reference | None = None
    metadata: Metadata | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount": 1200, "reference": "order-1001"}]})


class ReverseCreate(Strict):
    amount: Amount | None = Field(None, description="Part to reverse; everything left if omitted.")
    description: Text = Field(description="Why: every correction in the books says why.")
    metadata: Metadata | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"description": "Credited by mistake"}]})


class HoldCreate(Strict):
    customer_id: CustomerId
    program: Program
    amount: Amount
    reference: Reference | None = None
    expires_in: Duration | None = Field(None, description="Default 30m, at most 31 days.")
    expires_at: Moment | None = Field(None, description="Or an absolute time, within 31 days.")
    metadata: Metadata | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"customer_id": "cus-42", "program": "main", "amount": 2000, "expires_in": "30m",
         "reference": "order-1001"}]})


class HoldCapture(Strict):
    amount: Amount | None = Field(None, description="Part to capture; all if omitted.")
    description: Text | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"amount": 1500}]})


class HoldRelease(Strict):
    """No parameters; an empty object or no body."""


# -- responses ------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    type: Literal["invalid_request", "authentication", "permission", "not_found", "conflict",
                  "insufficient_funds", "rate_limited", "internal"]
    code: str
    message: str
    param: str | None


class ErrorBody(BaseModel):
    error: ErrorDetail

    model_config = ConfigDict(json_schema_extra={"examples": [{"error": {
        "type": "insufficient_funds", "code": "insufficient_funds",
        "message": "The wallet has 300 SAR available, 1200 SAR needed.", "param": "amount"}}]})


class NextExpiryOut(BaseModel):
    amount: int
    expires_at: datetime


class WalletOut(BaseModel):
    id: str | None = Field(description="null until the wallet's first movement.")
    customer_id: str
    program: str
    unit: str
    available: int
    held: int
    pending: int
    total: int
    by_funding_type: dict[str, int]
    next_expiry: NextExpiryOut | None

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "wal_01jf3v4", "customer_id": "cus-42", "program": "main", "unit": "SAR",
        "available": 3300, "held": 0, "pending": 0, "total": 3300,
        "by_funding_type": {"cash": 3300},
        "next_expiry": {"amount": 3300, "expires_at": "2026-04-01T00:00:00Z"}}]})


class CustomerOut(BaseModel):
    id: str
    email: str | None
    name: str | None
    metadata: dict[str, Any]
    created_at: datetime
    wallets: list[WalletOut]

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "cus-42", "email": "amira@example.com", "name": "Amira", "metadata": {},
        "created_at": "2026-01-01T00:00:00Z", "wallets": []}]})


class LotEntryOut(BaseModel):
    lot_id: str
    funding_type: str
    amount: int = Field(description="What the transaction moved in the lot's remaining.")
    held: int = Field(description="What it moved in the lot's held part.")


class TransactionOut(BaseModel):
    id: str
    wallet_id: str | None
    customer_id: str | None
    program: str | None
    unit: str
    type: str
    amount: int
    balance_after: int | None = Field(description="The wallet's total after it.")
    held_after: int | None
    funding_type: str | None
    lots: list[LotEntryOut]
    description: str | None
    reference: str | None
    metadata: dict[str, Any]
    reverses_transaction_id: str | None
    hold_id: str | None
    created_at: datetime

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "txn_01jf3v5", "wallet_id": "wal_01jf3v4", "customer_id": "cus-42",
        "program": "main", "unit": "SAR", "type": "credit", "amount": 5000,
        "balance_after": 5000, "held_after": 0, "funding_type": "cash",
        "lots": [{"lot_id": "lot_01jf3v6", "funding_type": "cash", "amount": 5000, "held": 0}],
        "description": "Goodwill credit", "reference": None, "metadata": {},
        "reverses_transaction_id": None, "hold_id": None,
        "created_at": "2026-01-01T00:00:00Z"}]})


class LotOut(BaseModel):
    id: str
    status: str
    amount: int
    remaining: int
    held: int
    funding_type: str
    withdrawable: bool
    expires_at: datetime | None
    description: str | None
    transaction_id: str
    created_at: datetime


class HoldOut(BaseModel):
    id: str
    status: Literal["held", "captured", "released", "expired"]
    amount: int
    captured_amount: int
    expires_at: datetime
    customer_id: str
    program: str
    unit: str
    wallet_id: str
    reference: str | None
    metadata: dict[str, Any]
    created_at: datetime
    settled_at: datetime | None

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "hold_01jf3v7", "status": "held", "amount": 2000, "captured_amount": 0,
        "expires_at": "2026-01-01T00:30:00Z", "customer_id": "cus-42", "program": "main",
        "unit": "SAR", "wallet_id": "wal_01jf3v4", "reference": "order-1001", "metadata": {},
        "created_at": "2026-01-01T00:00:00Z", "settled_at": None}]})


class TransactionList(BaseModel):
    data: list[TransactionOut]
    has_more: bool
    next_cursor: str | None


class LotList(BaseModel):
    data: list[LotOut]
    has_more: bool
    next_cursor: str | None


class Health(BaseModel):
    status: Literal["ok"]


# -- rendering ------------------------------------------------------------------------


def rfc3339(moment: datetime | None) -> str | None:
    """UTC with a 'Z', as the contract writes times."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def wallet_out(balance: Balance) -> dict[str, Any]:
    expiry = balance.next_expiry
    return {
        "id": balance.wallet_id, "customer_id": balance.customer_id,
        "program": balance.program, "unit": balance.unit, "available": balance.available,
        "held": balance.held, "pending": balance.pending, "total": balance.total,
        "by_funding_type": dict(balance.by_funding_type),
        "next_expiry": None if expiry is None else {
            "amount": expiry.amount, "expires_at": rfc3339(expiry.expires_at)},
    }


def customer_out(customer: Customer, wallets: tuple[Balance, ...]) -> dict[str, Any]:
    return {"id": customer.id, "email": customer.email, "name": customer.name,
            "metadata": customer.metadata, "created_at": rfc3339(customer.created_at),
            "wallets": [wallet_out(w) for w in wallets]}


def transaction_out(txn: Transaction) -> dict[str, Any]:
    return {
        "id": txn.id, "wallet_id": txn.wallet_id, "customer_id": txn.customer_id,
        "program": txn.program, "unit": txn.unit, "type": txn.type, "amount": txn.amount,
        "balance_after": txn.balance_after, "held_after": txn.held_after,
        "funding_type": txn.funding_type,
        "lots": [{"lot_id": e.lot_id, "funding_type": e.funding_type, "amount": e.amount,
                  "held": e.held_delta} for e in txn.lots],
        "description": txn.description, "reference": txn.reference,
        "metadata": txn.metadata, "reverses_transaction_id": txn.reverses_transaction_id,
        "hold_id": txn.hold_id, "created_at": rfc3339(txn.created_at),
    }


def lot_out(lot: Lot) -> dict[str, Any]:
    return {
        "id": lot.id, "status": lot.status, "amount": lot.amount, "remaining": lot.remaining,
        "held": lot.held, "funding_type": lot.funding_type, "withdrawable": lot.is_withdrawable,
        "expires_at": rfc3339(lot.expires_at), "description": lot.description,
        "transaction_id": lot.transaction_id, "created_at": rfc3339(lot.created_at),
    }


def hold_out(hold: Hold) -> dict[str, Any]:
    return {
        "id": hold.id, "status": hold.status, "amount": hold.amount,
        "captured_amount": hold.captured_amount, "expires_at": rfc3339(hold.expires_at),
        "customer_id": hold.customer_id, "program": hold.program, "unit": hold.unit,
        "wallet_id": hold.wallet_id, "reference": hold.reference, "metadata": hold.metadata,
        "created_at": rfc3339(hold.created_at), "settled_at": rfc3339(hold.settled_at),
    }
