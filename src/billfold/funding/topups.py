"""Top-ups: a customer pays into their own wallet, and a confirmed payment becomes a
`cash` lot (`shared/API.md`, "Codes, top-ups, withdrawals").

A top-up is `pending` until the shop confirms it with the payment's external reference
(`succeeded`: one `credit` transaction, source `topup`), cancels it (`cancelled`), or it
outlives the store's `topup_expires_in` (`expired`, by the worker's sweep or at the
first touch after its time). Its amount is one of the store's `topup_amounts`, or any
amount within `topup_min_amount`..`topup_max_amount` where both are set.

Confirming is once per top-up: the row is locked (PostgreSQL) or the writer is (SQLite),
so two confirmations at once make one lot; the same reference again answers the
succeeded top-up, another reference is `topup_reference_conflict`.

Automatic top-ups (`auto_topup_rules`) are created by the ledger when a movement takes
`available` below a wallet's rule (`ledger.thresholds`); here they are set and removed.

The payment itself belongs to the shop's processor, behind `PaymentProvider`: `confirm`
is asked before a top-up is credited (it may refuse), `refund` when a payment arrives
for a top-up that can no longer be credited (cancelled or expired). The built-in
provider is "the shop's backend confirms": it trusts the reference and refunds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, Row, delete, select, update

from billfold.durations import parse_duration_seconds
from billfold.errors import Code, refusal, require
from billfold.ids import new_id
from billfold.ledger import credit, outbox
from billfold.ledger.accounts import get_program
from billfold.ledger.checks import check_id, check_status, check_text
from billfold.ledger.customers import create_customer, get_customer
from billfold.ledger.thresholds import topup_payload
from billfold.money import MAX_AMOUNT_MINOR, check_amount, is_points_unit
from billfold.store.sql import insert_if_absent
from billfold.store.tables import auto_topup_rules, topups

PENDING, SUCCEEDED, CANCELLED, EXPIRED = "pending", "succeeded", "cancelled", "expired"
STATUSES = (PENDING, SUCCEEDED, CANCELLED, EXPIRED)
MANUAL, AUTO = "manual", "auto"
MAX_TOPUPS_LISTED = 100
MAX_REFERENCE_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Topup:
    id: str
    store_id: str
    customer_id: str
    program: str
    amount: int
    status: str
    trigger: str
    payment_reference: str | None
    transaction_id: str | None
    expires_at: datetime
    created_at: datetime
    settled_at: datetime | None


@dataclass(frozen=True, slots=True)
class AutoTopupRule:
    customer_id: str
    program: str
    threshold: int
    amount: int
    created_at: datetime
    updated_at: datetime


class PaymentProvider(Protocol):
    """The shop's payment processor, as billfold asks it about top-ups."""

    def confirm(self, topup: Topup, payment_reference: str) -> None:
        """Raise a BillfoldError to refuse crediting `topup` for this payment."""

    def refund(self, topup: Topup, payment_reference: str) -> None:
        """Give back a payment that arrived for a top-up no longer pending."""


class ShopConfirms:
    """The built-in provider: the shop's backend has seen the payment; trust it."""

    def confirm(self, topup: Topup, payment_reference: str) -> None:
        return None

    def refund(self, topup: Topup, payment_reference: str) -> None:
        return None


def create_topup(conn: Connection, *, store_id: str, customer_id: str, program: str,
                 amount: int, now: datetime, expires_seconds: int) -> Topup:
    """A pending top-up of `amount` for the customer (created if new) to pay within
    `expires_seconds`. Whether the store takes top-ups, and this amount, the caller
    checked (`check_amount_allowed`) against the store's settings."""
    check_amount(amount)
    _check_cash_program(conn, store_id, program)
    create_customer(conn, store_id=store_id, customer_id=customer_id, now=now)
    row = _new_row(store_id, customer_id, program, amount, MANUAL, now, expires_seconds)
    conn.execute(topups.insert().values(**row))
    return _topup(row)


def check_amount_allowed(amount: int, presets: tuple[int, ...], low: int | None,
                         high: int | None) -> None:
    """One of the preset amounts, or within `low`..`high` where both are set."""
    check_amount(amount)
    free = low is not None and high is not None
    if amount in presets or (free and low <= amount <= high):  # type: ignore[operator]
        return
    bounds = f", or from {low} to {high}" if free else ""
    raise refusal(Code.TOPUP_AMOUNT_NOT_ALLOWED,
                  f"A top-up is one of {list(presets)}{bounds}.", param="amount")


