"""`shop.transactions`: one ledger transaction, and its reversal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.ledger import queries, reverse
from billfold.ledger.models import Transaction


@dataclass(frozen=True, slots=True)
class Reverse(Mutation[Transaction]):
    operation = "reverse"
    result_type = Transaction
    transaction_id: str
    description: str
    amount: int | None = None
    metadata: dict[str, Any] | None = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> Transaction:
        return reverse.reverse(conn, store_id=store_id, transaction_id=self.transaction_id,
                                 now=now, description=self.description, amount=self.amount,
                                 metadata=self.metadata)


class Transactions(Namespace):
    def get(self, transaction_id: str) -> contract.Transaction:
        return render.transaction(self._read(lambda c: queries.get_transaction(
            c, self.store_id, transaction_id)))

    def reverse(self, transaction_id: str, *, description: str, amount: int | None = None,
                metadata: dict[str, Any] | None = None,
                idempotency_key: str | None = None) -> contract.Transaction:
        """Undo all (default) or `amount` of a credit or debit; `description` says why."""
        return render.transaction(self._mutate(
            Reverse(transaction_id, description, amount, metadata), idempotency_key))
