"""`api.codes`, `api.topups`, `api.events` and `api.webhooks`: one definition of each
call for the sync and the async client."""

from __future__ import annotations

from datetime import datetime

from billfold.client.calls import Call, Namespace, body, query, segment, wallet_path
from billfold.contract import (
    AutoTopup,
    Event,
    EventPage,
    NewWalletCodeBatch,
    NewWebhookEndpoint,
    Page,
    PortalSession,
    Topup,
    TopupPage,
    Transaction,
    WalletCodeBatch,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookEndpoint,
    WebhookEndpointPage,
)
from billfold.contract.namespaces import Duration


class Codes(Namespace):
    """`api.codes`: batches of wallet codes, and their redemption."""

    def create(self, amount: int, program: str, *, count: int | None = None,
               funding_type: str | None = None, max_redemptions: int | None = None,
               expires_at: datetime | None = None, credit_expires_in: Duration | None = None,
               withdrawable: bool | None = None,
               idempotency_key: str | None = None) -> NewWalletCodeBatch:
        """`count` codes worth `amount` each; the plain codes are in this answer only
        (`NewWalletCodeBatch.to_csv()` for a file)."""
        sent = body(amount=amount, program=program, count=count, funding_type=funding_type,
                    max_redemptions=max_redemptions, expires_at=expires_at,
                    credit_expires_in=credit_expires_in, withdrawable=withdrawable)
        return self._send(Call("POST", "/v1/wallet_codes", NewWalletCodeBatch.model_validate_json,
                               sent, idempotency_key=idempotency_key))

    def get(self, batch_id: str) -> WalletCodeBatch:
        return self._get(f"/v1/wallet_codes/{segment(batch_id)}",
                         WalletCodeBatch.model_validate_json)

    def disable(self, batch_id: str, *,
                idempotency_key: str | None = None) -> WalletCodeBatch:
        """The batch's codes redeem no more."""
        return self._act(f"/v1/wallet_codes/{segment(batch_id)}/disable",
                         WalletCodeBatch.model_validate_json, idempotency_key)

    def redeem(self, code: str, customer_id: str, *,
               idempotency_key: str | None = None) -> Transaction:
        """Credit the code's amount to the customer (RateLimited, with
        `retry_after_seconds`, after too many wrong codes)."""
        return self._send(Call("POST", "/v1/wallet_codes/redeem", Transaction.model_validate_json,
                               body(code=code, customer_id=customer_id),
                               idempotency_key=idempotency_key))


class Topups(Namespace):
    """`api.topups`: customers paying into their own wallet, and automatic top-ups."""

    def create(self, customer_id: str, program: str, amount: int, *,
               idempotency_key: str | None = None) -> Topup:
        return self._send(Call("POST", wallet_path(customer_id, program) + "/topups",
                               Topup.model_validate_json, body(amount=amount),
                               idempotency_key=idempotency_key))

    def get(self, topup_id: str) -> Topup:
        return self._get(f"/v1/topups/{segment(topup_id)}", Topup.model_validate_json)

    def list(self, customer_id: str, program: str = "main", *, status: str | None = None,
             limit: int | None = None, starting_after: str | None = None) -> Page[Topup]:
        return self._send(Call("GET", wallet_path(customer_id, program) + "/topups",
                               TopupPage.model_validate_json,
                               params=query(status=status, limit=limit,
                                            starting_after=starting_after)))

    def confirm(self, topup_id: str, payment_reference: str, *,
                idempotency_key: str | None = None) -> Topup:
        """The payment arrived: the top-up becomes a `cash` lot."""
        return self._send(Call("POST", f"/v1/topups/{segment(topup_id)}/confirm",
                               Topup.model_validate_json,
                               body(payment_reference=payment_reference),
                               idempotency_key=idempotency_key))

    def cancel(self, topup_id: str, *, idempotency_key: str | None = None) -> Topup:
        return self._act(f"/v1/topups/{segment(topup_id)}/cancel", Topup.model_validate_json,
                         idempotency_key)

    def set_auto(self, customer_id: str, program: str, threshold: int, amount: int, *,
                 idempotency_key: str | None = None) -> AutoTopup:
        return self._send(Call("PUT", wallet_path(customer_id, program) + "/auto_topup",
                               AutoTopup.model_validate_json,
                               body(threshold=threshold, amount=amount),
                               idempotency_key=idempotency_key))

    def get_auto(self, customer_id: str, program: str = "main") -> AutoTopup:
        return self._get(wallet_path(customer_id, program) + "/auto_topup",
                         AutoTopup.model_validate_json)

    def delete_auto(self, customer_id: str, program: str = "main", *,
                    idempotency_key: str | None = None) -> AutoTopup:
        return self._send(Call("DELETE", wallet_path(customer_id, program) + "/auto_topup",
                               AutoTopup.model_validate_json,
                               idempotency_key=idempotency_key))


