"""Transfer: move credit between two customers' wallets in one program.

Check, lock both wallets in id order, draw the sender's lots in spending order,
create like lots for the receiver, record one 'transfer' transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from billfold.errors import Code, InvalidRequest, refusal
from billfold.ids import new_id
from billfold.ledger import outbox
from billfold.ledger.accounts import (
    Leg,
    customer_exists,
    ensure_wallet_exists,
    get_program,
    lock_wallet_by_id,
)
from billfold.ledger.checks import MAX_REFERENCE_LENGTH, check_id, check_metadata, check_text
from billfold.ledger.journal import event_payload, record, single_funding_type
from billfold.ledger.lots import create_lot, draw
from billfold.ledger.models import LotEntry, Transaction
from billfold.money import check_amount
from billfold.store.tables import lots


def transfer(conn: Connection, *, store_id: str, from_customer_id: str, to_customer_id: str,
             program: str, amount: int, now: datetime, description: str | None = None,
             reference: str | None = None, metadata: dict[str, Any] | None = None,
             ) -> Transaction:
    """Move credit between two customers' wallets in one program.

    The receiver gets lots like the ones drawn (funding type, withdrawability,
    expiry), so credit keeps its nature. Both customers must be known to the store
    (NotFound, `param` naming which). Both wallets are locked by id order.
    """
    check_id(from_customer_id, "from_customer_id")
    check_id(to_customer_id, "to_customer_id")
    check_amount(amount)
    metadata = check_metadata(metadata)
    check_text(description, "description")
    check_text(reference, "reference", MAX_REFERENCE_LENGTH)
    if from_customer_id == to_customer_id:
        raise InvalidRequest("A transfer needs two different customers.",
                             param="to_customer_id")
    prog = get_program(conn, store_id, program)
    sender, receiver = _lock_pair(conn, store_id, from_customer_id, to_customer_id, prog, now)
    draws = draw(conn, store_id, sender.account_id, amount, prog.spending_strategy, now,
                 unit=sender.unit)
    sources = {row.lot_id: row for row in conn.execute(select(lots).where(
        lots.c.store_id == store_id, lots.c.lot_id.in_([d.lot_id for d in draws])))}
    transaction_id = new_id("txn")
    entries = [LotEntry(d.lot_id, d.funding_type, -d.take, 0) for d in draws]
    for d in draws:
        source = sources[d.lot_id]
        lot_id = create_lot(
            conn, store_id, receiver.account_id, receiver.unit, d.take,
            funding_type=d.funding_type, is_withdrawable=bool(source.is_withdrawable),
            expires_at=source.expires_at, source_type="transfer", source_id=d.lot_id,
            description=description, transaction_id=transaction_id, now=now, filled=False)
        entries.append(LotEntry(lot_id, d.funding_type, d.take, 0))
    txn = record(
        conn, store_id=store_id, wallet=sender, type="transfer", amount=amount,
        legs=[Leg(sender.account_id, -amount), Leg(receiver.account_id, amount)],
        entries=entries, now=now, funding_type=single_funding_type(entries),
        description=description, reference=reference,
        metadata={**metadata, "to_customer_id": to_customer_id,
                  "to_wallet_id": receiver.account_id},
        transaction_id=transaction_id)
    outbox.emit(conn, store_id, "wallet.transferred", event_payload(txn), now)
    return txn


def _lock_pair(conn: Connection, store_id: str, from_customer_id: str, to_customer_id: str,
               prog: Any, now: datetime) -> tuple[Any, Any]:
    """Lock sender and receiver wallets in wallet-id order (the one lock order)."""
    sender_id = ensure_wallet_exists(conn, store_id, from_customer_id, prog, now,
                                     create=False)
    if sender_id is None and not customer_exists(conn, store_id, from_customer_id):
        raise refusal(Code.CUSTOMER_NOT_FOUND, param="from_customer_id",
                      customer_id=from_customer_id)
    if not customer_exists(conn, store_id, to_customer_id):  # a customer of this store
        raise refusal(Code.CUSTOMER_NOT_FOUND, param="to_customer_id",
                      customer_id=to_customer_id)
    if sender_id is None:
        raise refusal(Code.INSUFFICIENT_FUNDS,
                      f"The wallet has 0 {prog.unit} available, needed more.", param="amount")
    receiver_id = ensure_wallet_exists(conn, store_id, to_customer_id, prog, now, create=True)
    locked = {wallet_id: lock_wallet_by_id(conn, store_id, wallet_id)
              for wallet_id in sorted({sender_id, receiver_id})}
    return locked[sender_id], locked[receiver_id]
