"""Customers, wallets, transactions, lots and holds as the API sends them."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from billfold.contract.common import ContractModel, Metadata, Page, Timestamp


class NextExpiry(ContractModel):
    amount: int
    expires_at: Timestamp


class Wallet(ContractModel):
    """A wallet's figures now: `total = available + held`; `pending` is promised credit
    (cashback before the order ships), not yet spendable."""

    id: str | None = Field(description="null until the wallet's first movement.")
    customer_id: str
    program: str
    unit: str
    available: int
    held: int
    pending: int
    total: int
    by_funding_type: dict[str, int]
    next_expiry: NextExpiry | None

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "wal_01jf3v4", "customer_id": "cus-42", "program": "main", "unit": "SAR",
        "available": 3300, "held": 0, "pending": 0, "total": 3300,
        "by_funding_type": {"cash": 3300},
        "next_expiry": {"amount": 3300, "expires_at": "2026-04-01T00:00:00Z"}}]})


class Customer(ContractModel):
    id: str
    email: str | None
    name: str | None
    metadata: Metadata
    created_at: Timestamp
    wallets: list[Wallet] = Field(description="A summary of every wallet it has.")
    tier: str | None = Field(None, description="The loyalty tier's name, or null.")
    tier_points: int = Field(0, description="Points counted for the tier (granted in its "
                                            "rolling window, less clawbacks).")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "cus-42", "email": "amira@example.com", "name": "Amira", "metadata": {},
        "created_at": "2026-01-01T00:00:00Z", "wallets": [], "tier": None,
        "tier_points": 0}]})


class LotEntry(ContractModel):
    lot_id: str
    funding_type: str
    amount: int = Field(description="What the transaction moved in the lot's remaining.")
    held: int = Field(description="What it moved in the lot's held part.")


class Transaction(ContractModel):
    id: str
    wallet_id: str | None
    customer_id: str | None
    program: str | None
    unit: str
    type: str = Field(description="credit, debit, hold, capture, release, expiry, refund, "
                                  "cashback, reversal, withdrawal, …")
    amount: int
    balance_after: int | None = Field(description="The wallet's total after it.")
    held_after: int | None
    funding_type: str | None
    lots: list[LotEntry]
    description: str | None
    reference: str | None
    metadata: Metadata
    reverses_transaction_id: str | None
    hold_id: str | None
    created_at: Timestamp

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "txn_01jf3v5", "wallet_id": "wal_01jf3v4", "customer_id": "cus-42",
        "program": "main", "unit": "SAR", "type": "credit", "amount": 5000,
        "balance_after": 5000, "held_after": 0, "funding_type": "cash",
        "lots": [{"lot_id": "lot_01jf3v6", "funding_type": "cash", "amount": 5000, "held": 0}],
        "description": "Goodwill credit", "reference": None, "metadata": {},
        "reverses_transaction_id": None, "hold_id": None,
        "created_at": "2026-01-01T00:00:00Z"}]})


class Lot(ContractModel):
    id: str
    status: str = Field(description="active, spent, expired or voided.")
    amount: int
    remaining: int
    held: int
    funding_type: str
    withdrawable: bool
    expires_at: Timestamp | None
    description: str | None
    transaction_id: str
    created_at: Timestamp


class Hold(ContractModel):
    id: str
    status: Literal["held", "captured", "released", "expired"]
    amount: int
    captured_amount: int
    expires_at: Timestamp
    customer_id: str
    program: str
    unit: str
    wallet_id: str
    reference: str | None
    metadata: Metadata
    created_at: Timestamp
    settled_at: Timestamp | None
    transaction_id: str = Field(description="The `hold` transaction that reserved it.")
    settled_transaction_id: str | None = Field(
        description="The transaction that settled it: its `capture` (which "
                    "`POST /v1/transactions/{id}/reverse` can undo), or its `release` (also "
                    "when it expired); null while held.")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "hold_01jf3v7", "status": "held", "amount": 2000, "captured_amount": 0,
        "expires_at": "2026-01-01T00:30:00Z", "customer_id": "cus-42", "program": "main",
        "unit": "SAR", "wallet_id": "wal_01jf3v4", "reference": "order-1001", "metadata": {},
        "created_at": "2026-01-01T00:00:00Z", "settled_at": None,
        "transaction_id": "txn_01jf3v8", "settled_transaction_id": None}]})


# The list pages, parametrized here so that they are the contract's classes.
TransactionPage = Page[Transaction]
LotPage = Page[Lot]
