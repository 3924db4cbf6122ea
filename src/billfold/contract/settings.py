"""Store settings and statistics as the API sends them."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from billfold.contract.common import ContractModel, Timestamp
from billfold.contract.loyalty import Tier


class ProgramSettings(ContractModel):
    unit: str
    kind: str
    max_per_order_amount: int | None
    max_per_order_percent: str | None = Field(description='A decimal string, "12.50".')
    points_per_unit: int | None
    expires_in: int | str | None


class Settings(ContractModel):
    wallet_enabled: bool
    currency: str
    cashback_expires_in: int | str | None
    auto_apply: bool
    allow_topup: bool
    topup_amounts: list[int]
    low_balance_threshold: int | None
    withdrawals_enabled: bool
    allow_transfers: bool = Field(False, description="Whether customers' credit may move "
                                                     "between customers (POST /v1/transfers).")
    clawback_shortfall: str
    topup_min_amount: int | None = Field(
        None, description="With topup_max_amount: free top-up amounts in these bounds.")
    topup_max_amount: int | None = None
    topup_expires_in: int | str = Field(
        "1d", description="How long a pending top-up waits for its confirmation.")
    expiry_notice_before: int | str = Field(
        "3d", description="How long before a lot expires `lot.expiring_soon` fires.")
    portal_session_expires_in: int | str = Field(
        "1h", description="How long a portal session's link opens the page.")
    programs: dict[str, ProgramSettings]
    tiers: list[Tier] = Field(default_factory=list,
                              description="Loyalty tiers, by min_points.")


class Flows(ContractModel):
    """Money that moved in a window (minor units of the program's unit)."""

    issued: int
    spent: int
    expired: int
    voided: int
    cashback_granted: int


class ProgramFlows(Flows):
    unit: str


class DayFlows(Flows):
    date: str = Field(description="The UTC day, 2026-01-31.")


class CashbackStats(ContractModel):
    promised: int
    pending: int
    granted: int
    voided: int
    clawed_back: int
    shortfall: int
    deducted: int


class Stats(Flows):
    """Liability now (`outstanding`: available + held, by program) and the flows of the
    window `from` to `to` (the store currency's programs), with a daily series."""

    currency: str
    start: Timestamp = Field(alias="from")
    end: Timestamp = Field(alias="to")
    outstanding: dict[str, int]
    outstanding_by_funding_type: dict[str, dict[str, int]]
    customers_with_balance: int
    usage_rate: int = Field(description="Spent over issued, in basis points.")
    usage_rate_percent: str
    cashback: CashbackStats
    by_program: dict[str, ProgramFlows]
    series: list[DayFlows]

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True,
                              serialize_by_alias=True)
