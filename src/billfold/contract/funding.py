"""Wallet codes as the API sends them."""

from __future__ import annotations

import csv
import io
from typing import Literal

from pydantic import ConfigDict, Field

from billfold.contract.common import ContractModel, Page, Timestamp


class WalletCodeBatch(ContractModel):
    """A batch of wallet codes, without its codes (they are shown once, at creation)."""

    id: str
    status: str = Field(description="active or disabled.")
    amount: int
    program: str
    funding_type: str
    withdrawable: bool
    count: int = Field(description="How many codes the batch has.")
    max_redemptions: int = Field(description="How many customers may redeem each code.")
    redeemed: int = Field(description="Redemptions so far, all codes together.")
    expires_at: Timestamp | None = Field(description="When the codes stop redeeming.")
    credit_expires_in: int | None = Field(
        description="Seconds the credit of a redemption lasts (null: the program's default).")
    created_at: Timestamp
    disabled_at: Timestamp | None


class NewWalletCodeBatch(WalletCodeBatch):
    """The answer to creating a batch: its plain codes, here and nowhere else.

    Only the codes' hashes are kept, so a replay of the request (same Idempotency-Key)
    answers the same batch with `codes` empty. `Accept: text/csv` on the create call
    answers the same codes as CSV (`to_csv()` here)."""

    codes: list[str] = Field(description="The plain codes, e.g. 7KQ4-M2XD-9RTB-H0WC.")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "code_01jf3v7", "status": "active", "amount": 5000, "program": "main",
        "funding_type": "code_redemption", "withdrawable": False, "count": 2,
        "max_redemptions": 1, "redeemed": 0, "expires_at": "2026-12-31T23:59:59Z",
        "credit_expires_in": 7776000, "created_at": "2026-01-01T00:00:00Z",
        "disabled_at": None, "codes": ["7KQ4-M2XD-9RTB-H0WC", "Q3ZT-8E1N-CV5K-P2MA"]}]})

    def to_csv(self) -> str:
        """`code,batch_id,amount,program,expires_at`, one line per code."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["code", "batch_id", "amount", "program", "expires_at"])
        expires = "" if self.expires_at is None else self.expires_at.isoformat().replace(
            "+00:00", "Z")
        for code in self.codes:
            writer.writerow([code, self.id, self.amount, self.program, expires])
        return out.getvalue()


class Topup(ContractModel):
    """A customer's payment into their own wallet: `pending` until the shop confirms it
    with the payment's reference (`succeeded`, a `cash` lot), cancels it, or it expires."""

    id: str
    status: Literal["pending", "succeeded", "cancelled", "expired"]
    customer_id: str
    program: str
    amount: int
    trigger: Literal["manual", "auto"] = Field(
        description="manual: asked for; auto: made by the wallet's automatic top-up.")
    payment_reference: str | None = Field(description="The processor's payment id, once "
                                                      "confirmed.")
    transaction_id: str | None = Field(description="The credit, once confirmed.")
    expires_at: Timestamp = Field(description="A pending top-up expires then.")
    created_at: Timestamp
    settled_at: Timestamp | None

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "top_01jf3va", "status": "pending", "customer_id": "cus-42", "program": "main",
        "amount": 10000, "trigger": "manual", "payment_reference": None,
        "transaction_id": None, "expires_at": "2026-01-02T00:00:00Z",
        "created_at": "2026-01-01T00:00:00Z", "settled_at": None}]})


class AutoTopup(ContractModel):
    """A wallet's automatic top-up: when a movement takes `available` below `threshold`,
    a pending top-up of `amount` and a `topup.required` event, once per crossing."""

    customer_id: str
    program: str
    threshold: int
    amount: int
    created_at: Timestamp
    updated_at: Timestamp
    deleted: bool = Field(False, description="True in the answer to DELETE.")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "customer_id": "cus-42", "program": "main", "threshold": 2000, "amount": 10000,
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
        "deleted": False}]})


TopupPage = Page[Topup]
