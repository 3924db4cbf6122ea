"""Idempotency records: the first outcome of a keyed request, kept with its effect.

Same key + same request → the stored outcome (a result or a refusal) again;
same key + another request → IdempotencyConflict. The record is written in the
same transaction as the effect; a refusal is written in its own transaction
after the failed one rolled back, so nothing else of it survives.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from billfold.codec import encode
from billfold.errors import IdempotencyConflict, require
from billfold.store.engine import sqlite_connection, sqlite_time
from billfold.store.tables import idempotency_keys

MAX_KEY_LENGTH = 255
OK, ERROR = "ok", "error"


@dataclass(frozen=True, slots=True)
class Record:
    operation: str
    fingerprint: str
    outcome: str
    status_code: int | None
    response: Any


def check_key(key: object) -> str:
    require(isinstance(key, str) and 0 < len(key) <= MAX_KEY_LENGTH and key.isprintable(),
            f"An idempotency key is a printable string of 1 to {MAX_KEY_LENGTH} characters.",
            param="idempotency_key")
    return key  # type: ignore[return-value]


def fingerprint(operation: str, request: Any) -> str:
    canonical = json.dumps([operation, encode(request)], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def find(conn: Connection, store_id: str, key: str, operation: str,
         print_: str) -> Record | None:
    """The stored record for `key`, or None; IdempotencyConflict if it was another request."""
    if conn.dialect.name == "sqlite":  # every keyed request pays this: skip SQLAlchemy
        found = sqlite_connection(conn).execute(_FIND_SQLITE, (store_id, key)).fetchone()
        row = None if found is None else Record(*found[:4], json.loads(found[4]))
    else:
        found = conn.execute(_FIND, {"b_store_id": store_id, "b_key": key}).one_or_none()
        row = None if found is None else Record(found.operation, found.fingerprint,
                                                found.outcome, found.status_code,
                                                found.response)
    return None if row is None else _same_request(row, operation, print_)


def check_record(stored: dict[str, Any], operation: str, print_: str) -> Record:
    """A record read by a database function (its columns as a dict), checked like `find`."""
    return _same_request(Record(stored["operation"], stored["fingerprint"], stored["outcome"],
                                stored["status_code"], stored["response"]), operation, print_)


def _same_request(record: Record, operation: str, print_: str) -> Record:
    if record.operation != operation or record.fingerprint != print_:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used with a different request.",
            param="idempotency_key")
    return record


def save(conn: Connection, store_id: str, key: str, operation: str, print_: str, outcome: str,
         response: Any, now: datetime, status_code: int | None = None) -> bool:
    """Store the outcome; False if another request stored one first."""
    assert outcome in (OK, ERROR)
    if conn.dialect.name == "sqlite":
        return sqlite_connection(conn).execute(_SAVE_SQLITE, (
            store_id, key, operation, print_, outcome, status_code, json.dumps(response),
            sqlite_time(now))).fetchone() is not None
    statement = _SAVE[conn.dialect.name]
    return conn.execute(statement, {
        "store_id": store_id, "key": key, "operation": operation, "fingerprint": print_,
        "outcome": outcome, "status_code": status_code, "response": response,
        "created_at": now,
    }).first() is not None


# Built once: the hot path should not construct statements per call.
_FIND = select(idempotency_keys).where(
    idempotency_keys.c.store_id == bindparam("b_store_id"),
    idempotency_keys.c.key == bindparam("b_key"))
_SAVE = {
    name: dialect.insert(idempotency_keys)
    .values({column.name: bindparam(column.name) for column in idempotency_keys.columns})
    .on_conflict_do_nothing()
    .returning(idempotency_keys.c.key)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
# The same on the raw sqlite3 connection (stored as SQLAlchemy's JSON and UtcDateTime
# types store them: json.dumps text, naive UTC text).
_FIND_SQLITE = ("SELECT operation, fingerprint, outcome, status_code, response "
                "FROM idempotency_keys WHERE store_id = ? AND key = ?")
_SAVE_SQLITE = ("INSERT INTO idempotency_keys (store_id, key, operation, fingerprint, outcome, "
                "status_code, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING RETURNING key")
