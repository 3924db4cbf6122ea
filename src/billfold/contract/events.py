"""Events as the API lists them and webhooks deliver them: one object, the same bytes
on every delivery attempt (`shared/API.md`, "Events and webhooks")."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from billfold.contract.common import ContractModel, Page, Timestamp


class Event(ContractModel):
    id: str = Field(examples=["evt_01jf3z8k0d6m2b9q4r7t5v1w3x"])
    type: str = Field(examples=["wallet.debited"])
    created_at: Timestamp
    store_id: str
    data: dict[str, Any] = Field(description="The object's ids, the customer_id, the program "
                                             "and the amounts.")


EventPage = Page[Event]


class WebhookEndpoint(ContractModel):
    """Where the store's events are delivered, signed per the Standard Webhooks spec."""

    id: str = Field(examples=["whe_01jf3zb"])
    url: str
    events: list[str] | None = Field(description="The event types delivered; null: every "
                                                 "event.")
    status: Literal["enabled", "disabled"]
    disabled_reason: str | None = Field(
        None, description="by_request, gone (a 410 answer) or failing (5 days of failed "
                          "deliveries).")
    created_at: Timestamp
    updated_at: Timestamp


class NewWebhookEndpoint(WebhookEndpoint):
    """An endpoint with its signing secret: in the answers to creating it and rotating
    its secret only (a replay of the same Idempotency-Key answers `secret` null)."""

    secret: str | None = Field(description="whsec_<base64>: verify deliveries with it.")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "whe_01jf3zb", "url": "https://shop.example/hooks/billfold", "events": None,
        "status": "enabled", "disabled_reason": None, "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}]})


class WebhookDelivery(ContractModel):
    """One delivery attempt of an event to an endpoint."""

    id: str = Field(examples=["dlv_01jf3zc"])
    endpoint_id: str
    event_id: str
    attempt: int = Field(description="1 for the first attempt of this event here.")
    status: Literal["succeeded", "failed", "pending"]
    response_status: int | None = Field(description="The endpoint's HTTP status; null if "
                                                    "none came (timeout, refused).")
    duration_ms: int | None
    response_excerpt: str | None = Field(None, description="The start of the answer's body.")
    next_attempt_at: Timestamp = Field(description="When a pending attempt is due.")
    created_at: Timestamp
    attempted_at: Timestamp | None = None


WebhookEndpointPage = Page[WebhookEndpoint]
WebhookDeliveryPage = Page[WebhookDelivery]


class PortalSession(ContractModel):
    """A link to one customer's "My Wallet" page, opened with no other login."""

    url: str | None = Field(description="Open it in the shopper's browser; null in a "
                                        "replay of the same Idempotency-Key.",
                            examples=["http://127.0.0.1:8000/portal/Yx8…"])
    expires_at: Timestamp
    customer_id: str
    locale: str = Field(examples=["ar"])
