"""`api.withdrawals` and `api.transfers`: one definition of each call for the sync and
the async client."""

from __future__ import annotations

from typing import Any

from billfold.client.calls import Call, Namespace, body, query, segment, wallet_path
from billfold.contract import Page, Transaction, Withdrawal, WithdrawalPage


class Withdrawals(Namespace):
    """`api.withdrawals`: withdrawable credit paid out after an admin's approval."""

    def create(self, customer_id: str, program: str, amount: int, *,
               idempotency_key: str | None = None) -> Withdrawal:
        """Hold `amount` of withdrawable credit until approved or rejected
        (PermissionDenied where the store allows no withdrawals, InsufficientFunds
        beyond the withdrawable part)."""
        return self._send(Call("POST", wallet_path(customer_id, program) + "/withdrawals",
                               Withdrawal.model_validate_json, body(amount=amount),
                               idempotency_key=idempotency_key))

    def get(self, withdrawal_id: str) -> Withdrawal:
        return self._get(f"/v1/withdrawals/{segment(withdrawal_id)}",
                         Withdrawal.model_validate_json)

    def list(self, *, customer_id: str | None = None, status: str | None = None,
             limit: int | None = None, starting_after: str | None = None) -> Page[Withdrawal]:
        """The store's withdrawals, newest first."""
        return self._send(Call("GET", "/v1/withdrawals", WithdrawalPage.model_validate_json,
                               params=query(customer_id=customer_id, status=status,
                                            limit=limit, starting_after=starting_after)))

    def approve(self, withdrawal_id: str, *,
                idempotency_key: str | None = None) -> Withdrawal:
        """Pay the held amount out as a `withdrawal` transaction."""
        return self._act(f"/v1/withdrawals/{segment(withdrawal_id)}/approve",
                         Withdrawal.model_validate_json, idempotency_key)

    def reject(self, withdrawal_id: str, *,
               idempotency_key: str | None = None) -> Withdrawal:
        """Release the held amount back to the wallet."""
        return self._act(f"/v1/withdrawals/{segment(withdrawal_id)}/reject",
                         Withdrawal.model_validate_json, idempotency_key)


class Transfers(Namespace):
    """`api.transfers`: credit moved between two customers of the store."""

    def create(self, from_customer_id: str, to_customer_id: str, program: str, amount: int,
               *, description: str | None = None, reference: str | None = None,
               metadata: dict[str, Any] | None = None,
               idempotency_key: str | None = None) -> Transaction:
        """The lots move with their funding types and expiry (PermissionDenied unless the
        store's `allow_transfers` is on)."""
        sent = body(from_customer_id=from_customer_id, to_customer_id=to_customer_id,
                    program=program, amount=amount, description=description,
                    reference=reference, metadata=metadata)
        return self._send(Call("POST", "/v1/transfers", Transaction.model_validate_json, sent,
                               idempotency_key=idempotency_key))
