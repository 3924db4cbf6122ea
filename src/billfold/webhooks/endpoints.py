"""Webhook endpoints: where a store's events are delivered, and the secret they are
signed with (`shared/API.md`, "Events and webhooks").

A URL is http(s) and, unless BILLFOLD_WEBHOOK_ALLOW_PRIVATE=1, its host must not be
(nor resolve to) a loopback, private, link-local or otherwise non-public address:
a merchant cannot aim billfold at the network it runs in. The check is made when the
URL is set and again before every delivery (a name may resolve elsewhere later).

The secret is the Standard Webhooks form `whsec_<base64 of 24 random bytes>`, shown
when the endpoint is made and when it is rotated. It is kept as it is — signing needs
it (an HMAC key cannot be kept as a hash). After a rotation the previous secret signs
beside the new one for 24 hours, so receivers can move over without a gap.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, select, update

from billfold.errors import Code, refusal, require
from billfold.ids import new_id
from billfold.ledger.checks import check_id
from billfold.ledger.outbox import EVENT_TYPES
from billfold.store.tables import webhook_endpoints

ENABLED, DISABLED = "enabled", "disabled"
MAX_URL_LENGTH = 2048
MAX_ENDPOINTS_PER_STORE = 50
ROTATION_OVERLAP = timedelta(hours=24)
SECRET_BYTES = 24
ALLOW_PRIVATE_ENV = "BILLFOLD_WEBHOOK_ALLOW_PRIVATE"


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: str
    store_id: str
    url: str
    events: tuple[str, ...] | None  # None: every event
    status: str
    secret: str
    previous_secret: str | None
    previous_secret_until: datetime | None
    failing_since: datetime | None
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime

    def wants(self, event_type: str) -> bool:
        return self.events is None or event_type in self.events

    def signing_secrets(self, now: datetime) -> tuple[str, ...]:
        """The secrets a delivery at `now` is signed with: the current one, and the
        previous one within 24 hours of a rotation."""
        if (self.previous_secret is not None and self.previous_secret_until is not None
                and self.previous_secret_until > now):
            return (self.secret, self.previous_secret)
        return (self.secret,)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def private_allowed() -> bool:
    return os.environ.get(ALLOW_PRIVATE_ENV) == "1"


def is_public_host(host: str) -> bool:
    """Whether every address `host` is or resolves to is a public one."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_global
                                   for a in addresses)


def check_url(url: object) -> str:
    """An http(s) URL billfold may deliver to; InvalidRequest `invalid_webhook_url`."""
    require(isinstance(url, str) and 0 < len(url) <= MAX_URL_LENGTH,
            f"url is an http(s) URL of at most {MAX_URL_LENGTH} characters.", param="url",
            code=Code.INVALID_WEBHOOK_URL)
    assert isinstance(url, str)
    parts = urlsplit(url)
    require(parts.scheme in ("http", "https") and bool(parts.hostname),
            "url must be an http or https URL with a host.", param="url",
            code=Code.INVALID_WEBHOOK_URL)
    if not private_allowed():
        require(is_public_host(parts.hostname or ""),
                "url must point at a public address (not loopback, private or "
                "link-local).", param="url", code=Code.INVALID_WEBHOOK_URL)
    return url


def check_events(events: object) -> tuple[str, ...] | None:
    if events is None:
        return None
    require(isinstance(events, list | tuple) and len(events) > 0
            and all(isinstance(e, str) for e in events),
            "events is a non-empty list of event types, or left out for every event.",
            param="events")
    unknown = sorted(set(events) - EVENT_TYPES)  # type: ignore[arg-type]
    require(not unknown, f"Unknown event type {unknown[0] if unknown else ''!r}.",
            param="events")
    return tuple(sorted(set(events)))  # type: ignore[arg-type]


def create_endpoint(conn: Connection, *, store_id: str, url: str,
                    events: list[str] | None, now: datetime) -> Endpoint:
    checked_url, checked_events = check_url(url), check_events(events)
    count = len(list_endpoints(conn, store_id))
    require(count < MAX_ENDPOINTS_PER_STORE,
            f"A store has at most {MAX_ENDPOINTS_PER_STORE} webhook endpoints.", param="url")
    endpoint_id = new_id("whe")
    conn.execute(webhook_endpoints.insert().values(
        store_id=store_id, endpoint_id=endpoint_id, url=checked_url,
        events=None if checked_events is None else list(checked_events), status=ENABLED,
        secret=new_secret(), previous_secret=None, previous_secret_until=None,
        failing_since=None, disabled_reason=None, created_at=now, updated_at=now))
    return get_endpoint(conn, store_id, endpoint_id)


