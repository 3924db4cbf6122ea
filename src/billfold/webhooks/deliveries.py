"""Delivery attempts: which event goes to which endpoint, when, and what came back.

Three steps, each its own short transaction, so that any number of workers may run
them at once and a worker killed at any point loses nothing:

1. `fan_out` takes a batch of unpublished outbox events (`FOR UPDATE SKIP LOCKED` on
   PostgreSQL; SQLite has one writer) and writes, for each enabled endpoint of the
   event's store that wants it and existed when it happened, a `pending` attempt 1;
   then it marks the events published.
2. `claim` takes due pending attempts — of enabled endpoints, and only the oldest
   pending one per (endpoint, customer), so each customer's events arrive in the
   order they happened — with SKIP LOCKED, and leases them (`claimed_until`) to this
   worker; a lease outlives the 15 s request timeout, so an attempt is never sent by
   two workers at once, and one whose worker died is claimed again when it lapses.
3. `record` writes what the endpoint answered — under the lease, so a worker whose
   lease lapsed records nothing — and, on a failure, the next attempt after the
   retry schedule (± 10 % jitter), until the schedule runs out. A 2xx ends the
   event's deliveries to that endpoint; a 410 disables the endpoint at once; one whose
   deliveries have all failed for 5 days is disabled.

A replay is a new pending attempt of the same event, due now.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, func, select, update
from sqlalchemy.orm import aliased

from billfold.errors import Code, refusal
from billfold.ids import new_id
from billfold.ledger.checks import check_id
from billfold.ledger.models import Page
from billfold.ledger.outbox import OutboxEvent, event_from_row
from billfold.ledger.queries import DEFAULT_PAGE_SIZE, check_limit
from billfold.store.tables import outbox_events, webhook_attempts, webhook_endpoints
from billfold.webhooks import endpoints
from billfold.webhooks.endpoints import Endpoint

PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"
DEFAULT_RETRY_SECONDS = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
RETRY_ENV = "BILLFOLD_WEBHOOK_RETRY_SECONDS"
JITTER = 0.10
LEASE_SECONDS = 60  # > the 15 s request timeout
LEASE_ENV = "BILLFOLD_WEBHOOK_LEASE_SECONDS"
DISABLE_AFTER = timedelta(days=5)
FAN_OUT_BATCH = 500
CLAIM_BATCH = 50
MAX_PER_ENDPOINT = 8  # a slow endpoint holds at most this many of a worker's threads
EXCERPT_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Attempt:
    id: str
    store_id: str
    endpoint_id: str
    event_id: str
    customer_id: str | None
    attempt: int
    status: str
    next_attempt_at: datetime
    response_status: int | None
    duration_ms: int | None
    response_excerpt: str | None
    created_at: datetime
    attempted_at: datetime | None


@dataclass(frozen=True, slots=True)
class Claimed:
    """An attempt leased to this worker, with what it needs to send it."""

    attempt: Attempt
    endpoint: Endpoint
    event: OutboxEvent
    lease: datetime  # claimed_until, the lease's token


def retry_seconds() -> tuple[int, ...]:
    """The wait after each failed attempt (BILLFOLD_WEBHOOK_RETRY_SECONDS overrides)."""
    raw = os.environ.get(RETRY_ENV, "").strip()
    if not raw:
        return DEFAULT_RETRY_SECONDS
    return tuple(max(0, int(part)) for part in raw.split(",") if part.strip())


def next_wait(attempt: int) -> timedelta | None:
    """After failed attempt number `attempt` (1-based): the wait before the next, with
    ± 10 % jitter, or None when the schedule has run out."""
    schedule = retry_seconds()
    if attempt > len(schedule):
        return None
    seconds = schedule[attempt - 1]
    return timedelta(seconds=seconds * random.uniform(1 - JITTER, 1 + JITTER))


def _stores_with(conn: Connection, work: Any) -> list[str]:
    """The stores that have some of `work` (a query of store ids, oldest work first),
    read without a lock. Work is then locked store by store: on Citus a `FOR UPDATE`
    must name its shard, and here one store's rows are one shard's."""
    found = work.subquery()
    return list(dict.fromkeys(conn.execute(select(found.c.store_id)).scalars()))


# -- 1. fan out ---------------------------------------------------------------------------

def fan_out(conn: Connection, now: datetime, *, limit: int = FAN_OUT_BATCH) -> int:
    """Turn up to `limit` unpublished events into pending attempts; how many events."""
    unpublished = outbox_events.c.published_at.is_(None)
    rows = []
    for store_id in _stores_with(conn, select(outbox_events.c.store_id).where(unpublished)
                                 .order_by(outbox_events.c.store_id, outbox_events.c.event_id)
                                 .limit(limit)):
        rows += conn.execute(
            select(outbox_events).where(outbox_events.c.store_id == store_id, unpublished)
            .order_by(outbox_events.c.event_id).limit(limit - len(rows))
            .with_for_update(skip_locked=True)).mappings().all()
    if not rows:
        return 0
    by_store: dict[str, list[Endpoint]] = {}
    attempts: list[dict[str, Any]] = []
    for row in rows:
        event = event_from_row(row)
        if event.store_id not in by_store:
            by_store[event.store_id] = [
                e for e in endpoints.list_endpoints(conn, event.store_id)
                if e.status == endpoints.ENABLED]
        for endpoint in by_store[event.store_id]:
            if endpoint.wants(event.type) and endpoint.created_at <= event.created_at:
                attempts.append(_pending(endpoint.store_id, endpoint.id, event, 1, now))
    if attempts:
        conn.execute(webhook_attempts.insert(), attempts)
    for store_id in {row["store_id"] for row in rows}:
        ids = [row["event_id"] for row in rows if row["store_id"] == store_id]
        conn.execute(update(outbox_events).where(
            outbox_events.c.store_id == store_id, outbox_events.c.event_id.in_(ids))
            .values(published_at=now))
    return len(rows)


def _pending(store_id: str, endpoint_id: str, event: OutboxEvent, attempt: int,
             due: datetime) -> dict[str, Any]:
    customer = event.data.get("customer_id") if isinstance(event.data, dict) else None
    return dict(store_id=store_id, delivery_id=new_id("dlv"), endpoint_id=endpoint_id,
                event_id=event.id, customer_id=customer if isinstance(customer, str) else None,
                attempt=attempt, status=PENDING, next_attempt_at=due, claimed_until=None,
                response_status=None, duration_ms=None, response_excerpt=None,
                created_at=due, attempted_at=None)


# -- 2. claim -----------------------------------------------------------------------------

_EARLIER = aliased(webhook_attempts)


def claim(conn: Connection, now: datetime, *, limit: int = CLAIM_BATCH,
          busy: dict[tuple[str, str], int] | None = None) -> list[Claimed]:
    """Lease up to `limit` due attempts, at most MAX_PER_ENDPOINT per endpoint counting
    the `busy` ones (this worker's attempts still in flight, by (store, endpoint))."""
    a = webhook_attempts
    earlier_pending = exists().where(
        _EARLIER.c.store_id == a.c.store_id, _EARLIER.c.endpoint_id == a.c.endpoint_id,
        _EARLIER.c.customer_id == a.c.customer_id, _EARLIER.c.status == PENDING,
        _EARLIER.c.event_id < a.c.event_id)
    due = and_(a.c.status == PENDING, a.c.next_attempt_at <= now,
               (a.c.claimed_until.is_(None)) | (a.c.claimed_until < now))
    rows: list[Any] = []
    for store_id in _stores_with(conn, select(a.c.store_id).where(due)
                                 .order_by(a.c.next_attempt_at).limit(limit * 2)):
        rows += conn.execute(
            select(a).select_from(a.join(webhook_endpoints, and_(
                webhook_endpoints.c.store_id == a.c.store_id,
                webhook_endpoints.c.endpoint_id == a.c.endpoint_id)))
            .where(a.c.store_id == store_id, due,
                   webhook_endpoints.c.status == endpoints.ENABLED, ~earlier_pending)
            .order_by(a.c.next_attempt_at).limit(limit * 2 - len(rows))
            .with_for_update(of=a, skip_locked=True)).mappings().all()
    taken: list[Any] = []
    per_endpoint = dict(busy or {})
    for row in rows:
        key = (row["store_id"], row["endpoint_id"])
        if per_endpoint.get(key, 0) >= MAX_PER_ENDPOINT or len(taken) >= limit:
            continue
        per_endpoint[key] = per_endpoint.get(key, 0) + 1
        taken.append(row)
    if not taken:
        return []
    lease = now + timedelta(seconds=int(os.environ.get(LEASE_ENV) or LEASE_SECONDS))
    found_endpoints: dict[tuple[str, str], Endpoint] = {}
    events: dict[tuple[str, str], OutboxEvent] = {}
    for store_id in {row["store_id"] for row in taken}:
        mine = [row for row in taken if row["store_id"] == store_id]
        conn.execute(update(a).where(a.c.store_id == store_id, a.c.delivery_id.in_(
            [row["delivery_id"] for row in mine])).values(claimed_until=lease))
        for endpoint in endpoints.list_endpoints(conn, store_id):
            found_endpoints[(store_id, endpoint.id)] = endpoint
        for event_row in conn.execute(select(outbox_events).where(
                outbox_events.c.store_id == store_id,
                outbox_events.c.event_id.in_({row["event_id"] for row in mine}))
                ).mappings().all():
            events[(store_id, event_row["event_id"])] = event_from_row(event_row)
    return [Claimed(_attempt(row), found_endpoints[(row["store_id"], row["endpoint_id"])],
                    events[(row["store_id"], row["event_id"])], lease) for row in taken]


# -- 3. record ----------------------------------------------------------------------------

def record(conn: Connection, claimed: Claimed, *, now: datetime, response_status: int | None,
           duration_ms: int, excerpt: str | None) -> bool:
    """What the endpoint answered; False (nothing written) if the lease had lapsed and
    another worker took the attempt over."""
    a, done = webhook_attempts, claimed.attempt
    ok = response_status is not None and 200 <= response_status < 300
    written = conn.execute(update(a).where(
        a.c.store_id == done.store_id, a.c.delivery_id == done.id, a.c.status == PENDING,
        a.c.claimed_until == claimed.lease).values(
        status=SUCCEEDED if ok else FAILED, response_status=response_status,
        duration_ms=duration_ms, attempted_at=now, claimed_until=None,
        response_excerpt=None if excerpt is None else excerpt[:EXCERPT_LENGTH])).rowcount
    if written != 1:
        return False
    if ok:
        endpoints.set_failing_since(conn, done.store_id, done.endpoint_id, None)
        return True
    if response_status == 410:
        endpoints.disable(conn, done.store_id, done.endpoint_id, "gone", now)
        return True
    endpoints.set_failing_since(conn, done.store_id, done.endpoint_id, now)
    since = endpoints.get_endpoint(conn, done.store_id, done.endpoint_id).failing_since
    if since is not None and now - since >= DISABLE_AFTER:
        endpoints.disable(conn, done.store_id, done.endpoint_id, "failing", now)
        return True
    wait = next_wait(done.attempt)
    if wait is not None:
        conn.execute(a.insert().values(**_pending(
            done.store_id, done.endpoint_id, claimed.event, done.attempt + 1, now + wait)))
    return True


# -- reads and replay ---------------------------------------------------------------------

def list_attempts(conn: Connection, store_id: str, endpoint_id: str, *,
                  limit: int = DEFAULT_PAGE_SIZE,
                  starting_after: str | None = None) -> Page[Attempt]:
    """An endpoint's attempts, newest first, keyset by id."""
    check_limit(limit)
    endpoints.get_endpoint(conn, store_id, endpoint_id)
    a = webhook_attempts
    query = select(a).where(a.c.store_id == store_id, a.c.endpoint_id == endpoint_id)
    if starting_after is not None:
        query = query.where(a.c.delivery_id < check_id(starting_after, "starting_after"))
    rows = conn.execute(query.order_by(a.c.delivery_id.desc()).limit(limit + 1)
                        ).mappings().all()
    items = tuple(_attempt(row) for row in rows[:limit])
    has_more = len(rows) > limit
    return Page(items, has_more, items[-1].id if has_more else None)


def replay(conn: Connection, *, store_id: str, endpoint_id: str, delivery_id: str,
           now: datetime) -> Attempt:
    """A new pending attempt of that attempt's event, due now."""
    endpoint = endpoints.get_endpoint(conn, store_id, endpoint_id)
    a = webhook_attempts
    row = conn.execute(select(a).where(
        a.c.store_id == store_id, a.c.endpoint_id == endpoint_id,
        a.c.delivery_id == check_id(delivery_id, "delivery_id"))).mappings().first()
    if row is None:
        raise refusal(Code.DELIVERY_NOT_FOUND,
                      f"No delivery {delivery_id!r} of this endpoint.", param="delivery_id")
    event = event_from_row(conn.execute(select(outbox_events).where(
        outbox_events.c.store_id == store_id,
        outbox_events.c.event_id == row["event_id"])).mappings().one())
    number = conn.execute(select(func.max(a.c.attempt)).where(
        a.c.store_id == store_id, a.c.endpoint_id == endpoint.id,
        a.c.event_id == event.id)).scalar_one()
    values = _pending(store_id, endpoint.id, event, int(number) + 1, now)
    conn.execute(a.insert().values(**values))
    return _attempt(values)


def _attempt(row: Any) -> Attempt:
    return Attempt(
        id=row["delivery_id"], store_id=row["store_id"], endpoint_id=row["endpoint_id"],
        event_id=row["event_id"], customer_id=row["customer_id"], attempt=row["attempt"],
        status=row["status"], next_attempt_at=row["next_attempt_at"],
        response_status=row["response_status"], duration_ms=row["duration_ms"],
        response_excerpt=row["response_excerpt"], created_at=row["created_at"],
        attempted_at=row["attempted_at"])