def expires_seconds(value: int | str | None) -> int:
    return parse_duration_seconds("1d" if value is None else value, param="topup_expires_in")


def _new_row(store_id: str, customer_id: str, program: str, amount: int, trigger: str,
             now: datetime, seconds: int) -> dict[str, Any]:
    return dict(store_id=store_id, topup_id=new_id("top"), customer_id=customer_id,
                program=program, amount=amount, status=PENDING, trigger=trigger,
                payment_reference=None, transaction_id=None,
                expires_at=now + timedelta(seconds=seconds), created_at=now, settled_at=None)


def confirm_topup(conn: Connection, *, store_id: str, topup_id: str, payment_reference: str,
                  now: datetime, provider: PaymentProvider) -> Topup:
    """Credit a pending top-up as a `cash` lot, once; the same reference again answers it
    again, another one is a conflict."""
    require(isinstance(payment_reference, str) and payment_reference.strip() != "",
            "payment_reference is the payment's id at your processor.",
            param="payment_reference")
    check_text(payment_reference, "payment_reference", MAX_REFERENCE_LENGTH)
    found = _lock(conn, store_id, topup_id, now)
    if found.status == SUCCEEDED:
        if found.payment_reference != payment_reference:
            raise refusal(Code.TOPUP_REFERENCE_CONFLICT, "The top-up was confirmed with "
                          "another payment_reference.", param="payment_reference")
        return found
    if found.status != PENDING:
        provider.refund(found, payment_reference)
        raise refusal(Code.TOPUP_NOT_PENDING, status=found.status)
    provider.confirm(found, payment_reference)
    txn = credit.credit(
        conn, store_id=store_id, customer_id=found.customer_id, program=found.program,
        amount=found.amount, funding_type="cash", now=now, description="Top-up",
        reference=payment_reference, source_type="topup", source_id=found.id)
    return _settle(conn, found, SUCCEEDED, now, payment_reference=payment_reference,
                   transaction_id=txn.id)


def cancel_topup(conn: Connection, *, store_id: str, topup_id: str, now: datetime) -> Topup:
    """A pending top-up will not be paid; cancelling it again answers it again."""
    found = _lock(conn, store_id, topup_id, now)
    if found.status == CANCELLED:
        return found
    if found.status != PENDING:
        raise refusal(Code.TOPUP_NOT_PENDING, status=found.status)
    return _settle(conn, found, CANCELLED, now)


def expire_due(conn: Connection, store_id: str, now: datetime, *, limit: int = 1000) -> int:
    """Mark pending top-ups past their time `expired` (the worker); how many."""
    due = conn.execute(select(topups.c.topup_id).where(
        topups.c.store_id == store_id, topups.c.status == PENDING,
        topups.c.expires_at <= now).order_by(topups.c.expires_at).limit(limit)
    ).scalars().all()
    for topup_id in due:
        _lock(conn, store_id, topup_id, now)  # expires it
    return len(due)


def get_topup(conn: Connection, store_id: str, topup_id: str) -> Topup:
    check_id(topup_id, "topup_id")
    row = conn.execute(select(topups).where(topups.c.store_id == store_id,
                                            topups.c.topup_id == topup_id)).first()
    if row is None:
        raise refusal(Code.TOPUP_NOT_FOUND, param="topup_id", topup_id=topup_id)
    return _topup(row._mapping)


def list_topups(conn: Connection, store_id: str, *, customer_id: str | None,
                program: str | None, status: str | None = None, limit: int = 20,
                starting_after: str | None = None) -> tuple[list[Topup], bool]:
    """A wallet's top-ups (or, with no customer, the store's), newest first, keyset by
    id; (page, has_more)."""
    require(isinstance(limit, int) and 1 <= limit <= MAX_TOPUPS_LISTED,
            f"limit must be from 1 to {MAX_TOPUPS_LISTED}.", param="limit")
    check_status(status, STATUSES)
    query = select(topups).where(topups.c.store_id == store_id)
    if customer_id is not None:
        get_customer(conn, store_id, customer_id)
        query = query.where(topups.c.customer_id == customer_id,
                            topups.c.program == program)
    if status is not None:
        query = query.where(topups.c.status == status)
    if starting_after is not None:
        query = query.where(topups.c.topup_id < check_id(starting_after, "starting_after"))
    rows = conn.execute(query.order_by(topups.c.topup_id.desc()).limit(limit + 1)).all()
    return [_topup(row._mapping) for row in rows[:limit]], len(rows) > limit


