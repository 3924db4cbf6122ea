"""Billfold: the library's front door. It owns the transactions; use cases do the work.

    bf = Billfold("sqlite:///wallets.db")
    shop = bf.store(bf.create_store("Acme", currency="SAR").id)
    shop.wallets.credit("cus-1", "main", 5000, funding_type="cash", expires_in="90d")
    shop.wallets.debit("cus-1", "main", 1200, idempotency_key="order-1001")
    shop.wallets.get("cus-1", "main").available   # 3800

Every mutation takes an optional `idempotency_key`; a retry with the same key
and arguments returns the first outcome (result or refusal) and moves nothing.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from billfold.app.idempotency import run_mutation
from billfold.app.operation import Mutation
from billfold.app.shop import Shop
from billfold.clock import Clock, SystemClock
from billfold.commerce import stats
from billfold.funding.topups import PaymentProvider, ShopConfirms
from billfold.ledger import stores
from billfold.ledger.models import SweepResult
from billfold.ledger.verify import VerifyReport, verify
from billfold.settings import DEFAULT_AUTH_CACHE_SECONDS
from billfold.store.calls import CallConnections
from billfold.store.engine import FAST_PATHS_OFF, READ_ONLY, is_postgresql, is_sqlite, make_engine
from billfold.store.migrate import upgrade

T = TypeVar("T")
MAX_TRANSACTION_ATTEMPTS = 8
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock
MAX_CACHED_KEYS = 10_000


class Billfold:
    """A billfold database. Thread-safe; share one per process."""

    def __init__(self, database_url: str = "sqlite:///billfold.db", *,
                 clock: Clock | None = None, migrate: bool = True,
                 engine: Engine | None = None,
                 auth_cache_seconds: float = DEFAULT_AUTH_CACHE_SECONDS,
                 fast_paths: bool = True, payment_provider: PaymentProvider | None = None):
        """`fast_paths=False` runs every movement on the plain SQLAlchemy path instead of
        one PostgreSQL function call or SQLite's raw statements (the twin tests).
        `payment_provider` is asked about top-ups (`funding.topups.PaymentProvider`); by
        default the shop's backend confirms them."""
        self._own_engine = engine or make_engine(database_url)
        self.engine: Engine = (self._own_engine if fast_paths
                               else self._own_engine.execution_options(**FAST_PATHS_OFF))
        self.fast_paths = fast_paths
        self.calls = CallConnections(self.engine)  # PostgreSQL's one-call movements
        self.auth_cache_seconds = auth_cache_seconds
        self._known_keys: dict[str, tuple[str, float]] = {}  # key hash -> (store, until)
        self._sqlite_writer = threading.RLock()
        self.clock: Clock = clock or SystemClock()
        self.payment_provider: PaymentProvider = payment_provider or ShopConfirms()
        # Where shoppers reach this billfold (portal links); the API uses the request's.
        self.public_url = os.environ.get("BILLFOLD_PUBLIC_URL", "http://127.0.0.1:8000")
        if migrate:
            upgrade(self._own_engine)

    def close(self) -> None:
        self.calls.close()
        self._own_engine.dispose()

    def __enter__(self) -> Billfold:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def uses_database_functions(self) -> bool:
        """Whether a movement is one PostgreSQL function call (store/functions/)."""
        return self.fast_paths and is_postgresql(self.engine)

    # -- transactions -----------------------------------------------------------------

    @contextlib.contextmanager
    def begin(self, *, read_only: bool = False) -> Iterator[Connection]:
        """One database transaction (BEGIN IMMEDIATE on SQLite unless read-only).

        SQLite writers of this process queue on a lock before BEGIN IMMEDIATE, so
        they wait their turn instead of sleeping in SQLite's busy handler.
        """
        writer_lock = (self._sqlite_writer if is_sqlite(self.engine) and not read_only
                       else contextlib.nullcontext())
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
        if not is_postgresql(self.engine):
            return self.run(work, read_only=True)
        with self.engine.connect() as conn:
            return work(conn.execution_options(isolation_level="AUTOCOMMIT"))

    def mutate(self, store_id: str, mutation: Mutation[T], idempotency_key: str | None) -> T:
        """Run one mutation of a store, once per idempotency key (app/idempotency.py)."""
        return run_mutation(self, store_id, mutation, idempotency_key)

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

    def store(self, store_id: str) -> Shop:
        """One store's handle, its resources as namespaces (`shop.wallets`, …)."""
        self.run(lambda c: stores.get_store(c, store_id), read_only=True)
        return Shop(self, store_id)

    def verify(self) -> VerifyReport:
        return self.run(lambda c: verify(c, self.clock.now(), (stats.check_rollups,)),
                        read_only=True)

    def sweep(self) -> tuple[int, SweepResult]:
        """Expire timed-out holds, expired lots and unconfirmed top-ups in every store,
        batch by batch, notice lots about to expire, recompute the loyalty tiers of
        customers whose points aged out of a window, and roll the closed days up into
        the statistics' daily sums."""
        holds_released, lots_total = 0, SweepResult(0, 0, 0)
        for store in self.run(stores.list_stores, read_only=True):
            shop = Shop(self, store.id)
            holds_released += shop.holds.expire_due()
            result = shop.lots.expire_due()
            shop.loyalty.recompute_due_tiers()
            shop.topups.expire_due()
            shop.lots.notice_expiring()
            shop.stats.roll_up()
            lots_total = SweepResult(lots_total.transactions + result.transactions,
                                     lots_total.lots + result.lots,
                                     lots_total.amount + result.amount)
        return holds_released, lots_total
