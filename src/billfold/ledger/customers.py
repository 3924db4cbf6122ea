"""Customers: the shop's own ids, with optional email, name and metadata.

A customer is created explicitly (`create_customer`) or on its first credit
(with no details). Creating one that exists answers the existing one when
nothing differs; details it lacks (email, name, metadata left empty) are
filled in; a detail that contradicts a stored one is a Conflict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from billfold.errors import Code, refusal, require
from billfold.ledger import queries
from billfold.ledger.accounts import customer_not_found
from billfold.ledger.checks import check_id, check_metadata
from billfold.ledger.models import Balance
from billfold.store.sql import insert_if_absent
from billfold.store.tables import accounts, customers

MAX_EMAIL_LENGTH = 200
MAX_NAME_LENGTH = 200
MAX_WALLETS_IN_SUMMARY = 100
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    email: str | None
    name: str | None
    metadata: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CustomerCreated:
    """The customer, and whether this call created it (201) or found it (200)."""

    customer: Customer
    created: bool


def create_customer(conn: Connection, *, store_id: str, customer_id: str, now: datetime,
                    email: str | None = None, name: str | None = None,
                    metadata: dict[str, Any] | None = None) -> CustomerCreated:
    """Create the customer, or return the existing one if nothing contradicts it."""
    check_id(customer_id, "id")
    require(email is None or (isinstance(email, str) and len(email) <= MAX_EMAIL_LENGTH
                              and bool(_EMAIL.match(email))),
            "email must be an email address of at most 200 characters.", param="email")
    require(name is None or (isinstance(name, str) and 0 < len(name) <= MAX_NAME_LENGTH),
            "name must be a string of 1 to 200 characters.", param="name")
    checked_metadata = check_metadata(metadata)
    existing = _find(conn, store_id, customer_id, lock=True)
    if existing is None:
        if insert_if_absent(conn, customers, {
                "store_id": store_id, "customer_id": customer_id, "email": email,
                "name": name, "metadata": checked_metadata, "created_at": now}):
            return CustomerCreated(Customer(customer_id, email, name, checked_metadata, now),
                                   True)
        existing = _find(conn, store_id, customer_id, lock=True)  # a concurrent creator won
        assert existing is not None
    fills: dict[str, Any] = {}
    for param, given, stored in (("email", email, existing.email),
                                 ("name", name, existing.name),
                                 ("metadata", metadata and checked_metadata,
                                  existing.metadata or None)):
        if not given or given == stored:
            continue
        if stored:
            raise refusal(Code.CUSTOMER_EXISTS,
                          f"Customer {customer_id!r} exists with another {param}.", param=param)
        fills[param] = given
    if fills:
        conn.execute(update(customers).where(customers.c.store_id == store_id,
                                             customers.c.customer_id == customer_id)
                     .values(**fills))
    return CustomerCreated(get_customer(conn, store_id, customer_id), False)


def get_customer(conn: Connection, store_id: str, customer_id: str) -> Customer:
    check_id(customer_id, "customer_id")
    found = _find(conn, store_id, customer_id)
    if found is None:
        raise customer_not_found(customer_id)
    return found


def wallet_summary(conn: Connection, store_id: str, customer_id: str,
                   now: datetime) -> tuple[Balance, ...]:
    """The figures of every wallet the customer has (by program name), at `now`."""
    programs = conn.execute(
        select(accounts.c.program)
        .where(accounts.c.store_id == store_id, accounts.c.customer_id == customer_id,
               accounts.c.kind == "wallet")
        .order_by(accounts.c.program).limit(MAX_WALLETS_IN_SUMMARY)
    ).scalars().all()
    return tuple(queries.balance(conn, store_id, customer_id, program, now)
                 for program in programs)


def _find(conn: Connection, store_id: str, customer_id: str, *,
          lock: bool = False) -> Customer | None:
    query = select(customers).where(customers.c.store_id == store_id,
                                    customers.c.customer_id == customer_id)
    row = conn.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        return None
    return Customer(row.customer_id, row.email, row.name, dict(row.metadata or {}),
                    row.created_at)


def search_customers(conn: Connection, store_id: str, prefix: str, *,
                     after: str | None = None, limit: int = 50) -> list[Customer]:
    """Customers whose id or email starts with `prefix` (any case), by id, keyset."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = select(customers).where(customers.c.store_id == store_id)
    if prefix:
        query = query.where(customers.c.customer_id.like(escaped, escape="\\")
                            | func.lower(customers.c.email).like(escaped.lower(),
                                                                 escape="\\"))
    if after is not None:
        query = query.where(customers.c.customer_id > after)
    rows = conn.execute(query.order_by(customers.c.customer_id).limit(limit)).all()
    return [Customer(r.customer_id, r.email, r.name, dict(r.metadata or {}), r.created_at)
            for r in rows]
