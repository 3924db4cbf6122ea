"""Refunds to the wallet, and the refund of a cancelled paid order.

A refund is instant and never more than was paid and not yet refunded. The
refunded amount is split: the wallet-paid part first (program by program, in
the order the checkout drew them), then the card-paid part.

- The wallet-paid part is a `reversal` of the checkout's capture: the credit
  goes back into the very lots it was drawn from, with their original funding
  types, withdrawability and expiry. A part whose lot has since expired comes
  back expired — it is never spendable again and the sweep moves it to
  breakage at once — so a purchase and a return never extend credit past its
  expiry. For a points program the points returned are in the same proportion
  as the amount (cumulative, half-even; a full refund returns every point).
- The card-paid part becomes a new `refund` lot (withdrawable by default) in
  the `main` program, with that program's default expiry if it has one.

The order's cashback follows the refund in proportion (see `cashback`): a
pending promise shrinks, granted cashback is clawed back. A shortfall the
store chose to deduct from the refund is taken off the card part first,
then off the wallet parts in the currency, last program first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from billfold.commerce.cashback import adjust_cashback_for_refund
from billfold.commerce.order_records import (
    Payment,
    lock_order,
    paid_amount,
    payment_json,
    payments_of,
)
from billfold.commerce.rounding import proportion
from billfold.commerce.settings import StoreSettings, get_settings
from billfold.errors import Code, refusal, require
from billfold.ids import new_id
from billfold.ledger import credit, outbox, reverse
from billfold.ledger.accounts import lock_customer_wallets
from billfold.ledger.checks import check_id
from billfold.money import check_amount
from billfold.store.tables import orders, refunds

REFUND_TARGETS = ("wallet",)
MAIN_PROGRAM = "main"
MAX_REFUNDS_LISTED = 100


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    store_id: str
    order_id: str
    customer_id: str
    amount: int
    wallet_amount: int
    card_amount: int
    credited_amount: int
    clawed_back: int
    deducted: int
    reason: str
    transaction_ids: tuple[str, ...]
    created_at: datetime


def refund_order(conn: Connection, *, store_id: str, order_id: str, amount: int,
                 now: datetime, to: str = "wallet") -> Refund:
    """Refund `amount` of a paid order to the customer's wallet, at once."""
    check_amount(amount)
    require(to in REFUND_TARGETS, "to must be 'wallet'.", param="to")
    row = lock_order(conn, store_id, order_id)
    return refund_locked_order(conn, store_id=store_id, row=row, amount=amount, now=now,
                               reason="refund", settings=get_settings(conn, store_id))


def refund_locked_order(conn: Connection, *, store_id: str, row: Any, amount: int,
                        now: datetime, reason: str, settings: StoreSettings) -> Refund:
    """The refund itself, on an order row the caller has locked. It may touch several of
    the customer's wallets, so it locks them all first, by id (the one lock order)."""
    lock_customer_wallets(conn, store_id, row.customer_id)
    refundable = paid_amount(row) - row.refunded_amount
    if amount > refundable:
        raise refusal(Code.AMOUNT_EXCEEDS_REFUNDABLE, f"At most {refundable} {row.currency} "
                      "of this order can be refunded (paid and not yet refunded).",
                      param="amount")
    before = payments_of(row)
    payments, card_part = _split(before, amount)
    refunded_total = row.refunded_amount + amount
    now_given = [(old, new, new.refunded_amount - old.refunded_amount)
                 for old, new in zip(before, payments, strict=True)]
    deductible = card_part + sum(give for old, _new, give in now_given if old.points is None)
    clawed, deducted = adjust_cashback_for_refund(
        conn, store_id=store_id, order_id=row.order_id, order_amount=row.amount,
        refunded_total=refunded_total, deduct_up_to=deductible, settings=settings, now=now)
    card_credit = card_part - min(card_part, deducted)
    still = deducted - (card_part - card_credit)
    transaction_ids = []
    for old, new, give in reversed(now_given):
        if new.points is not None:
            give = new.refunded_points - old.refunded_points
        else:
            cut = min(give, still)
            still, give = still - cut, give - cut
        if give > 0:
            transaction_ids.append(reverse.reverse(
                conn, store_id=store_id, transaction_id=new.transaction_id, now=now,
                amount=give, description=f"Refund of order {row.order_id}",
                metadata={"order_id": row.order_id}).id)
    assert still == 0
    if card_credit:
        txn = credit.credit(
            conn, store_id=store_id, customer_id=row.customer_id, program=MAIN_PROGRAM,
            amount=card_credit, funding_type="refund", now=now, type="refund",
            source_type="order", source_id=row.order_id, reference=row.order_id,
            description=f"Refund of order {row.order_id}")
        transaction_ids.append(txn.id)
    wallet_part = amount - card_part
    conn.execute(update(orders).where(orders.c.store_id == store_id,
                                      orders.c.order_id == row.order_id)
                 .values(refunded_amount=refunded_total,
                         card_refunded_amount=row.card_refunded_amount + card_part,
                         payments=[payment_json(p) for p in payments], updated_at=now))
    refund_id = new_id("ref")
    conn.execute(insert(refunds).values(
        store_id=store_id, refund_id=refund_id, order_id=row.order_id,
        customer_id=row.customer_id, amount=amount, wallet_amount=wallet_part,
        card_amount=card_part, credited_amount=amount - deducted, clawed_back=clawed,
        deducted=deducted, reason=reason, transaction_ids=transaction_ids, created_at=now))
    outbox.emit(conn, store_id, "order.refunded", {
        "refund_id": refund_id, "order_id": row.order_id, "customer_id": row.customer_id,
        "currency": row.currency, "amount": amount, "wallet_amount": wallet_part,
        "card_amount": card_part, "credited_amount": amount - deducted,
        "clawed_back": clawed, "transaction_ids": transaction_ids}, now)
    return get_refund(conn, store_id, refund_id)


def get_refund(conn: Connection, store_id: str, refund_id: str) -> Refund:
    check_id(refund_id, "refund_id")
    row = conn.execute(select(refunds).where(refunds.c.store_id == store_id,
                                             refunds.c.refund_id == refund_id)).one()
    return _refund(row)


def list_refunds(conn: Connection, store_id: str, order_id: str) -> tuple[Refund, ...]:
    rows = conn.execute(select(refunds).where(refunds.c.store_id == store_id,
                                              refunds.c.order_id == order_id)
                        .order_by(refunds.c.refund_id).limit(MAX_REFUNDS_LISTED)).all()
    return tuple(_refund(row) for row in rows)


def _split(payments: tuple[Payment, ...], amount: int) -> tuple[list[Payment], int]:
    """Wallet parts first, in checkout order; what is left comes from the card part.
    A points payment's refunded points follow its refunded amount in proportion."""
    left, updated = amount, []
    for payment in payments:
        give = min(left, payment.amount - payment.refunded_amount)
        left -= give
        refunded = payment.refunded_amount + give
        points = (payment.refunded_points if payment.points is None
                  else proportion(payment.points, refunded, payment.amount))
        updated.append(replace(payment, refunded_amount=refunded, refunded_points=points))
    return updated, left


def _refund(row: Any) -> Refund:
    return Refund(
        id=row.refund_id, store_id=row.store_id, order_id=row.order_id,
        customer_id=row.customer_id, amount=row.amount, wallet_amount=row.wallet_amount,
        card_amount=row.card_amount, credited_amount=row.credited_amount,
        clawed_back=row.clawed_back, deducted=row.deducted, reason=row.reason,
        transaction_ids=tuple(row.transaction_ids), created_at=row.created_at)
