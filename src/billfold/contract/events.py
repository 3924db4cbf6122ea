"""Events as the API lists them and webhooks deliver them: one object, the same bytes
on every delivery attempt (`shared/API.md`, "Events and webhooks")."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from billfold.contract.common import ContractModel, Timestamp


class Event(ContractModel):
    id: str = Field(examples=["evt_01jf3z8k0d6m2b9q4r7t5v1w3x"])
    type: str = Field(examples=["wallet.debited"])
    created_at: Timestamp
    store_id: str
    data: dict[str, Any] = Field(description="The object's ids, the customer_id, the program "
                                             "and the amounts.")
