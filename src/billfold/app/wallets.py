"""`shop.wallets`: a customer's wallet in a program — its figures, credits, debits,
history and lots, and bulk grants to many customers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.durations import resolve_expiry
from billfold.ledger import bulk, credit, debit, queries
from billfold.ledger.models import Transaction
from billfold.store.calls import DatabaseCall


@dataclass(frozen=True, slots=True)
class Credit(Mutation[Transaction]):
    operation = "credit"
    result_type = Transaction
    in_one_call = True
    key_in_transaction = True
    customer_id: str
    program: str
    amount: int
    funding_type: str
    expires_in: object = None
    expires_at: datetime | None = None
    withdrawable: bool | None = None
    description: str | None = None
    reference: str | None = None
    metadata: dict[str, Any] | None = None

    def _arguments(self, store_id: str, now: datetime) -> dict[str, Any]:
        return dict(store_id=store_id, customer_id=self.customer_id, program=self.program,
                    amount=self.amount, funding_type=self.funding_type, now=now,
                    expires_at=resolve_expiry(now, expires_in=self.expires_in,
                                              expires_at=self.expires_at),
                    is_withdrawable=self.withdrawable, description=self.description,
                    reference=self.reference, metadata=self.metadata)

    def run(self, conn: Connection, store_id: str, now: datetime) -> Transaction:
        return credit.credit(conn, **self._arguments(store_id, now))

    def database_call(self, store_id: str, now: datetime) -> DatabaseCall:
        return credit.credit_call(**self._arguments(store_id, now))


@dataclass(frozen=True, slots=True)
class Debit(Mutation[Transaction]):
    operation = "debit"
    result_type = Transaction
    in_one_call = True
    key_in_transaction = True
    customer_id: str
    program: str
    amount: int
    description: str | None = None
    reference: str | None = None
    metadata: dict[str, Any] | None = None

    def _arguments(self, store_id: str, now: datetime) -> dict[str, Any]:
        return dict(store_id=store_id, customer_id=self.customer_id, program=self.program,
                    amount=self.amount, now=now, description=self.description,
                    reference=self.reference, metadata=self.metadata)

    def run(self, conn: Connection, store_id: str, now: datetime) -> Transaction:
        return debit.debit(conn, **self._arguments(store_id, now))

    def database_call(self, store_id: str, now: datetime) -> DatabaseCall:
        return debit.debit_call(**self._arguments(store_id, now))


@dataclass(frozen=True, slots=True)
class Grant(Mutation[bulk.GrantResult]):
    operation = "grant"
    result_type = bulk.GrantResult
    program: str
    grants: tuple[tuple[str, int], ...]
    funding_type: str
    expires_in: object = None
    type: str = "credit"
    description: str | None = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> bulk.GrantResult:
        return bulk.grant_credits(
            conn, store_id=store_id, program=self.program, grants=list(self.grants),
            funding_type=self.funding_type, now=now,
            expires_at=resolve_expiry(now, expires_in=self.expires_in), type=self.type,
            description=self.description)


class Wallets(Namespace):
    def get(self, customer_id: str, program: str = "main") -> contract.Wallet:
        """The wallet's figures now (available, held, pending, by funding type…)."""
        return render.wallet(self._read(lambda c: queries.balance(
            c, self.store_id, customer_id, program, self.now)))

    def credit(self, customer_id: str, program: str, amount: int, *, funding_type: str,
               expires_in: object = None, expires_at: datetime | None = None,
               withdrawable: bool | None = None, description: str | None = None,
               reference: str | None = None, metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> contract.Transaction:
        return render.transaction(self._mutate(Credit(
            customer_id, program, amount, funding_type, expires_in, expires_at, withdrawable,
            description, reference, metadata), idempotency_key))

    def debit(self, customer_id: str, program: str, amount: int, *,
              description: str | None = None, reference: str | None = None,
              metadata: dict[str, Any] | None = None,
              idempotency_key: str | None = None) -> contract.Transaction:
        return render.transaction(self._mutate(Debit(
            customer_id, program, amount, description, reference, metadata), idempotency_key))

    def list_transactions(self, customer_id: str, program: str = "main", *,
                          limit: int = queries.DEFAULT_PAGE_SIZE,
                          starting_after: str | None = None,
                          ) -> contract.Page[contract.Transaction]:
        """History, newest first, by keyset."""
        return render.page(contract.Transaction, self._read(lambda c: queries.history(
            c, self.store_id, customer_id, program, limit=limit,
            starting_after=starting_after)), render.transaction)

    def iter_transactions(self, customer_id: str, program: str = "main", *,
                          page_size: int = queries.MAX_PAGE_SIZE,
                          ) -> Iterator[contract.Transaction]:
        """Every transaction of the wallet, newest first, page by page."""
        cursor = None
        while True:
            page = self.list_transactions(customer_id, program, limit=page_size,
                                          starting_after=cursor)
            yield from page.data
            if not page.has_more:
                return
            cursor = page.next_cursor

    def list_lots(self, customer_id: str, program: str = "main", *,
                  status: str | None = None, limit: int = queries.DEFAULT_PAGE_SIZE,
                  starting_after: str | None = None) -> contract.Page[contract.Lot]:
        return render.page(contract.Lot, self._read(lambda c: queries.list_lots(
            c, self.store_id, customer_id, program, self.now, status=status, limit=limit,
            starting_after=starting_after)), render.lot)

    def grant(self, program: str, grants: list[tuple[str, int]], *, funding_type: str,
              expires_in: object = None, type: str = "credit", description: str | None = None,
              idempotency_key: str | None = None) -> bulk.GrantResult:
        """Credit many customers in one transaction (set-based; each still gets its own
        transaction and lot). At most `bulk.MAX_GRANTS_PER_BATCH` grants per call."""
        return self._mutate(Grant(program, tuple(tuple(g) for g in grants),  # type: ignore[misc]
                                  funding_type, expires_in, type, description),
                            idempotency_key)