class Events(Namespace):
    """`api.events`: the store's state changes, newest first."""

    def list(self, *, type: str | None = None, customer_id: str | None = None,
             limit: int | None = None, starting_after: str | None = None) -> Page[Event]:
        return self._send(Call("GET", "/v1/events", EventPage.model_validate_json,
                               params=query(type=type, customer_id=customer_id, limit=limit,
                                            starting_after=starting_after)))

    def get(self, event_id: str) -> Event:
        return self._get(f"/v1/events/{segment(event_id)}", Event.model_validate_json)


class Webhooks(Namespace):
    """`api.webhooks`: the store's webhook endpoints and their deliveries."""

    def create(self, url: str, *, events: list[str] | None = None,
               idempotency_key: str | None = None) -> NewWebhookEndpoint:
        """An endpoint and its signing secret (shown in this answer only)."""
        return self._send(Call("POST", "/v1/webhook_endpoints",
                               NewWebhookEndpoint.model_validate_json,
                               body(url=url, events=events), idempotency_key=idempotency_key))

    def get(self, endpoint_id: str) -> WebhookEndpoint:
        return self._get(f"/v1/webhook_endpoints/{segment(endpoint_id)}",
                         WebhookEndpoint.model_validate_json)

    def list(self) -> Page[WebhookEndpoint]:
        return self._get("/v1/webhook_endpoints", WebhookEndpointPage.model_validate_json)

    def update(self, endpoint_id: str, *, url: str | None = None,
               events: list[str] | None = None, status: str | None = None,
               every_event: bool = False,
               idempotency_key: str | None = None) -> WebhookEndpoint:
        sent = body(url=url, events=events, status=status)
        if every_event:
            sent["events"] = None
        return self._send(Call("PATCH", f"/v1/webhook_endpoints/{segment(endpoint_id)}",
                               WebhookEndpoint.model_validate_json, sent,
                               idempotency_key=idempotency_key))

    def rotate_secret(self, endpoint_id: str, *,
                      idempotency_key: str | None = None) -> NewWebhookEndpoint:
        return self._act(f"/v1/webhook_endpoints/{segment(endpoint_id)}/rotate_secret",
                         NewWebhookEndpoint.model_validate_json, idempotency_key)

    def list_deliveries(self, endpoint_id: str, *, limit: int | None = None,
                        starting_after: str | None = None) -> Page[WebhookDelivery]:
        return self._send(Call("GET",
                               f"/v1/webhook_endpoints/{segment(endpoint_id)}/deliveries",
                               WebhookDeliveryPage.model_validate_json,
                               params=query(limit=limit, starting_after=starting_after)))

    def replay(self, endpoint_id: str, delivery_id: str, *,
               idempotency_key: str | None = None) -> WebhookDelivery:
        return self._act(f"/v1/webhook_endpoints/{segment(endpoint_id)}/deliveries/"
                         f"{segment(delivery_id)}/replay", WebhookDelivery.model_validate_json,
                         idempotency_key)


class PortalSessions(Namespace):
    """`api.portal_sessions`: links to a customer's "My Wallet" page."""

    def create(self, customer_id: str, *, locale: str | None = None,
               return_url: str | None = None,
               idempotency_key: str | None = None) -> PortalSession:
        return self._send(Call("POST", f"/v1/customers/{segment(customer_id)}/portal_sessions",
                               PortalSession.model_validate_json,
                               body(locale=locale, return_url=return_url),
                               idempotency_key=idempotency_key))
