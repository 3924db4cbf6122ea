"""`shop.customers`: a store's customers and the summary of their wallets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.ledger import customers
from billfold.ledger.models import Balance
from billfold.loyalty.tiers import CustomerTier, customer_tier


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
               idempotency_key: str | None = None) -> contract.Customer:
        """Create a customer, or find it if it exists and nothing contradicts it."""
        customer, _created = self.create_or_find(customer_id, email=email, name=name,
                                                 metadata=metadata,
                                                 idempotency_key=idempotency_key)
        return customer

    def create_or_find(self, customer_id: str, *, email: str | None = None,
                       name: str | None = None, metadata: dict[str, Any] | None = None,
                       idempotency_key: str | None = None) -> tuple[contract.Customer, bool]:
        """`create`, and whether this call created the customer (the API's 201) or found
        it (200); a keyed retry answers the first call's flag again."""
        result = self._mutate(CreateCustomer(customer_id, email, name, metadata),
                              idempotency_key)
        wallets, standing = self._snapshot(lambda c: (
            customers.wallet_summary(c, self.store_id, customer_id, self.now),
            customer_tier(c, self.store_id, customer_id)))
        return render.customer(result.customer, wallets, standing), result.created

    def get(self, customer_id: str) -> contract.Customer:
        """The customer, with the figures of every wallet it has (NotFound if unknown)."""
        def read(conn: Connection) -> tuple[customers.Customer, tuple[Balance, ...],
                                            CustomerTier]:
            return (customers.get_customer(conn, self.store_id, customer_id),
                    customers.wallet_summary(conn, self.store_id, customer_id, self.now),
                    customer_tier(conn, self.store_id, customer_id))

        return render.customer(*self._snapshot(read))
