"""`shop.transfers`: credit moved from one customer to another in one program."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.commerce.settings import get_settings
from billfold.errors import Code, refusal
from billfold.ledger import transfer
from billfold.ledger.models import Transaction


@dataclass(frozen=True, slots=True)
class Transfer(Mutation[Transaction]):
    operation = "transfer"
    result_type = Transaction
    from_customer_id: str
    to_customer_id: str
    program: str
    amount: int
    description: str | None = None
    reference: str | None = None
    metadata: dict[str, Any] | None = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> Transaction:
        if not get_settings(conn, store_id).allow_transfers:
            raise refusal(Code.TRANSFERS_DISABLED, "This store does not allow transfers "
                          "between customers (settings: allow_transfers).")
        return transfer.transfer(
            conn, store_id=store_id, from_customer_id=self.from_customer_id,
            to_customer_id=self.to_customer_id, program=self.program, amount=self.amount,
            now=now, description=self.description, reference=self.reference,
            metadata=self.metadata)


class Transfers(Namespace):
    def create(self, from_customer_id: str, to_customer_id: str, program: str, amount: int,
               *, description: str | None = None, reference: str | None = None,
               metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> contract.Transaction:
        """Move credit to another customer of the store, where the store's
        `allow_transfers` setting allows it (else PermissionDenied); the lots move with
        their funding types and expiry."""
        return render.transaction(self._mutate(Transfer(
            from_customer_id, to_customer_id, program, amount, description, reference,
            metadata), idempotency_key))
