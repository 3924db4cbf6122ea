"""Request bodies of the REST contract (`shared/API.md`): input validation at the edge.

Requests are strict: unknown fields are refused, amounts are JSON integers
from 1 to 10^15 (a string, float or boolean is refused), text may not carry
control characters. What the API answers is the contract (`billfold.contract`), as
the library returns it (built from its values by `billfold.app.render`).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Literal

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

from billfold.durations import parse_duration_seconds
from billfold.errors import BillfoldError
from billfold.ledger.checks import (
    MAX_METADATA_KEY_LENGTH,
    MAX_METADATA_KEYS,
    MAX_METADATA_VALUE_LENGTH,
    MAX_REFERENCE_LENGTH,
    MAX_TEXT_LENGTH,
)
from billfold.ledger.models import FUNDING_TYPES
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


class WithdrawalCreate(Strict):
    amount: Amount

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount": 2500}]})


class WithdrawalAction(Strict):
    """No parameters; an empty object or no body."""


class TransferCreate(Strict):
    from_customer_id: CustomerId
    to_customer_id: CustomerId
    program: Program
    amount: Amount
    description: Text | None = None
    reference: Reference | None = None
    metadata: Metadata | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"from_customer_id": "cus-42", "to_customer_id": "cus-43", "program": "main",
         "amount": 1000}]})
