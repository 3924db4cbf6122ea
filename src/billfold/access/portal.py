"""Portal sessions: a link that opens one customer's "My Wallet" page with no other
login. The token is 256 random bits, kept only as its SHA-256; it expires after the
store's `portal_session_expires_in` (default one hour). A wrong or expired token is
a 404, like a page that does not exist."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from billfold.access.users import token_digest
from billfold.errors import Code, refusal, require
from billfold.ledger.customers import get_customer
from billfold.store.tables import portal_sessions

LOCALES = ("en", "ar")
MAX_RETURN_URL_LENGTH = 2048


@dataclass(frozen=True, slots=True)
class PortalSession:
    token: str  # the plain token: in the answer to creating it only
    store_id: str
    customer_id: str
    locale: str
    return_url: str | None
    expires_at: datetime


def create_session(conn: Connection, *, store_id: str, customer_id: str, now: datetime,
                   lifetime_seconds: int, locale: str | None = None,
                   return_url: str | None = None) -> PortalSession:
    get_customer(conn, store_id, customer_id)
    locale = locale or "en"
    require(locale in LOCALES, f"locale is one of {', '.join(LOCALES)}.", param="locale")
    require(return_url is None or (isinstance(return_url, str)
                                   and return_url.startswith(("https://", "http://"))
                                   and len(return_url) <= MAX_RETURN_URL_LENGTH),
            "return_url is an http(s) URL.", param="return_url")
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(seconds=lifetime_seconds)
    conn.execute(portal_sessions.insert().values(
        token_hash=token_digest(token), store_id=store_id, customer_id=customer_id,
        locale=locale, return_url=return_url, expires_at=expires_at, created_at=now))
    return PortalSession(token, store_id, customer_id, locale, return_url, expires_at)


def open_session(conn: Connection, token: str, now: datetime) -> PortalSession:
    row = conn.execute(select(portal_sessions).where(
        portal_sessions.c.token_hash == token_digest(token))).first()
    if row is None or row.expires_at <= now:
        raise refusal(Code.PORTAL_SESSION_NOT_FOUND, "No such page.")
    return PortalSession("", row.store_id, row.customer_id, row.locale, row.return_url,
                         row.expires_at)
