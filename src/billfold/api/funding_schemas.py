"""Request bodies of wallet codes and top-ups (`shared/API.md`, "Codes, top-ups,
withdrawals, portal")."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StrictBool, StrictInt, StrictStr

from billfold.api.schemas import (
    Amount,
    CustomerId,
    Duration,
    FundingType,
    Moment,
    Program,
    Reference,
    Strict,
)
from billfold.funding.codes import (
    MAX_CODE_INPUT_LENGTH,
    MAX_CODES_PER_BATCH,
    MAX_REDEMPTIONS_PER_CODE,
)

EXAMPLE_CODE = "7kq4 m2xd 9rtb h0wc"  # as a shopper may type it


class WalletCodeCreate(Strict):
    amount: Amount
    program: Program
    count: Annotated[StrictInt, Field(ge=1, le=MAX_CODES_PER_BATCH,
                                      description="How many codes, 1 to 10,000.")] = 1
    funding_type: FundingType = Field("code_redemption", examples=["code_redemption"])
    max_redemptions: Annotated[StrictInt, Field(
        ge=1, le=MAX_REDEMPTIONS_PER_CODE,
        description="How many customers may redeem each code.")] = 1
    expires_at: Moment | None = Field(None, description="The codes redeem until then.")
    credit_expires_in: Duration | None = Field(
        None, description="How long a redemption's credit lasts (the program's default "
                          "if left out).")
    withdrawable: StrictBool | None = Field(
        None, description="Overrides the funding type's default withdrawability.")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount": 5000, "program": "main", "count": 100, "expires_at": "2026-12-31T23:59:59Z",
         "credit_expires_in": "90d"}]})


class CodeRedeem(Strict):
    code: Annotated[StrictStr, Field(min_length=1, max_length=MAX_CODE_INPUT_LENGTH,
                                     description="Read without regard to case, spaces "
                                                 "or dashes.",
                                     examples=["7KQ4-M2XD-9RTB-H0WC"])]
    customer_id: CustomerId

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"code": EXAMPLE_CODE, "customer_id": "cus-42"}]})


class TopupCreate(Strict):
    amount: Amount

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount": 10000}]})


class TopupConfirm(Strict):
    payment_reference: Annotated[Reference, Field(min_length=1,
                                                  description="The payment's id at your "
                                                              "processor.")]

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"payment_reference": "pi_3PqR8s2eZvKYlo2C"}]})


class TopupAction(Strict):
    """No parameters; an empty object or no body."""


class AutoTopupPut(Strict):
    threshold: Amount
    amount: Amount

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"threshold": 2000, "amount": 10000}]})
