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
from billfold.contract.events import (
    Event,
    EventPage,
    NewWebhookEndpoint,
    PortalSession,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookEndpoint,
    WebhookEndpointPage,
)
from billfold.contract.funding import (  # funding
    AutoTopup,
    NewWalletCodeBatch,
    Topup,
    TopupPage,
    WalletCodeBatch,
)
from billfold.contract.loyalty import (
    AwardedPoints,
    Draw,
    EarningRule,
    EarningRulePage,
    LoyaltyEvent,
    OrderPoints,
    Outcome,
    Referral,
    Tier,
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
from billfold.contract.withdrawals import Withdrawal, WithdrawalPage

__all__ = [
    "AutoTopup",
    "AwardedPoints",  # loyalty
    "BreakdownPart",
    "CashbackOffer",
    "CashbackStats",
    "CashbackSummary",
    "Checkout",
    "ContractModel",
    "Customer",
    "DayFlows",
    "Draw",  # loyalty
    "EarningRule",  # loyalty
    "EarningRulePage",  # loyalty
    "ErrorBody",
    "ErrorDetail",
    "Event",
    "EventPage",
    "Flows",
    "Health",
    "Hold",
    "Lot",
    "LotEntry",
    "LotPage",
    "LoyaltyEvent",  # loyalty
    "NewWalletCodeBatch",
    "NewWebhookEndpoint",
    "NextExpiry",
    "OfferCashback",
    "Order",
    "OrderLine",
    "OrderPoints",  # loyalty
    "Outcome",  # loyalty
    "Page",
    "Payment",
    "PortalSession",
    "ProgramFlows",
    "ProgramSettings",
    "Referral",  # loyalty
    "Refund",
    "RefundPage",
    "Settings",
    "Stats",
    "Tier",  # loyalty
    "Topup",
    "TopupPage",
    "Transaction",
    "TransactionPage",
    "Wallet",
    "WalletCodeBatch",
    "WebhookDelivery",
    "WebhookDeliveryPage",
    "WebhookEndpoint",
    "WebhookEndpointPage",
    "Withdrawal",
    "WithdrawalPage",
]
