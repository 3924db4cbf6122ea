"""`shop.holds`: reserve credit now, capture all or part later, or let it go; and the
sweep that lets go of holds whose time is up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.durations import resolve_expiry
from billfold.errors import Code, refusal
from billfold.ledger import holds
from billfold.ledger.models import Hold
from billfold.ledger.withdraw import WITHDRAWAL_HOLD_PREFIX
from billfold.store.calls import DatabaseCall


@dataclass(frozen=True, slots=True)
class HoldMovement(Mutation[Hold]):
    """Placing, capturing or releasing a hold: one call on PostgreSQL; under a key, the
    hold's transaction keeps it and a retry reads the hold back."""

    result_type = Hold
    in_one_call = True
    key_in_transaction = True

    def answer_of(self, conn: Connection, store_id: str, transaction_id: str) -> Hold:
        return holds.answer_of(conn, store_id, transaction_id)


@dataclass(frozen=True, slots=True)
class PlaceHold(HoldMovement):
    operation = "hold"
    customer_id: str
    program: str
    amount: int
    expires_in: object = None
    expires_at: datetime | None = None
    reference: str | None = None
    metadata: dict[str, Any] | None = None

    def _arguments(self, store_id: str, now: datetime) -> dict[str, Any]:
        return dict(store_id=store_id, customer_id=self.customer_id, program=self.program,
                    amount=self.amount, now=now,
                    expires_at=resolve_expiry(now, expires_in=self.expires_in,
                                              expires_at=self.expires_at),
                    reference=self.reference, metadata=self.metadata)

    def run(self, conn: Connection, store_id: str, now: datetime) -> Hold:
        return holds.place_hold(conn, **self._arguments(store_id, now))

    def database_call(self, store_id: str, now: datetime) -> DatabaseCall:
        return holds.hold_call(**self._arguments(store_id, now))


@dataclass(frozen=True, slots=True)
class CaptureHold(HoldMovement):
    operation = "capture"
    hold_id: str
    amount: int | None = None
    description: str | None = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> Hold:
        return holds.capture_hold(conn, store_id=store_id, hold_id=self.hold_id, now=now,
                                  amount=self.amount, description=self.description)

    def database_call(self, store_id: str, now: datetime) -> DatabaseCall:
        return holds.capture_call(store_id=store_id, hold_id=self.hold_id, now=now,
                                       amount=self.amount, description=self.description)


@dataclass(frozen=True, slots=True)
class ReleaseHold(HoldMovement):
    operation = "release"
    hold_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Hold:
        return holds.release_hold(conn, store_id=store_id, hold_id=self.hold_id, now=now)

    def database_call(self, store_id: str, now: datetime) -> DatabaseCall:
        return holds.release_call(store_id=store_id, hold_id=self.hold_id, now=now)


class Holds(Namespace):
    def create(self, customer_id: str, program: str, amount: int, *,
               expires_in: object = None, expires_at: datetime | None = None,
               reference: str | None = None, metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> contract.Hold:
        """Reserve `amount` of available credit until it expires (default 30 minutes)."""
        return render.hold(self._mutate(PlaceHold(
            customer_id, program, amount, expires_in, expires_at, reference, metadata),
            idempotency_key))

    def get(self, hold_id: str) -> contract.Hold:
        _not_a_withdrawal(hold_id)
        return render.hold(self._read(lambda c: holds.get_hold(c, self.store_id, hold_id)))

    def capture(self, hold_id: str, *, amount: int | None = None,
                description: str | None = None,
                idempotency_key: str | None = None) -> contract.Hold:
        """Spend `amount` (default all) of the hold and let go of the rest."""
        _not_a_withdrawal(hold_id)
        return render.hold(self._mutate(CaptureHold(hold_id, amount, description),
                                        idempotency_key))

    def release(self, hold_id: str, *, idempotency_key: str | None = None) -> contract.Hold:
        _not_a_withdrawal(hold_id)
        return render.hold(self._mutate(ReleaseHold(hold_id), idempotency_key))

    def expire_due(self) -> int:
        """Let go of every hold whose time is up, batch by batch; how many."""
        total = 0
        while released := self._bf.run(lambda c: holds.expire_holds(c, self.store_id,
                                                                    self.now)):
            total += released
        return total


def _not_a_withdrawal(hold_id: str) -> None:
    """A withdrawal's hold moves only through `shop.withdrawals` (approve, reject): here
    it is no hold at all. A prefix test, no round trip."""
    if isinstance(hold_id, str) and hold_id.startswith(WITHDRAWAL_HOLD_PREFIX):
        raise refusal(Code.HOLD_NOT_FOUND, param="hold_id", hold_id=hold_id)
