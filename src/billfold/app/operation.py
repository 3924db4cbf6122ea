"""A mutation's arguments, written once: the fingerprint of a keyed request, the use
case it runs and, on PostgreSQL, its one-call form.

Each library mutation is a frozen dataclass of its arguments (`Credit`, `Debit`,
`CaptureHold`…); its fields are what the idempotency fingerprint is taken from;
`run` calls the use case inside the transaction the front door opened;
`database_call` (where the movement has a PostgreSQL function) is the same
movement as one function call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Generic, TypeVar

from sqlalchemy import Connection

from billfold.ledger import queries
from billfold.store.calls import DatabaseCall

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Mutation(Generic[T]):
    """Base of every mutation's arguments; subclasses name the operation and result."""

    operation: ClassVar[str]
    result_type: ClassVar[type]
    in_one_call: ClassVar[bool] = False  # True where `database_call` is defined
    # True where the answer is the one transaction the movement writes: the key and the
    # fingerprint go into that row, not into idempotency_keys (a refusal still does).
    key_in_transaction: ClassVar[bool] = False

    def run(self, conn: Connection, store_id: str, now: datetime) -> T:
        raise NotImplementedError

    def fingerprinted(self) -> object:
        """What a keyed request's fingerprint is taken from: its arguments (all fields,
        unless a mutation carries a collaborator that is not an argument)."""
        return self

    def kept(self, result: T) -> T:
        """What is kept of `result` beside its idempotency key for a retry to answer: all
        of it, but for secrets shown once (a code batch's plain codes)."""
        return result

    def answer_of(self, conn: Connection, store_id: str, transaction_id: str) -> T:
        """What the movement answered when it wrote `transaction_id` (`key_in_transaction`
        mutations: a retry's answer, read back)."""
        return queries.get_transaction(conn, store_id, transaction_id)  # type: ignore[return-value]

    def database_call(self, store_id: str, now: datetime) -> DatabaseCall | None:
        """The movement as one PostgreSQL function call, or None where there is none."""
        return None
