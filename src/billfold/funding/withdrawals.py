"""Withdrawals: a customer's withdrawable credit paid out once an admin approves.

`request_withdrawal` holds the amount from withdrawable lots only (`ledger.withdraw`):
the wallet shows it as `held`, not spendable. `approve_withdrawal` moves it out of the
books as a `withdrawal` transaction; `reject_withdrawal` releases the hold. A
withdrawal is `pending` until one of the two, exactly once: either is refused with
`withdrawal_not_pending` afterwards. A pending withdrawal never expires by itself.
Whether the store allows withdrawals at all is its setting, checked by the caller
(`app.withdrawals`) in the same transaction.

Events `withdrawal.requested`, `withdrawal.approved`, `withdrawal.rejected` carry
`{withdrawal_id, customer_id, program, amount, transaction_id}`: the hold's, the
withdrawal's and the release's transaction in turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from billfold.errors import Code, refusal, require
from billfold.ids import new_id
from billfold.ledger import outbox, withdraw
from billfold.ledger.checks import check_id, check_status
from billfold.store.tables import holds, withdrawals

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATUSES = (PENDING, APPROVED, REJECTED)
MAX_WITHDRAWALS_LISTED = 100


@dataclass(frozen=True, slots=True)
class Withdrawal:
    id: str
    store_id: str
    customer_id: str
    program: str
    unit: str
    wallet_id: str
    amount: int
    status: str
    transaction_id: str | None  # the `withdrawal` once approved, the `release` if rejected
    created_at: datetime
    settled_at: datetime | None


def request_withdrawal(conn: Connection, *, store_id: str, customer_id: str, program: str,
                       amount: int, now: datetime) -> Withdrawal:
    """Hold `amount` of the wallet's withdrawable credit for an admin to decide on."""
    withdrawal_id = new_id("wd")
    hold = withdraw.hold_for_withdrawal(conn, store_id=store_id, customer_id=customer_id,
                                        program=program, amount=amount, now=now,
                                        withdrawal_id=withdrawal_id)
    conn.execute(withdrawals.insert().values(
        store_id=store_id, withdrawal_id=withdrawal_id, customer_id=customer_id,
        program=program, amount=amount, status=PENDING, hold_id=hold.id,
        transaction_id=None, created_at=now, settled_at=None))
    found = Withdrawal(withdrawal_id, store_id, customer_id, program, hold.unit,
                       hold.wallet_id, amount, PENDING, None, now, None)
    _emit(conn, found, "withdrawal.requested", hold.transaction_id, now)
    return found


def approve_withdrawal(conn: Connection, *, store_id: str, withdrawal_id: str,
                       now: datetime) -> Withdrawal:
    """Pay the held amount out as a `withdrawal` transaction; once only."""
    wallet, hold = _lock_pending(conn, store_id, withdrawal_id)
    txn = withdraw.pay_out(conn, wallet=wallet, hold=hold, now=now)
    return _settle(conn, store_id, withdrawal_id, APPROVED, txn.id, now)


def reject_withdrawal(conn: Connection, *, store_id: str, withdrawal_id: str,
                      now: datetime) -> Withdrawal:
    """Give the held amount back to the wallet; once only, never after an approval."""
    wallet, hold = _lock_pending(conn, store_id, withdrawal_id)
    released = withdraw.release_withdrawal_hold(conn, wallet=wallet, hold=hold, now=now)
    assert released.settled_transaction_id is not None
    return _settle(conn, store_id, withdrawal_id, REJECTED, released.settled_transaction_id,
                   now)


def get_withdrawal(conn: Connection, store_id: str, withdrawal_id: str) -> Withdrawal:
    check_id(withdrawal_id, "withdrawal_id")
    row = conn.execute(_SELECT.where(withdrawals.c.store_id == store_id,
                                     withdrawals.c.withdrawal_id == withdrawal_id)).first()
    if row is None:
        raise refusal(Code.WITHDRAWAL_NOT_FOUND, param="withdrawal_id",
                      withdrawal_id=withdrawal_id)
    return _withdrawal(row)


