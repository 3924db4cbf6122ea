"""PostgreSQL: one function call as its own transaction — the hot path's one round trip.

`CallConnections.call` runs `SELECT fn(...)` on a connection kept in autocommit
mode, so the statement is the transaction: no BEGIN, no COMMIT, row locks held
only while the function runs. The statement is prepared once per connection.
Serialization failures and deadlocks raise `Retry` (nothing was written); a
broken connection is dropped from the pool and the error raised.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.types.json import Jsonb
from sqlalchemy import Connection, Engine

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock
IDLE = TransactionStatus.IDLE
KEPT_CALL_CONNECTIONS = 8  # about what two cores keep busy; more calls borrow from the pool


class Retry(Exception):
    """The call lost a race (serialization failure or deadlock) and changed nothing."""


class CallConnections:
    """A few of the engine's connections kept checked out, in autocommit mode, for the
    one-call movements: a call takes one, runs its prepared statement and gives it
    back, with no pool checkout, no switch of autocommit and no reset per call.

    They are the engine's own connections (its connect options, its lock bound), so
    they count against its pool's size. When all `keep` are busy, a call borrows one
    from the engine's pool for that call alone, as before.
    """

    def __init__(self, engine: Engine, keep: int = KEPT_CALL_CONNECTIONS):
        self._engine = engine
        self._keep = keep
        self._idle: list[Any] = []  # pooled connections, autocommit on
        self._kept = 0
        self._closed = False
        self._lock = threading.Lock()

    def call(self, sql: str, params: Sequence[Any]) -> Any:
        """The single value `sql` returns, run as its own transaction."""
        pooled = self._take()
        if pooled is None:
            return _call_borrowed(self._engine, sql, params)
        failure: BaseException | None = None
        try:
            return call_in(pooled.driver_connection, sql, params)
        except psycopg.Error as error:
            failure = error
            _raise_retry(error)
            raise
        except BaseException as error:
            failure = error
            raise
        finally:
            self._give_back(pooled, failure)

    def _take(self) -> Any | None:
        with self._lock:
            if self._closed:
                return None
            if self._idle:
                return self._idle.pop()
            if self._kept >= self._keep:
                return None
            self._kept += 1
        try:
            pooled = self._engine.raw_connection()
            pooled.driver_connection.autocommit = True
        except BaseException:
            with self._lock:
                self._kept -= 1
            raise
        return pooled

    def _give_back(self, pooled: Any, failure: BaseException | None) -> None:
        """Keep the connection, unless the failure may have left it broken or busy."""
        connection = pooled.driver_connection
        broken = (connection.closed or connection.info.transaction_status != IDLE
                  or (failure is not None and not isinstance(failure, psycopg.Error))
                  or (isinstance(failure, psycopg.OperationalError)
                      and failure.sqlstate is None))
        with self._lock:
            keep = not broken and not self._closed
            if keep:
                self._idle.append(pooled)
            else:
                self._kept -= 1
        if keep:
            return
        if broken:
            pooled.invalidate(failure if isinstance(failure, Exception) else None)
        else:  # in use when the Billfold closed: back to the engine's pool
            with contextlib.suppress(psycopg.Error):
                connection.autocommit = False
        pooled.close()

    def close(self) -> None:
        """Hand the kept connections back to the engine's pool (out of autocommit); one
        in use now goes back when its call ends, and later calls borrow from the pool."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            self._kept -= len(idle)
        for pooled in idle:
            with contextlib.suppress(psycopg.Error):
                pooled.driver_connection.autocommit = False
            pooled.close()


def _call_borrowed(engine: Engine, sql: str, params: Sequence[Any]) -> Any:
    """One call on a connection borrowed from the engine's pool for it alone."""
    pooled = engine.raw_connection()
    try:
        connection = pooled.driver_connection
        connection.autocommit = True
        try:
            return call_in(connection, sql, params)
        finally:
            if not connection.closed:
                connection.autocommit = False
    except psycopg.Error as error:
        if isinstance(error, psycopg.OperationalError) and error.sqlstate is None:
            pooled.invalidate(error)
        _raise_retry(error)
        raise
    finally:
        pooled.close()


def _raise_retry(error: psycopg.Error) -> None:
    """Raise Retry where the call lost a race and changed nothing."""
    if error.sqlstate in RETRYABLE_SQLSTATES or _duplicate_key(error):
        raise Retry(str(error)) from error


IDEMPOTENCY_INDEX = "uq_transactions_idempotency_key"
# On Citus the error comes from a shard: the index name carries the shard's id as a
# suffix, and the coordinator passes on the message but not the constraint's name.
_IDEMPOTENCY_INDEX_NAME = re.compile(rf'"?{IDEMPOTENCY_INDEX}(_[0-9]+)?"?')


def _duplicate_key(error: psycopg.Error) -> bool:
    """A concurrent request with the same idempotency key wrote its transaction first."""
    if error.sqlstate != "23505":
        return False
    if error.diag.constraint_name is not None:
        return _IDEMPOTENCY_INDEX_NAME.fullmatch(error.diag.constraint_name) is not None
    words = (error.diag.message_primary or "").split()
    return any(_IDEMPOTENCY_INDEX_NAME.fullmatch(word) for word in words)


def call_in(connection: psycopg.Connection[Any], sql: str, params: Sequence[Any]) -> Any:
    """The single value `sql` ($1, $2… placeholders) returns on `connection`; dict
    parameters are sent as jsonb."""
    values = [Jsonb(value) if isinstance(value, dict) else value for value in params]
    row = psycopg.RawCursor(connection).execute(sql, values, prepare=True).fetchone()
    assert row is not None
    return row[0]


@dataclass(frozen=True, slots=True)
class DatabaseCall:
    """A movement as one PostgreSQL function call, run as its own transaction.

    `sql` takes (idempotency key, operation, fingerprint, encoded template) then
    `args`; the template is the result (a Transaction, a Hold) as known before the
    call, or None when the function builds all of it, and `finish` turns the
    function's reply into the result or the refusal.
    """

    sql: str
    args: tuple[Any, ...]
    template: Any
    finish: Callable[[dict[str, Any]], Any]


def run_call(conn: Connection, call: DatabaseCall) -> Any:
    """Run a DatabaseCall, unkeyed, inside the caller's transaction: its result."""
    driver = conn.connection.driver_connection
    assert driver is not None
    return call.finish(call_in(driver, call.sql, (None, None, None, None, *call.args)))
