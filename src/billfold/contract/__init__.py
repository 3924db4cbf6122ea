"""The REST contract in Python: one Pydantic model per object the API returns (and
the SDK parses), and one Protocol per resource namespace (`namespaces`).

Imports no web framework and nothing of the service: a shop's code may depend on
these alone. Fields are named as the API sends them (`shared/API.md`)."""

from __future__ import annotations

from billfold.contract.commerce import (
    BreakdownPart,
    CashbackOffer,
    CashbackSummary,
    Checkout,
    OfferCashback,
    Order,
    OrderLine,
    Payment,
    Refund,
    RefundPage,
)
from billfold.contract.common import ContractModel, ErrorBody, ErrorDetail, Health, Page
from billfold.contract.funding import (  # funding
    NewWalletCodeBatch,
    WalletCodeBatch,
)
from billfold.contract.settings import (
    CashbackStats,
    DayFlows,
    Flows,
    ProgramFlows,
    ProgramSettings,
    Settings,
    Stats,
)
from billfold.contract.wallets import (
    Customer,
    Hold,
    Lot,
    LotEntry,
    LotPage,
    NextExpiry,
    Transaction,
    TransactionPage,
    Wallet,
)

__all__ = [
    "BreakdownPart",
    "CashbackOffer",
    "CashbackStats",
    "CashbackSummary",
    "Checkout",
    "ContractModel",
    "Customer",
    "DayFlows",
    "ErrorBody",
    "ErrorDetail",
    "Flows",
    "Health",
    "Hold",
    "Lot",
    "LotEntry",
    "LotPage",
    "NewWalletCodeBatch",
    "NextExpiry",
    "OfferCashback",
    "Order",
    "OrderLine",
    "Page",
    "Payment",
    "ProgramFlows",
    "ProgramSettings",
    "Refund",
    "RefundPage",
    "Settings",
    "Stats",
    "Transaction",
    "TransactionPage",
    "Wallet",
    "WalletCodeBatch",
]
