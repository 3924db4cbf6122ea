"""billfold's Python SDK: a typed client over httpx, sync (`Client`) and async
(`AsyncClient`), with the library's resource namespaces.

    from billfold.client import Client

    with Client("bf_sk_…", base_url="http://127.0.0.1:8000") as api:
        api.wallets.credit("cus-42", "main", 5000, funding_type="cash", expires_in="90d")
        hold = api.holds.create("cus-42", "main", 2000)
        api.holds.capture(hold.id, amount=1500)
        print(api.wallets.get("cus-42").available)        # 3500

Every method answers a contract model (`billfold.contract`). Each call is defined
once (`wallets.py`, `commerce.py`) and sent by either transport (`transport.py`).
Every POST carries an Idempotency-Key — yours, or one generated per call — and
the same key is reused when the call is retried (connection failures,
timeouts, 429 and 5xx; `max_retries` times with exponential backoff), so a
retry never moves money twice. Refusals raise the typed errors of
`billfold.errors` (`InsufficientFunds`, `NotFound`, `InvalidRequest`, …) with
the contract's `code`, `message` and `param`, plus `http_status` and
`request_id`.
"""

from __future__ import annotations

from billfold.client.handles import AsyncClient, Client
from billfold.contract import (
    CashbackOffer,
    Checkout,
    Customer,
    Hold,
    Lot,
    LotEntry,
    NextExpiry,
    Order,
    Page,
    Refund,
    Settings,
    Stats,
    Transaction,
    Wallet,
    Withdrawal,
)

__all__ = [
    "AsyncClient",
    "CashbackOffer",
    "Checkout",
    "Client",
    "Customer",
    "Hold",
    "Lot",
    "LotEntry",
    "NextExpiry",
    "Order",
    "Page",
    "Refund",
    "Settings",
    "Stats",
    "Transaction",
    "Wallet",
    "Withdrawal",
]
