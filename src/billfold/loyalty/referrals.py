"""Referrals: a referrer brings a referee; when the referee's first order reaches
`completed`, every active `referral` rule awards both of them, once.

Referring oneself is a 400; a referee already referred (by anyone) is a 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from billfold.errors import Code, refusal, require
from billfold.ids import new_id
from billfold.ledger.accounts import ensure_customer, lock_customer
from billfold.ledger.checks import check_id
from billfold.loyalty.awards import award
from billfold.store.sql import insert_if_absent
from billfold.store.tables import loyalty_referrals

REFERRAL_PENDING, REFERRAL_REWARDED = "pending", "rewarded"


@dataclass(frozen=True, slots=True)
class Referral:
    id: str
    status: str
    referrer_id: str
    referee_id: str
    order_id: str | None
    created_at: datetime
    rewarded_at: datetime | None


def create_referral(conn: Connection, *, store_id: str, referrer_id: str, referee_id: str,
                    now: datetime) -> Referral:
    check_id(referrer_id, "referrer_id")
    check_id(referee_id, "referee_id")
    require(referrer_id != referee_id, "A customer cannot refer themselves.",
            param="referee_id")
    referral_id = new_id("rfl")
    if not insert_if_absent(conn, loyalty_referrals, {
            "store_id": store_id, "referral_id": referral_id, "referrer_id": referrer_id,
            "referee_id": referee_id, "status": REFERRAL_PENDING, "order_id": None,
            "created_at": now, "rewarded_at": None}):
        raise refusal(Code.ALREADY_REFERRED, f"Customer {referee_id!r} was already "
                      "referred.", param="referee_id")
    for customer_id in sorted((referrer_id, referee_id)):
        ensure_customer(conn, store_id, customer_id, now)
    return _get(conn, store_id, referral_id)


def reward_referral(conn: Connection, *, store_id: str, referee_id: str, order_id: str,
                    amount: int, now: datetime) -> Referral | None:
    """The referee's first order is completed: reward both parties once (None when the
    referee was not referred or was rewarded already)."""
    row = conn.execute(select(loyalty_referrals).where(
        loyalty_referrals.c.store_id == store_id,
        loyalty_referrals.c.referee_id == referee_id,
        loyalty_referrals.c.status == REFERRAL_PENDING).with_for_update()).one_or_none()
    if row is None:
        return None
    for customer_id in sorted((row.referrer_id, row.referee_id)):  # one lock order
        lock_customer(conn, store_id, customer_id)
    for customer_id in (row.referrer_id, row.referee_id):
        award(conn, store_id=store_id, customer_id=customer_id, events=("referral",),
              amount=amount, source_type="referral", source_id=row.referral_id, now=now)
    conn.execute(update(loyalty_referrals).where(
        loyalty_referrals.c.store_id == store_id,
        loyalty_referrals.c.referral_id == row.referral_id)
        .values(status=REFERRAL_REWARDED, order_id=order_id, rewarded_at=now))
    return _get(conn, store_id, row.referral_id)


def _get(conn: Connection, store_id: str, referral_id: str) -> Referral:
    row = conn.execute(select(loyalty_referrals).where(
        loyalty_referrals.c.store_id == store_id,
        loyalty_referrals.c.referral_id == referral_id)).one()
    return _referral(row)


def _referral(row: Any) -> Referral:
    return Referral(row.referral_id, row.status, row.referrer_id, row.referee_id,
                    row.order_id, row.created_at, row.rewarded_at)