def list_withdrawals(conn: Connection, store_id: str, *, customer_id: str | None = None,
                     status: str | None = None, limit: int = 20,
                     starting_after: str | None = None) -> tuple[list[Withdrawal], bool]:
    """A page of the store's withdrawals, newest first, keyset by id; (page, has_more)."""
    require(isinstance(limit, int) and 1 <= limit <= MAX_WITHDRAWALS_LISTED,
            f"limit must be from 1 to {MAX_WITHDRAWALS_LISTED}.", param="limit")
    check_status(status, STATUSES)
    query = _SELECT.where(withdrawals.c.store_id == store_id)
    if customer_id is not None:
        query = query.where(withdrawals.c.customer_id == check_id(customer_id, "customer_id"))
    if status is not None:
        query = query.where(withdrawals.c.status == status)
    if starting_after is not None:
        query = query.where(withdrawals.c.withdrawal_id
                            < check_id(starting_after, "starting_after"))
    rows = conn.execute(query.order_by(withdrawals.c.withdrawal_id.desc())
                        .limit(limit + 1)).all()
    return [_withdrawal(row) for row in rows[:limit]], len(rows) > limit


def _lock_pending(conn: Connection, store_id: str,
                  withdrawal_id: str) -> tuple[Any, dict[str, Any]]:
    """Lock the withdrawal's wallet, then read the withdrawal again under that lock (every
    change of a withdrawal holds it) and refuse unless it is still pending."""
    hold_id = conn.execute(select(withdrawals.c.hold_id).where(
        withdrawals.c.store_id == store_id,
        withdrawals.c.withdrawal_id == check_id(withdrawal_id, "withdrawal_id"))
    ).scalar_one_or_none()
    if hold_id is None:
        raise refusal(Code.WITHDRAWAL_NOT_FOUND, param="withdrawal_id",
                      withdrawal_id=withdrawal_id)
    wallet, hold = withdraw.lock_withdrawal_hold(conn, store_id=store_id, hold_id=hold_id)
    status = conn.execute(select(withdrawals.c.status).where(
        withdrawals.c.store_id == store_id, withdrawals.c.withdrawal_id == withdrawal_id)
    ).scalar_one()
    if status != PENDING:
        raise refusal(Code.WITHDRAWAL_NOT_PENDING, f"The withdrawal is already {status}.")
    return wallet, hold


def _settle(conn: Connection, store_id: str, withdrawal_id: str, status: str,
            transaction_id: str, now: datetime) -> Withdrawal:
    conn.execute(update(withdrawals).where(
        withdrawals.c.store_id == store_id, withdrawals.c.withdrawal_id == withdrawal_id,
        withdrawals.c.status == PENDING)
        .values(status=status, transaction_id=transaction_id, settled_at=now))
    settled = get_withdrawal(conn, store_id, withdrawal_id)
    assert settled.status == status, settled
    _emit(conn, settled, f"withdrawal.{status}", transaction_id, now)
    return settled


def _emit(conn: Connection, value: Withdrawal, event_type: str, transaction_id: str,
          now: datetime) -> None:
    outbox.emit(conn, value.store_id, event_type, {
        "withdrawal_id": value.id, "customer_id": value.customer_id, "program": value.program,
        "unit": value.unit, "amount": value.amount, "transaction_id": transaction_id}, now)


_SELECT = (select(withdrawals, holds.c.unit, holds.c.wallet_id)
           .join(holds, (holds.c.store_id == withdrawals.c.store_id)
                 & (holds.c.hold_id == withdrawals.c.hold_id)))


def _withdrawal(row: Row[Any]) -> Withdrawal:
    return Withdrawal(
        id=row.withdrawal_id, store_id=row.store_id, customer_id=row.customer_id,
        program=row.program, unit=row.unit, wallet_id=row.wallet_id, amount=row.amount,
        status=row.status, transaction_id=row.transaction_id, created_at=row.created_at,
        settled_at=row.settled_at)