def get_endpoint(conn: Connection, store_id: str, endpoint_id: str, *,
                 lock: bool = False) -> Endpoint:
    check_id(endpoint_id, "endpoint_id")
    query = select(webhook_endpoints).where(webhook_endpoints.c.store_id == store_id,
                                            webhook_endpoints.c.endpoint_id == endpoint_id)
    row = conn.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise refusal(Code.WEBHOOK_ENDPOINT_NOT_FOUND,
                      f"No webhook endpoint {endpoint_id!r} in this store.",
                      param="endpoint_id")
    return endpoint_from_row(row)


def list_endpoints(conn: Connection, store_id: str) -> list[Endpoint]:
    """Every endpoint of the store (at most MAX_ENDPOINTS_PER_STORE), oldest first."""
    rows = conn.execute(select(webhook_endpoints).where(
        webhook_endpoints.c.store_id == store_id).order_by(webhook_endpoints.c.endpoint_id)
    ).mappings().all()
    return [endpoint_from_row(row) for row in rows]


def update_endpoint(conn: Connection, *, store_id: str, endpoint_id: str, now: datetime,
                    changes: dict[str, Any]) -> Endpoint:
    """PATCH: `url`, `events` (null: every event) and `status` (enabled/disabled)."""
    get_endpoint(conn, store_id, endpoint_id, lock=True)
    unknown = sorted(set(changes) - {"url", "events", "status"})
    require(not unknown, f"Unknown parameter {unknown[0] if unknown else ''!r}.",
            param=unknown[0] if unknown else None)
    values: dict[str, Any] = {"updated_at": now}
    if "url" in changes:
        values["url"] = check_url(changes["url"])
    if "events" in changes:
        checked = check_events(changes["events"])
        values["events"] = None if checked is None else list(checked)
    if "status" in changes:
        status = changes["status"]
        require(status in (ENABLED, DISABLED), "status is enabled or disabled.",
                param="status")
        values["status"] = status
        values["disabled_reason"] = None if status == ENABLED else "by_request"
        if status == ENABLED:
            values["failing_since"] = None
    conn.execute(update(webhook_endpoints).where(*_key(store_id, endpoint_id)).values(**values))
    return get_endpoint(conn, store_id, endpoint_id)


def rotate_secret(conn: Connection, *, store_id: str, endpoint_id: str,
                  now: datetime) -> Endpoint:
    """A new secret; the one it replaces keeps signing beside it for 24 hours."""
    found = get_endpoint(conn, store_id, endpoint_id, lock=True)
    conn.execute(update(webhook_endpoints).where(*_key(store_id, endpoint_id)).values(
        secret=new_secret(), previous_secret=found.secret,
        previous_secret_until=now + ROTATION_OVERLAP, updated_at=now))
    return get_endpoint(conn, store_id, endpoint_id)


def disable(conn: Connection, store_id: str, endpoint_id: str, reason: str,
            now: datetime) -> None:
    conn.execute(update(webhook_endpoints).where(*_key(store_id, endpoint_id)).values(
        status=DISABLED, disabled_reason=reason, updated_at=now))


def set_failing_since(conn: Connection, store_id: str, endpoint_id: str,
                      since: datetime | None) -> None:
    """Start a failing streak at `since` (kept if one runs already), or end it (None).
    A conditional write, so concurrent records need no lock on the endpoint."""
    column = webhook_endpoints.c.failing_since
    keep = column.is_(None) if since is not None else column.is_not(None)
    conn.execute(update(webhook_endpoints).where(*_key(store_id, endpoint_id), keep)
                 .values(failing_since=since))


def _key(store_id: str, endpoint_id: str) -> tuple[Any, ...]:
    return (webhook_endpoints.c.store_id == store_id,
            webhook_endpoints.c.endpoint_id == endpoint_id)


def endpoint_from_row(row: Any) -> Endpoint:
    events = row["events"]
    return Endpoint(
        id=row["endpoint_id"], store_id=row["store_id"], url=row["url"],
        events=None if events is None else tuple(events), status=row["status"],
        secret=row["secret"], previous_secret=row["previous_secret"],
        previous_secret_until=row["previous_secret_until"],
        failing_since=row["failing_since"], disabled_reason=row["disabled_reason"],
        created_at=row["created_at"], updated_at=row["updated_at"])
