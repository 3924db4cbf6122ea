"""`shop.withdrawals`: withdrawable credit paid out after an admin's approval (REST
`POST /v1/customers/{id}/wallets/{program}/withdrawals`, `/v1/withdrawals`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.commerce.settings import get_settings
from billfold.errors import Code, refusal
from billfold.funding import withdrawals
from billfold.funding.withdrawals import Withdrawal


def require_withdrawals_enabled(conn: Connection, store_id: str) -> None:
    """PermissionDenied (403) unless the store allows withdrawals (its setting)."""
    if not get_settings(conn, store_id).withdrawals_enabled:
        raise refusal(Code.WITHDRAWALS_DISABLED, "This store does not allow withdrawals "
                      "(settings: withdrawals_enabled).")


@dataclass(frozen=True, slots=True)
class RequestWithdrawal(Mutation[Withdrawal]):
    operation = "request_withdrawal"
    result_type = Withdrawal
    customer_id: str
    program: str
    amount: int

    def run(self, conn: Connection, store_id: str, now: datetime) -> Withdrawal:
        require_withdrawals_enabled(conn, store_id)
        return withdrawals.request_withdrawal(
            conn, store_id=store_id, customer_id=self.customer_id, program=self.program,
            amount=self.amount, now=now)


@dataclass(frozen=True, slots=True)
class ApproveWithdrawal(Mutation[Withdrawal]):
    operation = "approve_withdrawal"
    result_type = Withdrawal
    withdrawal_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Withdrawal:
        require_withdrawals_enabled(conn, store_id)
        return withdrawals.approve_withdrawal(conn, store_id=store_id,
                                              withdrawal_id=self.withdrawal_id, now=now)


@dataclass(frozen=True, slots=True)
class RejectWithdrawal(Mutation[Withdrawal]):
    """Allowed while withdrawals are off too: it only gives credit back."""

    operation = "reject_withdrawal"
    result_type = Withdrawal
    withdrawal_id: str

    def run(self, conn: Connection, store_id: str, now: datetime) -> Withdrawal:
        return withdrawals.reject_withdrawal(conn, store_id=store_id,
                                             withdrawal_id=self.withdrawal_id, now=now)


class Withdrawals(Namespace):
    def create(self, customer_id: str, program: str, amount: int, *,
               idempotency_key: str | None = None) -> contract.Withdrawal:
        """Hold `amount` of the wallet's withdrawable credit until approved or rejected;
        PermissionDenied if the store allows no withdrawals, InsufficientFunds if the
        withdrawable part is smaller."""
        return render.withdrawal(self._mutate(
            RequestWithdrawal(customer_id, program, amount), idempotency_key))

    def get(self, withdrawal_id: str) -> contract.Withdrawal:
        return render.withdrawal(self._read(
            lambda c: withdrawals.get_withdrawal(c, self.store_id, withdrawal_id)))

    def list(self, *, customer_id: str | None = None, status: str | None = None,
             limit: int | None = None,
             starting_after: str | None = None) -> contract.Page[contract.Withdrawal]:
        """The store's withdrawals, newest first (`status="pending"`: what awaits a
        decision)."""
        found, has_more = self._read(lambda c: withdrawals.list_withdrawals(
            c, self.store_id, customer_id=customer_id, status=status, limit=limit or 20,
            starting_after=starting_after))
        return contract.Page[contract.Withdrawal](
            data=[render.withdrawal(value) for value in found], has_more=has_more,
            next_cursor=found[-1].id if has_more else None)

    def approve(self, withdrawal_id: str, *,
                idempotency_key: str | None = None) -> contract.Withdrawal:
        """Pay the held amount out as a `withdrawal` transaction (Conflict unless
        pending)."""
        return render.withdrawal(self._mutate(ApproveWithdrawal(withdrawal_id),
                                              idempotency_key))

    def reject(self, withdrawal_id: str, *,
               idempotency_key: str | None = None) -> contract.Withdrawal:
        """Release the held amount back to the wallet (Conflict unless pending)."""
        return render.withdrawal(self._mutate(RejectWithdrawal(withdrawal_id),
                                              idempotency_key))
