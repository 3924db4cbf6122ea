"""`shop.promises`: credit promised (pending, not spendable), then granted as a lot once,
shrunk, or voided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.durations import parse_duration_seconds
from billfold.ledger import promises
from billfold.ledger.models import Promise


@dataclass(frozen=True, slots=True)
class PromiseCredit(Mutation[Promise]):
    operation = "promise"
    result_type = Promise
    customer_id: str
    program: str
    amount: int
    funding_type: str
    credit_expires_in: object = None
    withdrawable: bool | None = None
    source_type: str = "manual"
    source_id: str | None = None
    description: str | None = None
    metadata: dict[str, Any] | None = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> Promise:
        seconds = (None if self.credit_expires_in is None else
                   parse_duration_seconds(self.credit_expires_in, param="credit_expires_in"))
        return promises.promise_credit(
            conn, store_id=store_id, customer_id=self.customer_id, program=self.program,
            amount=self.amount, funding_type=self.funding_type, now=now,
            credit_expires_seconds=seconds, is_withdrawable=self.withdrawable,
            source_type=self.source_type, source_id=self.source_id,
            description=self.description, metadata=self.metadata)


@dataclass(frozen=True, slots=True)
class GrantPromise(Mutation[Promise]):
    operation = "grant_promise"
    result_type = Promise
    promise_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Promise:
        return promises.grant_promise(conn, store_id=store_id, promise_id=self.promise_id,
                                      now=now)


@dataclass(frozen=True, slots=True)
class ShrinkPromise(Mutation[Promise]):
    operation = "shrink_promise"
    result_type = Promise
    promise_id: str
    new_amount: int

    def run(self, conn: Connection, store_id: str, now: datetime) -> Promise:
        return promises.shrink_promise(conn, store_id=store_id, promise_id=self.promise_id,
                                       new_amount=self.new_amount, now=now)


@dataclass(frozen=True, slots=True)
class VoidPromise(Mutation[Promise]):
    operation = "void_promise"
    result_type = Promise
    promise_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Promise:
        return promises.void_promise(conn, store_id=store_id, promise_id=self.promise_id,
                                     now=now)


class Promises(Namespace):
    def create(self, customer_id: str, program: str, amount: int, *, funding_type: str,
               credit_expires_in: object = None, withdrawable: bool | None = None,
               source_type: str = "manual", source_id: str | None = None,
               description: str | None = None, metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> Promise:
        return self._mutate(PromiseCredit(customer_id, program, amount, funding_type,
                                          credit_expires_in, withdrawable, source_type,
                                          source_id, description, metadata), idempotency_key)

    def get(self, promise_id: str) -> Promise:
        return self._snapshot(lambda c: promises.get_promise(c, self.store_id, promise_id))

    def grant(self, promise_id: str, *, idempotency_key: str | None = None) -> Promise:
        return self._mutate(GrantPromise(promise_id), idempotency_key)

    def shrink(self, promise_id: str, new_amount: int, *,
               idempotency_key: str | None = None) -> Promise:
        return self._mutate(ShrinkPromise(promise_id, new_amount), idempotency_key)

    def void(self, promise_id: str, *, idempotency_key: str | None = None) -> Promise:
        return self._mutate(VoidPromise(promise_id), idempotency_key)
