"""One engine factory; every difference between SQLite and PostgreSQL lives here.

SQLite: WAL journal, `busy_timeout`, foreign keys on, and `BEGIN IMMEDIATE`
for every transaction that may write (so two writers never interleave and
nobody meets SQLITE_BUSY mid-transaction). Reads may ask for a deferred begin.
PostgreSQL: psycopg 3 under Read Committed; rows are locked with
`SELECT … FOR UPDATE` by the ledger, and no statement waits longer than
`LOCK_TIMEOUT_MS` for a lock (on Citus the workers get the same bound, see
`store.citus`): a movement stuck behind a long transaction is refused whole
(`lock_not_available`, nothing written) instead of holding its client.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_CACHED_STATEMENTS = 512
LOCK_TIMEOUT_MS = 5_000
POSTGRES_POOL_SIZE = 40  # opened lazily; as many as the API has worker threads (40)
POSTGRES_POOL_OVERFLOW = 10
READ_ONLY = {"billfold_read_only": True}
FAST_PATHS_OFF = {"billfold_fast_paths": False}


def normalize_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://`, and drive them with psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def json_loads(data: bytes | str) -> Any:
    """json.loads, with a shortcut for the empty object most metadata columns hold (a
    history page decodes one per transaction)."""
    if data == b"{}" or data == "{}":
        return {}
    return json.loads(data)


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    return create_engine(
        url,
        pool_size=POSTGRES_POOL_SIZE,
        max_overflow=POSTGRES_POOL_OVERFLOW,
        pool_recycle=3600,  # no pre-ping: it costs a round trip per transaction
        isolation_level="READ COMMITTED",
        connect_args={"options": f"-c lock_timeout={LOCK_TIMEOUT_MS}"},
        json_deserializer=json_loads,
        **kwargs,
    )


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    engine = create_engine(url, connect_args={
        "check_same_thread": False,
        # sqlite3 keeps this many statements prepared per connection; the hot paths'
        # fixed SQL (store/writer.py) should not be pushed out by the rest.
        "cached_statements": SQLITE_CACHED_STATEMENTS,
    }, json_deserializer=json_loads, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Straight to sqlite3: SQLAlchemy's statement execution would cost more than
        # the BEGIN itself, on every transaction.
        read_only = connection.get_execution_options().get("billfold_read_only")
        statement = "BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE"
        try:
            connection.connection.driver_connection.execute(statement)
        except sqlite3.Error as error:  # e.g. still locked after busy_timeout
            raise DBAPIError.instance(statement, (), error, sqlite3.Error) from error

    return engine


def sqlite_connection(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under `conn`, for hot paths that skip SQLAlchemy's
    statement execution; statements run in `conn`'s open transaction."""
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection) and raw.in_transaction, "needs a transaction"
    return raw


@lru_cache(maxsize=64)  # a movement writes the same `now` into several rows
def sqlite_time(value: datetime) -> str:
    """A datetime as `UtcDateTime` stores it on SQLite: naive UTC text with microseconds."""
    assert value.tzinfo is not None, "naive datetime"
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def from_sqlite_time(text: str) -> datetime:
    """The aware UTC datetime `UtcDateTime` reads back from SQLite's text."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def fast_path(conn: Connection) -> str | None:
    """The dialect whose fast path a movement on `conn` takes — "postgresql" (one function
    call) or "sqlite" (fixed raw statements) — or None where `Billfold(fast_paths=False)`
    asked for the plain SQLAlchemy path (the twin tests compare the two)."""
    if conn.get_execution_options().get("billfold_fast_paths", True):
        return conn.dialect.name
    return None


def is_sqlite(engine_or_conn: Any) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def is_postgresql(engine_or_conn: Any) -> bool:
    return engine_or_conn.dialect.name == "postgresql"
