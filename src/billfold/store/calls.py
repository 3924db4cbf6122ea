"""PostgreSQL: one function call as its own transaction — the hot path's one round trip.

`call_function` runs `SELECT fn(...)` on a pooled connection in autocommit
mode, so the statement is the transaction: no BEGIN, no COMMIT, row locks held
only while the function runs. The statement is prepared once per connection.
Serialization failures and deadlocks raise `Retry` (nothing was written); a
broken connection is dropped from the pool and the error raised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import Connection, Engine

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock


class Retry(Exception):
    """The call lost a race (serialization failure or deadlock) and changed nothing."""


def call_function(engine: Engine, sql: str, params: Sequence[Any]) -> Any:
    """The single value `sql` returns, run as its own transaction."""
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
        if error.sqlstate in RETRYABLE_SQLSTATES or _duplicate_key(error):
            raise Retry(str(error)) from error
        if isinstance(error, psycopg.OperationalError) and error.sqlstate is None:
            pooled.invalidate(error)
        raise
    finally:
        pooled.close()


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
