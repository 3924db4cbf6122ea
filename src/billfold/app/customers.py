"""`shop.customers`: a store's customers and the summary of their wallets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.ledger import customers
from billfold.ledger.models import Balance


@dataclass(frozen=True, slots=True)
class CreateCustomer(Mutation[customers.CustomerCreated]):
    operation = "create_customer"
    result_type = customers.CustomerCreated
    customer_id: str
    email: str | None = None
    name: str | None = None
    metadata: dict[str, Any] | None = None

    def run(self, conn: Connection, store_id: str, now: datetime) -> customers.CustomerCreated:
        return customers.create_customer(conn, store_id=store_id, customer_id=self.customer_id,
                                         now=now, email=self.email, name=self.name,
                                         metadata=self.metadata)


class Customers(Namespace):
    def create(self, customer_id: str, *, email: str | None = None, name: str | None = None,
               metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> customers.CustomerCreated:
        """Create a customer, or find it if it exists and nothing contradicts it."""
        return self._mutate(CreateCustomer(customer_id, email, name, metadata),
                            idempotency_key)

    def get(self, customer_id: str) -> customers.Customer:
        return self._snapshot(lambda c: customers.get_customer(c, self.store_id, customer_id))

    def list_wallets(self, customer_id: str) -> tuple[Balance, ...]:
        """The figures of every wallet of a known customer (NotFound otherwise)."""
        def read(conn: Connection) -> tuple[Balance, ...]:
            customers.get_customer(conn, self.store_id, customer_id)
            return customers.wallet_summary(conn, self.store_id, customer_id, self.now)

        return self._snapshot(read)