def _lock(conn: Connection, store_id: str, topup_id: str, now: datetime) -> Topup:
    """The top-up, its row locked; a pending one past its time is expired first."""
    check_id(topup_id, "topup_id")
    row = conn.execute(select(topups).where(topups.c.store_id == store_id,
                                            topups.c.topup_id == topup_id)
                       .with_for_update()).first()
    if row is None:
        raise refusal(Code.TOPUP_NOT_FOUND, param="topup_id", topup_id=topup_id)
    found = _topup(row._mapping)
    if found.status == PENDING and found.expires_at <= now:
        return _settle(conn, found, EXPIRED, now)
    return found


def _settle(conn: Connection, found: Topup, status: str, now: datetime, *,
            payment_reference: str | None = None,
            transaction_id: str | None = None) -> Topup:
    changes = dict(status=status, settled_at=now, payment_reference=payment_reference,
                   transaction_id=transaction_id)
    done = conn.execute(update(topups).where(
        topups.c.store_id == found.store_id, topups.c.topup_id == found.id,
        topups.c.status == PENDING).values(**changes)).rowcount
    assert done == 1, found
    settled = get_topup(conn, found.store_id, found.id)
    row = {"topup_id": settled.id, "customer_id": settled.customer_id,
           "program": settled.program, "amount": settled.amount, "status": settled.status,
           "trigger": settled.trigger, "payment_reference": settled.payment_reference,
           "transaction_id": settled.transaction_id}
    outbox.emit(conn, found.store_id, f"topup.{status}", topup_payload(row), now)
    return settled


def _check_cash_program(conn: Connection, store_id: str, program: str) -> None:
    found = get_program(conn, store_id, program)
    require(not is_points_unit(found.unit),
            f"Program {program!r} counts points; a top-up pays money in.", param="program")


def _topup(row: Any) -> Topup:
    return Topup(id=row["topup_id"], store_id=row["store_id"], customer_id=row["customer_id"],
                 program=row["program"], amount=row["amount"], status=row["status"],
                 trigger=row["trigger"], payment_reference=row["payment_reference"],
                 transaction_id=row["transaction_id"], expires_at=row["expires_at"],
                 created_at=row["created_at"], settled_at=row["settled_at"])


# -- automatic top-ups ------------------------------------------------------------------

def set_auto_topup(conn: Connection, *, store_id: str, customer_id: str, program: str,
                   threshold: int, amount: int, now: datetime) -> AutoTopupRule:
    """The wallet's rule: below `threshold`, a pending top-up of `amount` (replaces any)."""
    require(isinstance(threshold, int) and not isinstance(threshold, bool)
            and 1 <= threshold <= MAX_AMOUNT_MINOR,
            "threshold is an amount in minor units, 1 to 10^15.", param="threshold")
    check_amount(amount)
    get_customer(conn, store_id, customer_id)
    _check_cash_program(conn, store_id, program)
    values = dict(threshold=threshold, amount=amount, is_armed=True, updated_at=now)
    if not insert_if_absent(conn, auto_topup_rules, {
            "store_id": store_id, "customer_id": customer_id, "program": program,
            "created_at": now, **values}):
        conn.execute(update(auto_topup_rules).where(*_rule_key(store_id, customer_id, program))
                     .values(**values))
    return get_auto_topup(conn, store_id, customer_id, program)


def get_auto_topup(conn: Connection, store_id: str, customer_id: str,
                   program: str) -> AutoTopupRule:
    row = conn.execute(select(auto_topup_rules).where(
        *_rule_key(store_id, customer_id, program))).first()
    if row is None:
        get_customer(conn, store_id, customer_id)
        raise refusal(Code.AUTO_TOPUP_NOT_FOUND, "This wallet has no automatic top-up.")
    return _rule(row)


def delete_auto_topup(conn: Connection, *, store_id: str, customer_id: str,
                      program: str) -> AutoTopupRule:
    """Remove the wallet's rule; the rule that was removed."""
    found = get_auto_topup(conn, store_id, customer_id, program)
    conn.execute(delete(auto_topup_rules).where(*_rule_key(store_id, customer_id, program)))
    return found


def _rule_key(store_id: str, customer_id: str, program: str) -> tuple[Any, ...]:
    return (auto_topup_rules.c.store_id == store_id,
            auto_topup_rules.c.customer_id == check_id(customer_id, "customer_id"),
            auto_topup_rules.c.program == program)


def _rule(row: Row[Any]) -> AutoTopupRule:
    return AutoTopupRule(customer_id=row.customer_id, program=row.program,
                         threshold=row.threshold, amount=row.amount,
                         created_at=row.created_at, updated_at=row.updated_at)
