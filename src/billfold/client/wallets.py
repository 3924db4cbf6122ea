"""`api.customers`, `api.wallets`, `api.transactions`, `api.holds`: the ledger's
resources, one definition of each call for the sync and the async client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from billfold.client.calls import Call, Namespace, body, query, segment, wallet_path
from billfold.contract import (
    Customer,
    Hold,
    Lot,
    LotPage,
    Page,
    Transaction,
    TransactionPage,
    Wallet,
)
from billfold.contract.namespaces import Duration


class Customers(Namespace):
    """`api.customers`: the shop's own customer ids, with optional details."""

    def create(self, customer_id: str, *, email: str | None = None, name: str | None = None,
               metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> Customer:
        """The new customer, or the existing one when nothing differs (Conflict if a
        detail contradicts it)."""
        return self._send(Call("POST", "/v1/customers", Customer.model_validate_json,
                               body(id=customer_id, email=email, name=name, metadata=metadata),
                               idempotency_key=idempotency_key))

    def get(self, customer_id: str) -> Customer:
        return self._get(f"/v1/customers/{segment(customer_id)}", Customer.model_validate_json)


class Wallets(Namespace):
    """`api.wallets`: one customer's wallet in one program — figures, money in and
    out, history, lots."""

    def get(self, customer_id: str, program: str = "main") -> Wallet:
        return self._get(wallet_path(customer_id, program), Wallet.model_validate_json)

    def credit(self, customer_id: str, program: str, amount: int, *, funding_type: str,
               expires_in: Duration | None = None, expires_at: datetime | None = None,
               withdrawable: bool | None = None, description: str | None = None,
               reference: str | None = None, metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> Transaction:
        """Add credit as a new lot (creates the customer if needed)."""
        sent = body(amount=amount, funding_type=funding_type, expires_in=expires_in,
                    expires_at=expires_at, withdrawable=withdrawable, description=description,
                    reference=reference, metadata=metadata)
        return self._send(Call("POST", wallet_path(customer_id, program) + "/credits",
                               Transaction.model_validate_json, sent,
                               idempotency_key=idempotency_key))

    def debit(self, customer_id: str, program: str, amount: int, *,
              description: str | None = None, reference: str | None = None,
              metadata: dict[str, Any] | None = None,
              idempotency_key: str | None = None) -> Transaction:
        """Spend in spending order; InsufficientFunds (402) with nothing changed."""
        sent = body(amount=amount, description=description, reference=reference,
                    metadata=metadata)
        return self._send(Call("POST", wallet_path(customer_id, program) + "/debits",
                               Transaction.model_validate_json, sent,
                               idempotency_key=idempotency_key))

    def list_transactions(self, customer_id: str, program: str = "main", *,
                          limit: int | None = None,
                          starting_after: str | None = None) -> Page[Transaction]:
        return self._send(_transactions(customer_id, program, limit, starting_after))

    def iter_transactions(self, customer_id: str, program: str = "main", *,
                          page_size: int = 100) -> Iterator[Transaction]:
        """Every transaction of the wallet, newest first, page by page."""
        return self._transport.items(  # type: ignore[no-any-return]
            lambda cursor: _transactions(customer_id, program, page_size, cursor))

    def list_lots(self, customer_id: str, program: str = "main", *,
                  status: str | None = None, limit: int | None = None,
                  starting_after: str | None = None) -> Page[Lot]:
        return self._send(Call("GET", wallet_path(customer_id, program) + "/lots",
                               LotPage.model_validate_json,
                               params=query(status=status, limit=limit,
                                            starting_after=starting_after)))


def _transactions(customer_id: str, program: str, limit: int | None,
                  starting_after: str | None) -> Call[Page[Transaction]]:
    return Call("GET", wallet_path(customer_id, program) + "/transactions",
                TransactionPage.model_validate_json,
                params=query(limit=limit, starting_after=starting_after))


class Transactions(Namespace):
    """`api.transactions`: one transaction, and corrections of it."""

    def get(self, transaction_id: str) -> Transaction:
        return self._get(f"/v1/transactions/{segment(transaction_id)}",
                         Transaction.model_validate_json)

    def reverse(self, transaction_id: str, *, description: str, amount: int | None = None,
                metadata: dict[str, Any] | None = None,
                idempotency_key: str | None = None) -> Transaction:
        """Undo all (or `amount`) of a credit or debit; `description` says why."""
        return self._send(Call("POST", f"/v1/transactions/{segment(transaction_id)}/reverse",
                               Transaction.model_validate_json,
                               body(amount=amount, description=description, metadata=metadata),
                               idempotency_key=idempotency_key))


class Holds(Namespace):
    """`api.holds`: reserve credit, then capture all or part of it, or release it."""

    def create(self, customer_id: str, program: str, amount: int, *,
               expires_in: Duration | None = None, expires_at: datetime | None = None,
               reference: str | None = None, metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> Hold:
        """Reserve `amount` until captured, released or expired (default 30 minutes)."""
        sent = body(customer_id=customer_id, program=program, amount=amount,
                    expires_in=expires_in, expires_at=expires_at, reference=reference,
                    metadata=metadata)
        return self._send(Call("POST", "/v1/holds", Hold.model_validate_json, sent,
                               idempotency_key=idempotency_key))

    def get(self, hold_id: str) -> Hold:
        return self._get(f"/v1/holds/{segment(hold_id)}", Hold.model_validate_json)

    def capture(self, hold_id: str, *, amount: int | None = None,
                description: str | None = None,
                idempotency_key: str | None = None) -> Hold:
        """Spend all (or `amount`) of the hold; the rest is released."""
        return self._send(Call("POST", f"/v1/holds/{segment(hold_id)}/capture",
                               Hold.model_validate_json,
                               body(amount=amount, description=description),
                               idempotency_key=idempotency_key))

    def release(self, hold_id: str, *, idempotency_key: str | None = None) -> Hold:
        return self._act(f"/v1/holds/{segment(hold_id)}/release", Hold.model_validate_json,
                         idempotency_key)
