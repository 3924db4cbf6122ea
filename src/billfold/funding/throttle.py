"""Wrong-code throttling, kept in the database so that it survives a restart and
holds across every server process.

Each (store, scope, subject) has a counter of wrong codes in a fixed window that
starts at the first miss: per customer (10 in 10 minutes) and per store — its keys
together, the library has none — (100 in 10 minutes). A redemption first *reserves*
one miss on both counters, in one short transaction (locking both rows, store before
customer), and is refused with `too_many_code_attempts` (429, with the seconds
until the window ends) when either is full; a try that turns out not to be a wrong
code gives its reservation back. Counting before trying is what keeps 30 guesses
sent at once from slipping past the limit; a crash in between leaves one miss too
many counted, never one too few.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, select, update

from billfold.errors import Code, RateLimited, refusal
from billfold.store.sql import insert_if_absent
from billfold.store.tables import redeem_throttles

WINDOW_SECONDS = 10 * 60
MAX_MISSES_PER_CUSTOMER = 10
MAX_MISSES_PER_STORE = 100
SCOPE_STORE, SCOPE_CUSTOMER = "store", "customer"


@dataclass(frozen=True, slots=True)
class Reservation:
    """The windows a try's miss was counted in, to give it back."""

    store_id: str
    customer_id: str
    windows: tuple[tuple[str, str, datetime], ...]


def reserve_attempt(conn: Connection, *, store_id: str, customer_id: str,
                    now: datetime) -> Reservation:
    """Count one miss against the store and the customer, or raise RateLimited (with
    `retry_after_seconds`) and count nothing."""
    subjects = ((SCOPE_STORE, "", MAX_MISSES_PER_STORE),
                (SCOPE_CUSTOMER, customer_id, MAX_MISSES_PER_CUSTOMER))
    counters = [(scope, subject, limit, _lock(conn, store_id, scope, subject, now))
                for scope, subject, limit in subjects]
    window = timedelta(seconds=WINDOW_SECONDS)
    waits = [int((started + window - now).total_seconds() + 0.999)
             for _scope, _subject, limit, (started, failures) in counters
             if started + window > now and failures >= limit]
    if waits:
        seconds = max(1, max(waits))
        error = refusal(Code.TOO_MANY_CODE_ATTEMPTS,
                        f"Too many wrong codes; try again in {seconds} seconds.", param="code")
        assert isinstance(error, RateLimited)
        error.retry_after_seconds = seconds
        raise error
    windows = []
    for scope, subject, _limit, (started, failures) in counters:
        if started + window <= now:  # the window passed: a new one starts with this try
            started, failures = now, 0
        conn.execute(update(redeem_throttles).where(*_key(store_id, scope, subject)).values(
            window_started_at=started, failures=failures + 1))
        windows.append((scope, subject, started))
    return Reservation(store_id, customer_id, tuple(windows))


def give_back(conn: Connection, reservation: Reservation) -> None:
    """The try was not a wrong code: uncount its miss (in the window it was counted in)."""
    for scope, subject, started in reservation.windows:
        conn.execute(update(redeem_throttles).where(
            *_key(reservation.store_id, scope, subject),
            redeem_throttles.c.window_started_at == started,
            redeem_throttles.c.failures > 0,
        ).values(failures=redeem_throttles.c.failures - 1))


def _lock(conn: Connection, store_id: str, scope: str, subject: str,
          now: datetime) -> tuple[datetime, int]:
    insert_if_absent(conn, redeem_throttles, {
        "store_id": store_id, "scope": scope, "subject": subject,
        "window_started_at": now, "failures": 0})
    row = conn.execute(select(redeem_throttles.c.window_started_at, redeem_throttles.c.failures)
                       .where(*_key(store_id, scope, subject)).with_for_update()).one()
    return row.window_started_at, row.failures


def _key(store_id: str, scope: str, subject: str) -> tuple[object, ...]:
    return (redeem_throttles.c.store_id == store_id, redeem_throttles.c.scope == scope,
            redeem_throttles.c.subject == subject)
