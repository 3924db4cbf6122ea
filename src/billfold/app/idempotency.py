"""Idempotency: the first outcome of a keyed request, kept with its effect, and the
one runner every library mutation goes through (`run_mutation`).

Same key + same request → the stored outcome (a result or a refusal) again;
same key + another request → IdempotencyConflict. The record is written in the
same transaction as the effect; a refusal is written in its own transaction
after the failed one rolled back, so nothing else of it survives. The
fingerprint is taken from the mutation's own arguments object.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from billfold import codec
from billfold.codec import encode
from billfold.errors import BillfoldError, IdempotencyConflict, require
from billfold.ledger import journal
from billfold.store import calls
from billfold.store.writer import writer

if TYPE_CHECKING:
    from billfold.app.billfold import Billfold
    from billfold.app.operation import Mutation

T = TypeVar("T")
MAX_KEY_LENGTH = 255
MAX_ATTEMPTS = 8
OK, ERROR = "ok", "error"


@dataclass(frozen=True, slots=True)
class Record:
    operation: str | None  # None for a record that is a transaction row
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


def find(conn: Connection, store_id: str, key: str, mutation: Mutation[Any],
         print_: str) -> Record | None:
    """The stored record for `key` — a transaction that carries it, or a row of
    idempotency_keys — or None; IdempotencyConflict if it was another request."""
    out = writer(conn)
    keyed = out.keyed_transaction(store_id, key)
    if keyed is not None:
        transaction_id, fingerprint_ = keyed
        _same_request(Record(None, fingerprint_, OK, None, None), print_)
        return _transaction_record(conn, store_id, transaction_id, fingerprint_, mutation)
    found = out.idempotency_record(store_id, key)
    return None if found is None else _same_request(Record(*found), print_)


def _transaction_record(conn: Connection, store_id: str, transaction_id: str,
                        fingerprint_: str, mutation: Mutation[Any]) -> Record:
    """The answer a keyed movement gave, read back from the transaction it wrote."""
    return Record(None, fingerprint_, OK, None,
                  encode(mutation.answer_of(conn, store_id, transaction_id)))


def check_record(stored: dict[str, Any], print_: str) -> Record:
    """A record read by a database function (its columns as a dict), checked like `find`."""
    return _same_request(Record(stored.get("operation"), stored["fingerprint"],
                                stored["outcome"], stored.get("status_code"),
                                stored.get("response")), print_)


def _same_request(record: Record, print_: str) -> Record:
    # The fingerprint is taken from the operation's name and its arguments.
    if record.fingerprint != print_:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used with a different request.",
            param="idempotency_key")
    return record


def save(conn: Connection, store_id: str, key: str, operation: str, print_: str, outcome: str,
         response: Any, now: datetime, status_code: int | None = None) -> bool:
    """Store the outcome; False if another request stored one first."""
    assert outcome in (OK, ERROR)
    return writer(conn).add_idempotency_record(store_id, key, operation, print_, outcome,
                                               status_code, response, now)


# -- the runner ---------------------------------------------------------------------------

class _Replay(Exception):
    """A concurrent request with the same idempotency key committed first."""


def run_mutation(bf: Billfold, store_id: str, mutation: Mutation[T],
                 idempotency_key: str | None) -> T:
    """Run `mutation` once per idempotency key: its first outcome (result or refusal) is
    what every retry with the same key and arguments gets. On PostgreSQL a movement with
    a database function is one call, idempotency record included."""
    if mutation.in_one_call and bf.uses_database_functions:
        return _run_in_one_call(bf, store_id, mutation, idempotency_key)
    if idempotency_key is None:
        return bf.run(lambda conn: mutation.run(conn, store_id, bf.clock.now()))
    key = check_key(idempotency_key)
    print_ = fingerprint(mutation.operation, mutation.fingerprinted())

    def attempt(conn: Connection) -> tuple[bool, Any]:
        found = find(conn, store_id, key, mutation, print_)
        if found is not None:
            return True, found
        now = bf.clock.now()
        if not mutation.key_in_transaction:
            result = mutation.run(conn, store_id, now)
            if not save(conn, store_id, key, mutation.operation, print_, OK,
                        encode(mutation.kept(result)), now):
                raise _Replay
            return False, result
        conn.info[journal.IDEMPOTENCY] = (key, print_)  # record() writes it in the row
        try:
            result = mutation.run(conn, store_id, now)
        finally:
            unused = conn.info.pop(journal.IDEMPOTENCY, None)
        assert unused is None, f"{mutation.operation} wrote no transaction for its key"
        return False, result

    for _ in range(MAX_ATTEMPTS):
        try:
            replayed, value = bf.run(attempt)
        except (_Replay, IntegrityError):
            continue
        except BillfoldError as refusal:
            return _refused(bf, store_id, key, mutation, print_, refusal)
        return replay(value, mutation.result_type) if replayed else value  # type: ignore[no-any-return]
    raise AssertionError("idempotent request kept colliding")


def _run_in_one_call(bf: Billfold, store_id: str, mutation: Mutation[T],
                     idempotency_key: str | None) -> T:
    key = print_ = None
    if idempotency_key is not None:
        key = check_key(idempotency_key)
        print_ = fingerprint(mutation.operation, mutation.fingerprinted())
    for _ in range(MAX_ATTEMPTS):
        try:
            call = mutation.database_call(store_id, bf.clock.now())
            assert call is not None
            template = (encode(call.template)
                        if key is not None and not mutation.key_in_transaction else None)
            reply = bf.calls.call(call.sql, (
                key, mutation.operation, print_, template, *call.args))
            if "replay" not in reply:
                return call.finish(reply)  # type: ignore[return-value]
        except calls.Retry:
            continue
        except BillfoldError as refusal:
            if key is None or print_ is None:
                raise
            return _refused(bf, store_id, key, mutation, print_, refusal)
        assert key is not None and print_ is not None
        record = check_record(reply["replay"], print_)
        transaction_id = reply["replay"].get("transaction_id")
        if transaction_id is not None:
            record = bf.run(partial(_transaction_record, store_id=store_id,
                                    transaction_id=transaction_id, fingerprint_=print_,
                                    mutation=mutation), read_only=True)
        return replay(record, mutation.result_type)
    raise AssertionError("the database call kept losing races")


def _refused(bf: Billfold, store_id: str, key: str, mutation: Mutation[T], print_: str,
             refusal: BillfoldError) -> T:
    """A keyed request was refused: remember the refusal and raise it, or return (or
    raise) what a concurrent duplicate that committed first stored — the refusal may
    only be the effect of the duplicate's work."""
    if refusal.code == "idempotency_conflict":
        raise refusal

    def store_refusal(conn: Connection) -> Record | None:
        found = find(conn, store_id, key, mutation, print_)
        if found is None:
            save(conn, store_id, key, mutation.operation, print_, ERROR, refusal.to_dict(),
                 bf.clock.now(), refusal.status)
        return found

    first = bf.run(store_refusal)
    if first is not None:
        return replay(first, mutation.result_type)
    raise refusal


def replay(record: Record, result_type: type[T]) -> T:
    """The stored outcome again: the result decoded, or the refusal raised."""
    if record.outcome == ERROR:
        raise BillfoldError.from_dict(record.response)
    return codec.decode(result_type, record.response)  # type: ignore[no-any-return]
