"""Reversal: undo all or part of a credit or a debit with a new 'reversal' transaction.

Check (a reason is required), lock the wallet, read what of the original is still
reversible per lot, plan the entries (take back from the credit's lot, or put
back into the debit's lots latest expiry first), write them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from billfold.errors import Code, refusal
from billfold.ledger import outbox
from billfold.ledger.accounts import Leg, lock_wallet_by_id, store_account_id
from billfold.ledger.checks import check_metadata, check_reason
from billfold.ledger.journal import event_payload, record, single_funding_type, store_legs
from billfold.ledger.models import CREDIT_TYPES, DEBIT_TYPES, LOT_ACTIVE, LotEntry, Transaction
from billfold.ledger.queries import transaction_row
from billfold.money import check_amount
from billfold.store.tables import lot_entries, lots, transactions


def reverse(conn: Connection, *, store_id: str, transaction_id: str, now: datetime,
            description: str, amount: int | None = None,
            metadata: dict[str, Any] | None = None) -> Transaction:
    """Undo all or part of a credit or debit with a new 'reversal' transaction.

    A credit is taken back from the lot it created (refused if that part is
    already spent). A debit is put back into the lots it drew, the lot that
    expires last first, with their original funding types and expiries; a lot
    already past its expiry gets its share back as expired (never spendable,
    swept to breakage). `description` (required, InvalidRequest if blank) says why.
    """
    check_reason(description, "description")
    metadata = check_metadata(metadata)
    original = transaction_row(conn, store_id, transaction_id)
    if original.type not in CREDIT_TYPES | DEBIT_TYPES:
        raise refusal(Code.NOT_REVERSIBLE, f"A {original.type} transaction cannot be reversed.")
    wallet = lock_wallet_by_id(conn, store_id, original.wallet_id)
    left = _reversible_per_lot(conn, store_id, original)
    reversible = sum(left.values())
    if reversible == 0:
        raise refusal(Code.ALREADY_REVERSED, "This transaction has already been fully reversed.")
    amount = reversible if amount is None else check_amount(amount)
    if amount > reversible:
        raise refusal(Code.AMOUNT_TOO_LARGE, f"At most {reversible} {original.unit} of this "
                      "transaction can still be reversed.", param="amount")
    if original.type in CREDIT_TYPES:
        entries, legs = _take_back_credit(conn, store_id, wallet, original, amount, now)
    else:
        entries, legs = _put_back_debit(conn, store_id, wallet, left, amount, now,
                                        sink=_SINKS.get(original.type, "spent"))
    txn = record(
        conn, store_id=store_id, wallet=wallet, type="reversal", amount=amount, legs=legs,
        entries=entries, now=now, funding_type=single_funding_type(entries),
        description=description, reference=original.reference, metadata=metadata,
        reverses_transaction_id=original.transaction_id)
    if original.type not in CREDIT_TYPES:
        _reopen_lots(conn, store_id, [e.lot_id for e in entries], now)
    outbox.emit(conn, store_id, "transaction.reversed", event_payload(txn), now)
    return txn


def _take_back_credit(conn: Connection, store_id: str, wallet: Any, original: Any, amount: int,
                      now: datetime) -> tuple[list[LotEntry], list[Leg]]:
    lot = conn.execute(select(lots).where(lots.c.store_id == store_id,
                                          lots.c.lot_id == original.lot_id)).one()
    free = lot.remaining - lot.held if lot.status == LOT_ACTIVE else 0
    if amount > free:
        raise refusal(Code.CREDIT_ALREADY_SPENT, f"Only {free} {lot.unit} of this credit is "
                      "left unspent to take back.", param="amount")
    entries = [LotEntry(lot.lot_id, lot.funding_type, -amount, 0)]
    legs = [Leg(wallet.account_id, -amount),
            Leg(store_account_id("issued", wallet.unit, lot.funding_type, wallet.account_id),
                amount)]
    return entries, legs


# The store accounts a debit type paid into, which its reversal takes back from.
_SINKS = {"debit": "spent", "capture": "spent", "withdrawal": "withdrawals"}


def _put_back_debit(conn: Connection, store_id: str, wallet: Any, left: dict[str, int],
                    amount: int, now: datetime, *,
                    sink: str = "spent") -> tuple[list[LotEntry], list[Leg]]:
    funding = dict(conn.execute(
        select(lots.c.lot_id, lots.c.funding_type)
        .where(lots.c.store_id == store_id, lots.c.lot_id.in_(list(left)))).all())
    entries: list[LotEntry] = []
    needed = amount
    for lot_id in left:
        give = min(left[lot_id], needed)
        if give:
            entries.append(LotEntry(lot_id, funding[lot_id], give, 0))
            needed -= give
    assert needed == 0
    legs = [Leg(wallet.account_id, amount), *store_legs(sink, wallet, entries, -1)]
    return entries, legs


def _reversible_per_lot(conn: Connection, store_id: str, original: Any) -> dict[str, int]:
    """Per lot, latest expiry first (the order a reversal puts money back in): what the
    original moved less what earlier reversals already undid. A credit moved its own lot
    (named, no entry: lots.create_lot)."""
    if original.type in CREDIT_TYPES:
        left = {original.lot_id: original.amount}
    else:
        left = {lot_id: abs(moved) for lot_id, moved in conn.execute(
            select(lot_entries.c.lot_id, lot_entries.c.amount)
            .join(lots, (lots.c.store_id == lot_entries.c.store_id)
                  & (lots.c.lot_id == lot_entries.c.lot_id))
            .where(lot_entries.c.store_id == store_id,
                   lot_entries.c.transaction_id == original.transaction_id,
                   lot_entries.c.amount != 0)
            .order_by(lots.c.expires_at.desc().nulls_first(), lots.c.lot_id.desc()))}
    undone = conn.execute(
        select(lot_entries.c.lot_id, func.sum(lot_entries.c.amount))
        .join(transactions, (transactions.c.store_id == lot_entries.c.store_id)
              & (transactions.c.transaction_id == lot_entries.c.transaction_id))
        .where(transactions.c.store_id == store_id,
               transactions.c.reverses_transaction_id == original.transaction_id)
        .group_by(lot_entries.c.lot_id)
    ).all()
    for lot_id, moved in undone:
        left[lot_id] -= abs(int(moved))
        assert left[lot_id] >= 0
    return left


def _reopen_lots(conn: Connection, store_id: str, lot_ids: list[str], now: datetime) -> None:
    conn.execute(update(lots).where(lots.c.store_id == store_id, lots.c.lot_id.in_(lot_ids),
                                    lots.c.status != LOT_ACTIVE, lots.c.remaining > 0)
                 .values(status=LOT_ACTIVE, closed_at=None))
