"""Withdrawal: money leaving a wallet for the customer's bank, in two steps.

Request: a hold drawn from the wallet's *withdrawable* lots only (the one draw of
`lots.draw`, restricted), so the amount is `held` and not spendable while an admin
decides. Pay out: the hold captured as a `withdrawal` transaction into the store's
`withdrawals` accounts (per funding type, as `spent` is for purchases). Refuse: the
hold released. One story on both databases (the Python path of `holds`: not a hot
path, no database function).

A withdrawal's hold never times out: its `expires_at` is `NEVER`, so the hold sweep
leaves it alone; a pending withdrawal waits for its approval or rejection. Its id
(`wdh_…`) is not a `hold_…` id: the holds API refuses it (`app.holds`), so only
these functions move it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from billfold.ids import new_id
from billfold.ledger.accounts import get_program, lock_wallet_by_id, wallet_to_spend_from
from billfold.ledger.checks import check_id
from billfold.ledger.holds import let_go as release_held
from billfold.ledger.holds import reserve, spend_held
from billfold.ledger.models import HOLD_HELD, Hold, Transaction
from billfold.money import check_amount
from billfold.store.writer import writer

NEVER = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
WITHDRAWAL_HOLD_PREFIX = "wdh_"


def hold_for_withdrawal(conn: Connection, *, store_id: str, customer_id: str, program: str,
                        amount: int, now: datetime, withdrawal_id: str) -> Hold:
    """Hold `amount` of the wallet's withdrawable credit; InsufficientFunds (402) with
    nothing written when the withdrawable part is smaller, NotFound for an unknown
    customer or program."""
    check_id(customer_id, "customer_id")
    check_amount(amount)
    prog = get_program(conn, store_id, program)
    wallet = wallet_to_spend_from(conn, store_id, customer_id, prog, amount)
    return reserve(conn, store_id=store_id, wallet=wallet, program=prog, amount=amount,
                   now=now, expires_at=NEVER, hold_id=new_id("wdh"),
                   reference=withdrawal_id, withdrawable_only=True)


def lock_withdrawal_hold(conn: Connection, *, store_id: str,
                         hold_id: str) -> tuple[Any, dict[str, Any]]:
    """The wallet of a withdrawal's hold, locked (the one lock order: wallet first), and
    the hold row read again under that lock: what a pay-out or a release may settle."""
    assert hold_id.startswith(WITHDRAWAL_HOLD_PREFIX), hold_id
    found = writer(conn).hold(store_id, hold_id)
    assert found is not None, f"withdrawal hold {hold_id} vanished"
    wallet = lock_wallet_by_id(conn, store_id, found["wallet_id"])
    hold = writer(conn).hold(store_id, hold_id)
    assert hold is not None
    return wallet, hold


def pay_out(conn: Connection, *, wallet: Any, hold: dict[str, Any], now: datetime,
            description: str | None = "Withdrawal") -> Transaction:
    """Capture the whole open hold (its wallet locked) as a `withdrawal` transaction into
    the store's `withdrawals` accounts."""
    assert hold["status"] == HOLD_HELD, hold
    _settled, txn = spend_held(conn, wallet=wallet, hold=hold, amount=hold["amount"], now=now,
                               description=description, type="withdrawal", sink="withdrawals")
    assert isinstance(txn, Transaction)
    return txn


def release_withdrawal_hold(conn: Connection, *, wallet: Any, hold: dict[str, Any],
                            now: datetime) -> Hold:
    """Give the held credit back to the wallet (a lot past its expiry expires at once)."""
    assert hold["status"] == HOLD_HELD, hold
    return release_held(conn, wallet=wallet, hold=hold, now=now,
                        description="Withdrawal rejected")
