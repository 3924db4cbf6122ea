"""Withdrawals as the API sends them (`shared/API.md`, "Codes, top-ups, withdrawals")."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from billfold.contract.common import ContractModel, Page, Timestamp


class Withdrawal(ContractModel):
    """A request to pay withdrawable credit out: `pending` (the amount is held in the
    wallet) until approved (a `withdrawal` transaction) or rejected (the hold released)."""

    id: str
    status: Literal["pending", "approved", "rejected"]
    customer_id: str
    program: str
    unit: str
    wallet_id: str
    amount: int
    transaction_id: str | None = Field(
        description="The `withdrawal` transaction once approved, the `release` once "
                    "rejected; null while pending.")
    created_at: Timestamp
    settled_at: Timestamp | None

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "wd_01jf3v9", "status": "pending", "customer_id": "cus-42", "program": "main",
        "unit": "SAR", "wallet_id": "wal_01jf3v4", "amount": 2500, "transaction_id": None,
        "created_at": "2026-01-01T00:00:00Z", "settled_at": None}]})


WithdrawalPage = Page[Withdrawal]
