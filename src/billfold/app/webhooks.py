"""`shop.webhooks`: the store's webhook endpoints and their deliveries (REST
`/v1/webhook_endpoints`). The worker delivers (`billfold.worker.deliver`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.webhooks import deliveries, endpoints
from billfold.webhooks.deliveries import Attempt
from billfold.webhooks.endpoints import Endpoint


def _without_secrets(value: Endpoint) -> Endpoint:
    return replace(value, secret="", previous_secret=None)


@dataclass(frozen=True, slots=True)
class CreateEndpoint(Mutation[Endpoint]):
    operation = "create_webhook_endpoint"
    result_type = Endpoint
    url: str
    events: tuple[str, ...] | None = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> Endpoint:
        return endpoints.create_endpoint(
            conn, store_id=store_id, url=self.url,
            events=None if self.events is None else list(self.events), now=now)

    def kept(self, result: Endpoint) -> Endpoint:
        return _without_secrets(result)  # the secret is shown once


@dataclass(frozen=True, slots=True)
class UpdateEndpoint(Mutation[Endpoint]):
    operation = "update_webhook_endpoint"
    result_type = Endpoint
    endpoint_id: str
    changes: dict[str, Any]

    def run(self, conn: Connection, store_id: str, now: datetime) -> Endpoint:
        return endpoints.update_endpoint(conn, store_id=store_id,
                                         endpoint_id=self.endpoint_id, now=now,
                                         changes=self.changes)


@dataclass(frozen=True, slots=True)
class RotateSecret(Mutation[Endpoint]):
    operation = "rotate_webhook_secret"
    result_type = Endpoint
    endpoint_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Endpoint:
        return endpoints.rotate_secret(conn, store_id=store_id, endpoint_id=self.endpoint_id,
                                       now=now)

    def kept(self, result: Endpoint) -> Endpoint:
        return _without_secrets(result)


@dataclass(frozen=True, slots=True)
class ReplayDelivery(Mutation[Attempt]):
    operation = "replay_webhook_delivery"
    result_type = Attempt
    endpoint_id: str
    delivery_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Attempt:
        return deliveries.replay(conn, store_id=store_id, endpoint_id=self.endpoint_id,
                                 delivery_id=self.delivery_id, now=now)


class Webhooks(Namespace):
    def create(self, url: str, *, events: list[str] | None = None,
               idempotency_key: str | None = None) -> contract.NewWebhookEndpoint:
        """An endpoint for every event (or the `events` listed), and its signing secret,
        shown here only. InvalidRequest for a URL that is not http(s) or not public."""
        made = self._mutate(CreateEndpoint(url, None if events is None else tuple(events)),
                            idempotency_key)
        return render.new_webhook_endpoint(made, made.secret or None)

    def get(self, endpoint_id: str) -> contract.WebhookEndpoint:
        return render.webhook_endpoint(self._read(
            lambda c: endpoints.get_endpoint(c, self.store_id, endpoint_id)))

    def list(self) -> contract.Page[contract.WebhookEndpoint]:
        return render.whole_list(contract.WebhookEndpoint, self._read(
            lambda c: endpoints.list_endpoints(c, self.store_id)), render.webhook_endpoint)

    def update(self, endpoint_id: str, *, url: str | None = None,
               events: list[str] | None = None, status: str | None = None,
               every_event: bool = False,
               idempotency_key: str | None = None) -> contract.WebhookEndpoint:
        """Change the URL, the events (`every_event=True`: all of them) or the status
        (`enabled` again after a disabling)."""
        changes: dict[str, Any] = {}
        if url is not None:
            changes["url"] = url
        if events is not None or every_event:
            changes["events"] = None if every_event else events
        if status is not None:
            changes["status"] = status
        return render.webhook_endpoint(self._mutate(UpdateEndpoint(endpoint_id, changes),
                                                    idempotency_key))

    def rotate_secret(self, endpoint_id: str, *,
                      idempotency_key: str | None = None) -> contract.NewWebhookEndpoint:
        """A new secret; the previous one keeps signing beside it for 24 hours."""
        rotated = self._mutate(RotateSecret(endpoint_id), idempotency_key)
        return render.new_webhook_endpoint(rotated, rotated.secret or None)

    def list_deliveries(self, endpoint_id: str, *, limit: int | None = None,
                        starting_after: str | None = None
                        ) -> contract.Page[contract.WebhookDelivery]:
        """The endpoint's delivery attempts, newest first."""
        return render.page(contract.WebhookDelivery, self._snapshot(
            lambda c: deliveries.list_attempts(c, self.store_id, endpoint_id,
                                               limit=limit or 20,
                                               starting_after=starting_after)),
            render.webhook_delivery)

    def replay(self, endpoint_id: str, delivery_id: str, *,
               idempotency_key: str | None = None) -> contract.WebhookDelivery:
        """A new attempt of that delivery's event, due now."""
        return render.webhook_delivery(self._mutate(
            ReplayDelivery(endpoint_id, delivery_id), idempotency_key))
