"""`shop.portal_sessions`: a link to one customer's "My Wallet" page (REST
`POST /v1/customers/{id}/portal_sessions`); the page itself is `billfold.web`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection

from billfold import contract
from billfold.access import portal
from billfold.access.portal import PortalSession
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.commerce.settings import get_settings
from billfold.durations import parse_duration_seconds


@dataclass(frozen=True, slots=True)
class CreatePortalSession(Mutation[PortalSession]):
    operation = "create_portal_session"
    result_type = PortalSession
    customer_id: str
    locale: str | None = None
    return_url: str | None = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> PortalSession:
        seconds = parse_duration_seconds(get_settings(conn, store_id).portal_session_expires_in,
                                         param="portal_session_expires_in")
        return portal.create_session(conn, store_id=store_id, customer_id=self.customer_id,
                                     now=now, lifetime_seconds=seconds, locale=self.locale,
                                     return_url=self.return_url)

    def kept(self, result: PortalSession) -> PortalSession:
        return replace(result, token="")  # the token is shown once


class PortalSessions(Namespace):
    def __init__(self, bf: object, store_id: str, public_url: str):
        super().__init__(bf, store_id)  # type: ignore[arg-type]
        self.public_url = public_url.rstrip("/")

    def create(self, customer_id: str, *, locale: str | None = None,
               return_url: str | None = None,
               idempotency_key: str | None = None) -> contract.PortalSession:
        """A link that opens the customer's "My Wallet" page with no other login, for an
        hour (the store's `portal_session_expires_in`). A replay of the same key answers
        `url` null: the token is kept only as a hash."""
        made = self._mutate(CreatePortalSession(customer_id, locale, return_url),
                            idempotency_key)
        return contract.PortalSession(
            url=f"{self.public_url}/portal/{made.token}" if made.token else None,
            expires_at=made.expires_at, customer_id=made.customer_id, locale=made.locale)
