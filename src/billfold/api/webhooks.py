"""Webhook endpoints and their deliveries (`shared/API.md`, "Events and webhooks")."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import ConfigDict, Field, StrictStr

from billfold.api.common import DEFAULT_LIMIT, ContractRoute, Limit, StartingAfter, errors
from billfold.api.deps import IdempotencyKey, Store
from billfold.api.schemas import OBJECT_ID_PATTERN, Strict
from billfold.contract import NewWebhookEndpoint, Page, WebhookDelivery, WebhookEndpoint

router = APIRouter(prefix="/v1", tags=["webhooks"], route_class=ContractRoute)
EndpointIdPath = Annotated[str, Path(pattern=OBJECT_ID_PATTERN, examples=["whe_01jf3zb"])]
DeliveryIdPath = Annotated[str, Path(pattern=OBJECT_ID_PATTERN, examples=["dlv_01jf3zc"])]
Url = Annotated[StrictStr, Field(min_length=1, max_length=2048,
                                 examples=["https://shop.example/hooks/billfold"])]
EventTypes = Annotated[list[Annotated[StrictStr, Field(max_length=64)]],
                       Field(min_length=1, max_length=100,
                             examples=[["wallet.low_balance", "topup.required"]])]


class EndpointCreate(Strict):
    url: Url
    events: EventTypes | None = Field(None, description="Left out: every event.")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"url": "https://shop.example/hooks/billfold", "events": ["wallet.low_balance"]}]})


class EndpointPatch(Strict):
    url: Url | None = None
    events: EventTypes | None = Field(None, description="null: every event.")
    status: Literal["enabled", "disabled"] | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"status": "enabled"}]})


class NoBody(Strict):
    """No parameters; an empty object or no body."""


@router.post("/webhook_endpoints", status_code=201, responses=errors(409))
def create_endpoint(body: EndpointCreate, store: Store,
                    idempotency_key: IdempotencyKey = None) -> NewWebhookEndpoint:
    """Deliver the store's events (all, or those listed) to `url`, signed with the
    `secret` in this answer (Standard Webhooks). 400 for an unknown event type, a URL
    that is not http(s), or one whose host is not a public address."""
    return store.webhooks.create(body.url, events=body.events,
                                 idempotency_key=idempotency_key)


@router.get("/webhook_endpoints", responses=errors())
def list_endpoints(store: Store) -> Page[WebhookEndpoint]:
    return store.webhooks.list()


@router.get("/webhook_endpoints/{endpoint_id}", responses=errors(404))
def get_endpoint(endpoint_id: EndpointIdPath, store: Store) -> WebhookEndpoint:
    return store.webhooks.get(endpoint_id)


@router.patch("/webhook_endpoints/{endpoint_id}", responses=errors(404, 409))
def patch_endpoint(endpoint_id: EndpointIdPath, body: EndpointPatch, store: Store,
                   idempotency_key: IdempotencyKey = None) -> WebhookEndpoint:
    """Change the URL, the events (null: every event) or the status — `enabled` again
    after billfold disabled it."""
    sent = body.model_dump(exclude_unset=True)
    return store.webhooks.update(endpoint_id, url=sent.get("url"), events=sent.get("events"),
                                 status=sent.get("status"),
                                 every_event="events" in sent and sent["events"] is None,
                                 idempotency_key=idempotency_key)


@router.post("/webhook_endpoints/{endpoint_id}/rotate_secret", responses=errors(404, 409))
def rotate_secret(endpoint_id: EndpointIdPath, store: Store, body: NoBody | None = None,
                  idempotency_key: IdempotencyKey = None) -> NewWebhookEndpoint:
    """A new secret; the old one keeps signing beside it for 24 hours."""
    return store.webhooks.rotate_secret(endpoint_id, idempotency_key=idempotency_key)


@router.get("/webhook_endpoints/{endpoint_id}/deliveries", responses=errors(404))
def list_deliveries(endpoint_id: EndpointIdPath, store: Store, limit: Limit = DEFAULT_LIMIT,
                    starting_after: StartingAfter = None) -> Page[WebhookDelivery]:
    """Every delivery attempt to the endpoint, newest first."""
    return store.webhooks.list_deliveries(endpoint_id, limit=limit,
                                          starting_after=starting_after)


@router.post("/webhook_endpoints/{endpoint_id}/deliveries/{delivery_id}/replay",
             status_code=201, responses=errors(404, 409))
def replay_delivery(endpoint_id: EndpointIdPath, delivery_id: DeliveryIdPath, store: Store,
                    body: NoBody | None = None,
                    idempotency_key: IdempotencyKey = None) -> WebhookDelivery:
    """A new attempt of that delivery's event, due now (the worker sends it)."""
    return store.webhooks.replay(endpoint_id, delivery_id, idempotency_key=idempotency_key)
