"""Billfold: the library's front door. It owns the transactions; use cases do the work.

    bf = Billfold("sqlite:///wallets.db")
    shop = bf.store(bf.create_store("Acme", currency="SAR").id)
    shop.credit("cus-1", "main", 5000, funding_type="cash", expires_in="90d")
    shop.debit("cus-1", "main", 1200, idempotency_key="order-1001")
    shop.balance("cus-1", "main").available   # 3800

Every mutation takes an optional `idempotency_key`; a retry with the same key
and arguments returns the first outcome (result or refusal) and moves nothing.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from billfold import codec, customers, idempotency, stores
from billfold.clock import Clock, SystemClock
from billfold.commerce import checkout, offers, order_records, orders, refunds, stats
from billfold.commerce import settings as store_settings
from billfold.durations import resolve_expiry
from billfold.errors import BillfoldError
from billfold.ledger import (
    bulk,
    expiry,
    hold_calls,
    holds,
    lot_admin,
    movements,
    promises,
    queries,
)
from billfold.ledger.models import (
    Balance,
    Hold,
    Lot,
    LotUsage,
    Page,
    Promise,
    SweepResult,
    Transaction,
)
from billfold.ledger.verify import VerifyReport, verify
from billfold.settings import DEFAULT_AUTH_CACHE_SECONDS
from billfold.store import calls
from billfold.store.engine import READ_ONLY, make_engine
from billfold.store.migrate import upgrade

T = TypeVar("T")
MAX_TRANSACTION_ATTEMPTS = 8
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock
MAX_CACHED_KEYS = 10_000


class _Replay(Exception):
    """A concurrent request with the same idempotency key committed first."""


class Billfold:
    """A billfold database. Thread-safe; share one per process."""

    def __init__(self, database_url: str = "sqlite:///billfold.db", *,
                 clock: Clock | None = None, migrate: bool = True,
                 engine: Engine | None = None,
                 auth_cache_seconds: float = DEFAULT_AUTH_CACHE_SECONDS):
        self.engine = engine or make_engine(database_url)
        self.auth_cache_seconds = auth_cache_seconds
        self._known_keys: dict[str, tuple[str, float]] = {}  # key hash -> (store, until)
        self._sqlite_writer = threading.RLock()
        self.clock: Clock = clock or SystemClock()
        if migrate:
            upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Billfold:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- transactions -----------------------------------------------------------------

    @contextlib.contextmanager
    def begin(self, *, read_only: bool = False) -> Iterator[Connection]:
        """One database transaction (BEGIN IMMEDIATE on SQLite unless read-only).

        SQLite writers of this process queue on a lock before BEGIN IMMEDIATE, so
        they wait their turn instead of sleeping in SQLite's busy handler.
        """
        writer_lock = (self._sqlite_writer if self.engine.dialect.name == "sqlite"
                       and not read_only else contextlib.nullcontext())
        with writer_lock, self.engine.connect() as conn:
            if read_only:
                conn = conn.execution_options(**READ_ONLY)
            with conn.begin():
                yield conn

    def run(self, work: Callable[[Connection], T], *, read_only: bool = False) -> T:
        """Run `work` in a transaction, retrying a bounded number of times on
        serialization failures and deadlocks."""
        for attempt in range(MAX_TRANSACTION_ATTEMPTS):
            try:
                with self.begin(read_only=read_only) as conn:
                    return work(conn)
            except DBAPIError as error:
                code = getattr(error.orig, "sqlstate", None)
                if code not in RETRYABLE_SQLSTATES or attempt == MAX_TRANSACTION_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def read(self, work: Callable[[Connection], T]) -> T:
        """A read whose statements each stand alone: one statement, or lookups of rows
        that never change once written. On PostgreSQL it runs without BEGIN and
        COMMIT (autocommit: each statement reads its own snapshot), a round trip per
        statement; elsewhere it is `run(work, read_only=True)`."""
        if self.engine.dialect.name != "postgresql":
            return self.run(work, read_only=True)
        with self.engine.connect() as conn:
            return work(conn.execution_options(isolation_level="AUTOCOMMIT"))

    def mutate(self, store_id: str, operation: str, request: dict[str, Any],
               work: Callable[[Connection, datetime], T], result_type: type[T],
               idempotency_key: str | None, *,
               database_call: Callable[[datetime], movements.DatabaseCall] | None = None,
               ) -> T:
        """Run a use case once per idempotency key (see module docstring).

        With `database_call`, on PostgreSQL, the whole use case — idempotency
        record included — is one function call in its own transaction.
        """
        if (database_call is not None and movements.USE_DATABASE_FUNCTIONS
                and self.engine.dialect.name == "postgresql"):
            return self._mutate_in_one_call(store_id, operation, request, database_call,
                                            result_type, idempotency_key)
        if idempotency_key is None:
            return self.run(lambda conn: work(conn, self.clock.now()))
        key = idempotency.check_key(idempotency_key)
        print_ = idempotency.fingerprint(operation, request)

        def attempt(conn: Connection) -> tuple[bool, Any]:
            found = idempotency.find(conn, store_id, key, operation, print_)
            if found is not None:
                return True, found
            now = self.clock.now()
            result = work(conn, now)
            if not idempotency.save(conn, store_id, key, operation, print_, idempotency.OK,
                                    codec.encode(result), now):
                raise _Replay
            return False, result

        for _ in range(MAX_TRANSACTION_ATTEMPTS):
            try:
                replayed, value = self.run(attempt)
            except (_Replay, IntegrityError):
                continue
            except BillfoldError as refusal:
                return self._refused(store_id, key, operation, print_, refusal, result_type)
            if not replayed:
                return value  # type: ignore[no-any-return]
            return _replay(value, result_type)
        raise AssertionError("idempotent request kept colliding")

    def _mutate_in_one_call(self, store_id: str, operation: str, request: dict[str, Any],
                            database_call: Callable[[datetime], movements.DatabaseCall],
                            result_type: type[T], idempotency_key: str | None) -> T:
        key = print_ = None
        if idempotency_key is not None:
            key = idempotency.check_key(idempotency_key)
            print_ = idempotency.fingerprint(operation, request)
        for _ in range(MAX_TRANSACTION_ATTEMPTS):
            try:
                call = database_call(self.clock.now())
                template = codec.encode(call.template) if key is not None else None
                reply = calls.call_function(self.engine, call.sql,
                                            (key, operation, print_, template, *call.args))
                if "replay" not in reply:
                    return call.finish(reply)  # type: ignore[return-value]
            except calls.Retry:
                continue
            except BillfoldError as refusal:
                if key is None or print_ is None:
                    raise
                return self._refused(store_id, key, operation, print_, refusal, result_type)
            assert key is not None and print_ is not None
            return _replay(idempotency.check_record(reply["replay"], operation, print_),
                           result_type)
        raise AssertionError("the database call kept losing races")

    def _refused(self, store_id: str, key: str, operation: str, print_: str,
                 refusal: BillfoldError, result_type: type[T]) -> T:
        """A keyed request was refused: remember the refusal and raise it, or return (or
        raise) what a concurrent duplicate that committed first stored."""
        if refusal.type == "conflict" and refusal.code == "idempotency_conflict":
            raise refusal
        first = self._remember_refusal(store_id, key, operation, print_, refusal)
        if first is not None:
            return _replay(first, result_type)
        raise refusal

    def _remember_refusal(self, store_id: str, key: str, operation: str, print_: str,
                          refusal: BillfoldError) -> idempotency.Record | None:
        """Store the refusal, unless a concurrent duplicate stored an outcome first: then
        return that outcome (the refusal may only be the effect of the duplicate's work)."""
        def store_refusal(conn: Connection) -> idempotency.Record | None:
            found = idempotency.find(conn, store_id, key, operation, print_)
            if found is None:
                idempotency.save(conn, store_id, key, operation, print_, idempotency.ERROR,
                                 refusal.to_dict(), self.clock.now(), refusal.status)
            return found

        return self.run(store_refusal)

    # -- stores -------------------------------------------------------------------------

    def create_store(self, name: str, *, currency: str) -> stores.Store:
        return self.run(lambda c: stores.create_store(c, name=name, currency=currency,
                                                      now=self.clock.now()))

    def create_api_key(self, store_id: str) -> stores.NewApiKey:
        return self.run(lambda c: stores.create_api_key(c, store_id=store_id,
                                                        now=self.clock.now()))

    def authenticate(self, secret: str) -> str:
        """The store id of a secret key, or AuthenticationFailed.

        A key found valid is remembered for `auth_cache_seconds` (by its hash), so
        that a busy API does not read the key table on every request. A revocation
        through this Billfold applies at once; through another process, within
        that many seconds.
        """
        known = self.known_key(secret)
        if known is not None:
            return known
        store_id = self.run(lambda c: stores.authenticate(c, secret), read_only=True)
        digest = stores.key_digest(secret)
        if self.auth_cache_seconds > 0:
            if len(self._known_keys) >= MAX_CACHED_KEYS:
                self._known_keys.clear()
            self._known_keys[digest] = (store_id, time.monotonic() + self.auth_cache_seconds)
        return store_id

    def known_key(self, secret: str) -> str | None:
        """The store id of a key this Billfold found valid moments ago, without I/O."""
        if not isinstance(secret, str):
            return None
        cached = self._known_keys.get(stores.key_digest(secret))
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        return None

    def revoke_api_key(self, store_id: str, key_id: str) -> None:
        self.run(lambda c: stores.revoke_api_key(c, store_id=store_id, key_id=key_id,
                                                 now=self.clock.now()))
        self._known_keys.clear()

    def store(self, store_id: str) -> StoreWallets:
        self.run(lambda c: stores.get_store(c, store_id), read_only=True)
        return StoreWallets(self, store_id)

    def verify(self) -> VerifyReport:
        return self.run(lambda c: verify(c, self.clock.now()), read_only=True)

    def sweep(self) -> tuple[int, SweepResult]:
        """Expire timed-out holds and expired lots in every store, batch by batch."""
        holds_released, lots_total = 0, SweepResult(0, 0, 0)
        for store in self.run(stores.list_stores, read_only=True):
            handle = StoreWallets(self, store.id)
            holds_released += handle.expire_holds()
            result = handle.expire_lots()
            lots_total = SweepResult(lots_total.transactions + result.transactions,
                                     lots_total.lots + result.lots,
                                     lots_total.amount + result.amount)
        return holds_released, lots_total


class StoreWallets:
    """One store's wallets. Every method is one transaction."""

    def __init__(self, billfold: Billfold, store_id: str):
        self._bf = billfold
        self.store_id = store_id

    @property
    def now(self) -> datetime:
        return self._bf.clock.now()

    # -- programs -----------------------------------------------------------------------

    def create_program(self, name: str, *, unit: str, spending_strategy: str = "expiry_first",
                       expires_in: object = None) -> None:
        from billfold.durations import parse_duration_seconds

        seconds = None if expires_in is None else parse_duration_seconds(expires_in)
        self._bf.run(lambda c: stores.create_program(
            c, store_id=self.store_id, name=name, unit=unit, now=self.now,
            spending_strategy=spending_strategy, default_expires_seconds=seconds))

    def update_program(self, name: str, *, spending_strategy: str | None = None) -> None:
        self._bf.run(lambda c: stores.update_program(
            c, store_id=self.store_id, name=name, spending_strategy=spending_strategy))

    # -- movements ----------------------------------------------------------------------

    def credit(self, customer_id: str, program: str, amount: int, *, funding_type: str,
               expires_in: object = None, expires_at: datetime | None = None,
               withdrawable: bool | None = None, description: str | None = None,
               reference: str | None = None, metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> Transaction:
        request = {"customer_id": customer_id, "program": program, "amount": amount,
                   "funding_type": funding_type, "expires_in": expires_in,
                   "expires_at": expires_at, "withdrawable": withdrawable,
                   "description": description, "reference": reference, "metadata": metadata}

        def work(conn: Connection, now: datetime) -> Transaction:
            return movements.credit(
                conn, store_id=self.store_id, customer_id=customer_id, program=program,
                amount=amount, funding_type=funding_type, now=now,
                expires_at=resolve_expiry(now, expires_in=expires_in, expires_at=expires_at),
                is_withdrawable=withdrawable, description=description, reference=reference,
                metadata=metadata)

        def call(now: datetime) -> movements.DatabaseCall:
            return movements.credit_call(
                store_id=self.store_id, customer_id=customer_id, program=program,
                amount=amount, funding_type=funding_type, now=now,
                expires_at=resolve_expiry(now, expires_in=expires_in, expires_at=expires_at),
                is_withdrawable=withdrawable, description=description, reference=reference,
                metadata=metadata)

        return self._bf.mutate(self.store_id, "credit", request, work, Transaction,
                               idempotency_key, database_call=call)

    def debit(self, customer_id: str, program: str, amount: int, *,
              description: str | None = None, reference: str | None = None,
              metadata: dict[str, Any] | None = None,
              idempotency_key: str | None = None) -> Transaction:
        request = {"customer_id": customer_id, "program": program, "amount": amount,
                   "description": description, "reference": reference, "metadata": metadata}
        return self._bf.mutate(
            self.store_id, "debit", request,
            lambda conn, now: movements.debit(
                conn, store_id=self.store_id, customer_id=customer_id, program=program,
                amount=amount, now=now, description=description, reference=reference,
                metadata=metadata),
            Transaction, idempotency_key,
            database_call=lambda now: movements.debit_call(
                store_id=self.store_id, customer_id=customer_id, program=program,
                amount=amount, now=now, description=description, reference=reference,
                metadata=metadata))

    def reverse(self, transaction_id: str, *, description: str, amount: int | None = None,
                metadata: dict[str, Any] | None = None,
                idempotency_key: str | None = None) -> Transaction:
        request = {"transaction_id": transaction_id, "amount": amount,
                   "description": description, "metadata": metadata}
        return self._bf.mutate(
            self.store_id, "reverse", request,
            lambda conn, now: movements.reverse(
                conn, store_id=self.store_id, transaction_id=transaction_id, now=now,
                amount=amount, description=description, metadata=metadata),
            Transaction, idempotency_key)

    def transfer(self, from_customer_id: str, to_customer_id: str, program: str, amount: int,
                 *, description: str | None = None, reference: str | None = None,
                 metadata: dict[str, Any] | None = None,
                 idempotency_key: str | None = None) -> Transaction:
        request = {"from": from_customer_id, "to": to_customer_id, "program": program,
                   "amount": amount, "description": description, "reference": reference,
                   "metadata": metadata}
        return self._bf.mutate(
            self.store_id, "transfer", request,
            lambda conn, now: movements.transfer(
                conn, store_id=self.store_id, from_customer_id=from_customer_id,
                to_customer_id=to_customer_id, program=program, amount=amount, now=now,
                description=description, reference=reference, metadata=metadata),
            Transaction, idempotency_key)

    def grant(self, program: str, grants: list[tuple[str, int]], *, funding_type: str,
              expires_in: object = None, type: str = "credit", description: str | None = None,
              idempotency_key: str | None = None) -> bulk.GrantResult:
        """Credit many customers in one transaction (set-based; each still gets its own
        transaction and lot). At most `bulk.MAX_GRANTS_PER_BATCH` grants per call."""
        request = {"program": program, "grants": [list(g) for g in grants],
                   "funding_type": funding_type, "expires_in": expires_in, "type": type,
                   "description": description}
        return self._bf.mutate(
            self.store_id, "grant", request,
            lambda conn, now: bulk.grant_credits(
                conn, store_id=self.store_id, program=program, grants=list(grants),
                funding_type=funding_type, now=now,
                expires_at=resolve_expiry(now, expires_in=expires_in), type=type,
                description=description),
            bulk.GrantResult, idempotency_key)

    # -- promised credit -------------------------------------------------------------

    def promise(self, customer_id: str, program: str, amount: int, *, funding_type: str,
                credit_expires_in: object = None, withdrawable: bool | None = None,
                source_type: str = "manual", source_id: str | None = None,
                description: str | None = None, metadata: dict[str, Any] | None = None,
                idempotency_key: str | None = None) -> Promise:
        from billfold.durations import parse_duration_seconds

        request = {"customer_id": customer_id, "program": program, "amount": amount,
                   "funding_type": funding_type, "credit_expires_in": credit_expires_in,
                   "withdrawable": withdrawable, "source_type": source_type,
                   "source_id": source_id, "description": description, "metadata": metadata}
        return self._bf.mutate(
            self.store_id, "promise", request,
            lambda conn, now: promises.promise_credit(
                conn, store_id=self.store_id, customer_id=customer_id, program=program,
                amount=amount, funding_type=funding_type, now=now,
                credit_expires_seconds=None if credit_expires_in is None else
                parse_duration_seconds(credit_expires_in, param="credit_expires_in"),
                is_withdrawable=withdrawable, source_type=source_type, source_id=source_id,
                description=description, metadata=metadata),
            Promise, idempotency_key)

    def grant_promise(self, promise_id: str, *, idempotency_key: str | None = None) -> Promise:
        return self._bf.mutate(
            self.store_id, "grant_promise", {"promise_id": promise_id},
            lambda conn, now: promises.grant_promise(conn, store_id=self.store_id,
                                                     promise_id=promise_id, now=now),
            Promise, idempotency_key)

    def shrink_promise(self, promise_id: str, new_amount: int, *,
                       idempotency_key: str | None = None) -> Promise:
        return self._bf.mutate(
            self.store_id, "shrink_promise", {"promise_id": promise_id, "amount": new_amount},
            lambda conn, now: promises.shrink_promise(conn, store_id=self.store_id,
                                                      promise_id=promise_id,
                                                      new_amount=new_amount, now=now),
            Promise, idempotency_key)

    def void_promise(self, promise_id: str, *, idempotency_key: str | None = None) -> Promise:
        return self._bf.mutate(
            self.store_id, "void_promise", {"promise_id": promise_id},
            lambda conn, now: promises.void_promise(conn, store_id=self.store_id,
                                                    promise_id=promise_id, now=now),
            Promise, idempotency_key)

    def get_promise(self, promise_id: str) -> Promise:
        return self._read(lambda c: promises.get_promise(c, self.store_id, promise_id))

    # -- holds --------------------------------------------------------------------------

    def hold(self, customer_id: str, program: str, amount: int, *, expires_in: object = None,
             expires_at: datetime | None = None, reference: str | None = None,
             metadata: dict[str, Any] | None = None,
             idempotency_key: str | None = None) -> Hold:
        request = {"customer_id": customer_id, "program": program, "amount": amount,
                   "expires_in": expires_in, "expires_at": expires_at, "reference": reference,
                   "metadata": metadata}
        return self._bf.mutate(
            self.store_id, "hold", request,
            lambda conn, now: holds.place_hold(
                conn, store_id=self.store_id, customer_id=customer_id, program=program,
                amount=amount, now=now,
                expires_at=resolve_expiry(now, expires_in=expires_in, expires_at=expires_at),
                reference=reference, metadata=metadata),
            Hold, idempotency_key,
            database_call=lambda now: hold_calls.hold_call(
                store_id=self.store_id, customer_id=customer_id, program=program,
                amount=amount, now=now,
                expires_at=resolve_expiry(now, expires_in=expires_in, expires_at=expires_at),
                reference=reference, metadata=metadata))

    def capture(self, hold_id: str, *, amount: int | None = None,
                description: str | None = None, idempotency_key: str | None = None) -> Hold:
        request = {"hold_id": hold_id, "amount": amount, "description": description}
        return self._bf.mutate(
            self.store_id, "capture", request,
            lambda conn, now: holds.capture_hold(conn, store_id=self.store_id, hold_id=hold_id,
                                                 now=now, amount=amount,
                                                 description=description),
            Hold, idempotency_key,
            database_call=lambda now: hold_calls.capture_call(
                store_id=self.store_id, hold_id=hold_id, now=now, amount=amount,
                description=description))

    def release(self, hold_id: str, *, idempotency_key: str | None = None) -> Hold:
        return self._bf.mutate(
            self.store_id, "release", {"hold_id": hold_id},
            lambda conn, now: holds.release_hold(conn, store_id=self.store_id,
                                                 hold_id=hold_id, now=now),
            Hold, idempotency_key,
            database_call=lambda now: hold_calls.release_call(store_id=self.store_id,
                                                              hold_id=hold_id, now=now))

    def get_hold(self, hold_id: str) -> Hold:
        return self._bf.read(lambda c: holds.get_hold(c, self.store_id, hold_id))

    # -- lot administration -------------------------------------------------------------

    def change_lot_expiry(self, lot_id: str, *, expires_at: datetime | None, reason: str,
                          idempotency_key: str | None = None) -> Transaction:
        request = {"lot_id": lot_id, "expires_at": expires_at, "reason": reason}
        return self._bf.mutate(
            self.store_id, "change_lot_expiry", request,
            lambda conn, now: lot_admin.change_lot_expiry(
                conn, store_id=self.store_id, lot_id=lot_id, expires_at=expires_at,
                reason=reason, now=now),
            Transaction, idempotency_key)

    def void_lot(self, lot_id: str, *, reason: str,
                 idempotency_key: str | None = None) -> Transaction:
        return self._bf.mutate(
            self.store_id, "void_lot", {"lot_id": lot_id, "reason": reason},
            lambda conn, now: lot_admin.void_lot(conn, store_id=self.store_id, lot_id=lot_id,
                                                 reason=reason, now=now),
            Transaction, idempotency_key)

    # -- sweeps -------------------------------------------------------------------------

    def expire_holds(self) -> int:
        total = 0
        while released := self._bf.run(lambda c: holds.expire_holds(c, self.store_id,
                                                                    self.now)):
            total += released
        return total

    def expire_lots(self) -> SweepResult:
        total = SweepResult(0, 0, 0)
        while (batch := self._bf.run(
                lambda c: expiry.sweep_expired_lots(c, self.store_id, self.now))).transactions:
            total = SweepResult(total.transactions + batch.transactions,
                                total.lots + batch.lots, total.amount + batch.amount)
        return total

    # -- reads --------------------------------------------------------------------------

    def balance(self, customer_id: str, program: str = "main") -> Balance:
        return self._bf.read(lambda c: queries.balance(c, self.store_id, customer_id, program,
                                                       self.now))

    def lots(self, customer_id: str, program: str = "main", *, status: str | None = None,
             limit: int = queries.DEFAULT_PAGE_SIZE,
             starting_after: str | None = None) -> Page[Lot]:
        return self._bf.read(lambda c: queries.list_lots(
            c, self.store_id, customer_id, program, self.now, status=status, limit=limit,
            starting_after=starting_after))

    def history(self, customer_id: str, program: str = "main", *,
                limit: int = queries.DEFAULT_PAGE_SIZE,
                starting_after: str | None = None) -> Page[Transaction]:
        return self._bf.read(lambda c: queries.history(
            c, self.store_id, customer_id, program, limit=limit, starting_after=starting_after))

    def transaction(self, transaction_id: str) -> Transaction:
        return self._bf.read(
            lambda c: queries.get_transaction(c, self.store_id, transaction_id))

    def lot(self, lot_id: str) -> Lot:
        return self._bf.read(lambda c: queries.get_lot(c, self.store_id, lot_id, self.now))

    def lot_usage(self, lot_id: str) -> tuple[LotUsage, ...]:
        return self._bf.read(lambda c: queries.lot_usage(c, self.store_id, lot_id))

    def _read(self, work: Callable[[Connection], T]) -> T:
        return self._bf.run(work, read_only=True)

    # -- customers (api) ----------------------------------------------------------------

    def create_customer(self, customer_id: str, *, email: str | None = None,
                        name: str | None = None, metadata: dict[str, Any] | None = None,
                        idempotency_key: str | None = None) -> customers.CustomerCreated:
        """Create a customer, or find it if it exists and nothing contradicts it."""
        request = {"customer_id": customer_id, "email": email, "name": name,
                   "metadata": metadata}
        return self._bf.mutate(
            self.store_id, "create_customer", request,
            lambda conn, now: customers.create_customer(
                conn, store_id=self.store_id, customer_id=customer_id, now=now, email=email,
                name=name, metadata=metadata),
            customers.CustomerCreated, idempotency_key)

    def customer(self, customer_id: str) -> customers.Customer:
        return self._read(lambda c: customers.get_customer(c, self.store_id, customer_id))

    def wallets(self, customer_id: str) -> tuple[Balance, ...]:
        """The figures of every wallet of a known customer (NotFound otherwise)."""
        def read(conn: Connection) -> tuple[Balance, ...]:
            customers.get_customer(conn, self.store_id, customer_id)
            return customers.wallet_summary(conn, self.store_id, customer_id, self.now)

        return self._read(read)


    # -- commerce -----------------------------------------------------------------------

    def get_settings(self) -> store_settings.StoreSettings:
        return self._read(lambda c: store_settings.get_settings(c, self.store_id))

    def update_settings(self, changes: dict[str, Any], *,
                        idempotency_key: str | None = None) -> store_settings.StoreSettings:
        """Merge `changes` into the settings (PATCH semantics; see commerce.settings)."""
        return self._bf.mutate(
            self.store_id, "update_settings", {"changes": changes},
            lambda conn, now: store_settings.update_settings(
                conn, store_id=self.store_id, changes=changes, now=now),
            store_settings.StoreSettings, idempotency_key)

    def create_checkout(self, customer_id: str, order_id: str, amount: int, *, currency: str,
                        programs: list[str] | None = None, expires_in: object = None,
                        idempotency_key: str | None = None) -> checkout.Checkout:
        from billfold.durations import parse_duration_seconds

        request = {"customer_id": customer_id, "order_id": order_id, "amount": amount,
                   "currency": currency, "programs": programs, "expires_in": expires_in}
        return self._bf.mutate(
            self.store_id, "create_checkout", request,
            lambda conn, now: checkout.create_checkout(
                conn, store_id=self.store_id, customer_id=customer_id, order_id=order_id,
                currency=currency, amount=amount, now=now, programs=programs,
                expires_seconds=None if expires_in is None else parse_duration_seconds(
                    expires_in)),
            checkout.Checkout, idempotency_key)

    def complete_checkout(self, checkout_id: str, *,
                          idempotency_key: str | None = None) -> checkout.Checkout:
        return self._bf.mutate(
            self.store_id, "complete_checkout", {"checkout_id": checkout_id},
            lambda conn, now: checkout.complete_checkout(conn, store_id=self.store_id,
                                                         checkout_id=checkout_id, now=now),
            checkout.Checkout, idempotency_key)

    def cancel_checkout(self, checkout_id: str, *,
                        idempotency_key: str | None = None) -> checkout.Checkout:
        return self._bf.mutate(
            self.store_id, "cancel_checkout", {"checkout_id": checkout_id},
            lambda conn, now: checkout.cancel_checkout(conn, store_id=self.store_id,
                                                       checkout_id=checkout_id, now=now),
            checkout.Checkout, idempotency_key)

    def get_checkout(self, checkout_id: str) -> checkout.Checkout:
        return self._read(lambda c: checkout.get_checkout(c, self.store_id, checkout_id,
                                                          self.now))

    def create_offer(self, name: str, *, program: str = "main", percent: object = None,
                     amount: int | None = None, product_ids: list[str] | None = None,
                     category_ids: list[str] | None = None,
                     min_order_amount: int | None = None, max_amount: int | None = None,
                     first_order_only: bool = False, starts_at: datetime | None = None,
                     ends_at: datetime | None = None, credit_expires_in: object = None,
                     idempotency_key: str | None = None) -> offers.Offer:
        """A cashback offer; `percent` is a percentage (15 or "12.5"), never a float sum."""
        from billfold.durations import parse_duration_seconds

        request = {"name": name, "program": program, "percent": str(percent),
                   "amount": amount, "product_ids": product_ids, "category_ids": category_ids,
                   "min_order_amount": min_order_amount, "max_amount": max_amount,
                   "first_order_only": first_order_only, "starts_at": starts_at,
                   "ends_at": ends_at, "credit_expires_in": credit_expires_in}
        return self._bf.mutate(
            self.store_id, "create_offer", request,
            lambda conn, now: offers.create_offer(
                conn, store_id=self.store_id, name=name, program=program, now=now,
                percent=percent, amount=amount, product_ids=product_ids,
                category_ids=category_ids, min_order_amount=min_order_amount,
                max_amount=max_amount, first_order_only=first_order_only,
                starts_at=starts_at, ends_at=ends_at,
                credit_expires_seconds=None if credit_expires_in is None else
                parse_duration_seconds(credit_expires_in, param="credit_expires_in")),
            offers.Offer, idempotency_key)

    def close_offer(self, offer_id: str, *,
                    idempotency_key: str | None = None) -> offers.Offer:
        return self._bf.mutate(
            self.store_id, "close_offer", {"offer_id": offer_id},
            lambda conn, now: offers.close_offer(conn, store_id=self.store_id,
                                                 offer_id=offer_id, now=now),
            offers.Offer, idempotency_key)

    def get_offer(self, offer_id: str) -> offers.Offer:
        return self._read(lambda c: offers.get_offer(c, self.store_id, offer_id))

    def place_order(self, order_id: str, customer_id: str, amount: int, *, currency: str,
                    lines: list[dict[str, Any]], checkout_id: str | None = None,
                    idempotency_key: str | None = None) -> order_records.Order:
        request = {"order_id": order_id, "customer_id": customer_id, "amount": amount,
                   "currency": currency, "lines": lines, "checkout_id": checkout_id}
        return self._bf.mutate(
            self.store_id, "place_order", request,
            lambda conn, now: orders.place_order(
                conn, store_id=self.store_id, order_id=order_id, customer_id=customer_id,
                currency=currency, amount=amount, lines=lines, now=now,
                checkout_id=checkout_id),
            order_records.Order, idempotency_key)

    def set_order_status(self, order_id: str, status: str, *,
                         idempotency_key: str | None = None) -> order_records.Order:
        return self._bf.mutate(
            self.store_id, "set_order_status", {"order_id": order_id, "status": status},
            lambda conn, now: orders.set_order_status(conn, store_id=self.store_id,
                                                      order_id=order_id, status=status,
                                                      now=now),
            order_records.Order, idempotency_key)

    def get_order(self, order_id: str) -> order_records.Order:
        return self._read(lambda c: order_records.get_order(c, self.store_id, order_id))

    def refund_order(self, order_id: str, amount: int, *, to: str = "wallet",
                     idempotency_key: str | None = None) -> refunds.Refund:
        return self._bf.mutate(
            self.store_id, "refund_order", {"order_id": order_id, "amount": amount, "to": to},
            lambda conn, now: refunds.refund_order(conn, store_id=self.store_id,
                                                   order_id=order_id, amount=amount, now=now,
                                                   to=to),
            refunds.Refund, idempotency_key)

    def list_refunds(self, order_id: str) -> tuple[refunds.Refund, ...]:
        def read(conn: Connection) -> tuple[refunds.Refund, ...]:
            order_records.get_order(conn, self.store_id, order_id)
            return refunds.list_refunds(conn, self.store_id, order_id)

        return self._read(read)

    def get_stats(self, *, start: datetime | None = None,
              end: datetime | None = None) -> stats.Stats:
        return self._read(lambda c: stats.compute_stats(c, store_id=self.store_id,
                                                        now=self.now, start=start, end=end))

def _replay(record: idempotency.Record, result_type: type[T]) -> T:
    if record.outcome == idempotency.ERROR:
        raise BillfoldError.from_dict(record.response)
    return codec.decode(result_type, record.response)  # type: ignore[no-any-return]
