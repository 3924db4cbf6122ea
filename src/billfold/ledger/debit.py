"""Debit: spend from a customer's wallet in the program's spending order.

Check the arguments, then either (PostgreSQL) one call of `billfold_debit`
(store/functions/billfold_debit.sql) or the story below: lock the wallet, plan
the draw from its lots (refusing with insufficient_funds before anything is
written), record the transaction with its lot entries and its event.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billfold.ids import new_id
from billfold.ledger import outbox
from billfold.ledger.accounts import Leg, get_program, refuse_from_reply, wallet_to_spend_from
from billfold.ledger.checks import check_debit
from billfold.ledger.journal import (
    event_payload,
    record,
    single_funding_type,
    store_legs,
    transaction_template,
)
from billfold.ledger.lots import draw
from billfold.ledger.models import LotEntry, Transaction
from billfold.store.calls import DatabaseCall, run_call
from billfold.store.engine import fast_path


def debit(conn: Connection, *, store_id: str, customer_id: str, program: str, amount: int,
          now: datetime, description: str | None = None, reference: str | None = None,
          metadata: dict[str, Any] | None = None) -> Transaction:
    """Spend `amount` from the wallet in spending order, or refuse with InsufficientFunds."""
    metadata = check_debit(customer_id, amount, metadata, description, reference)
    if fast_path(conn) == "postgresql":
        return run_call(conn, debit_call(
            store_id=store_id, customer_id=customer_id, program=program, amount=amount,
            now=now, description=description, reference=reference, metadata=metadata))
    prog = get_program(conn, store_id, program)
    wallet = wallet_to_spend_from(conn, store_id, customer_id, prog, amount)
    draws = draw(conn, store_id, wallet.account_id, amount, prog.spending_strategy, now,
                 unit=wallet.unit)
    entries = [LotEntry(d.lot_id, d.funding_type, -d.take, 0) for d in draws]
    txn = record(
        conn, store_id=store_id, wallet=wallet, type="debit", amount=amount,
        legs=[Leg(wallet.account_id, -amount), *store_legs("spent", wallet, entries, -1)],
        entries=entries, now=now, funding_type=single_funding_type(entries),
        description=description, reference=reference, metadata=metadata)
    outbox.emit(conn, store_id, "wallet.debited", event_payload(txn), now)
    return txn


def debit_call(*, store_id: str, customer_id: str, program: str, amount: int, now: datetime,
               description: str | None = None, reference: str | None = None,
               metadata: dict[str, Any] | None = None) -> DatabaseCall:
    """`debit` as one call of billfold_debit_keyed."""
    metadata = check_debit(customer_id, amount, metadata, description, reference)
    transaction_id = new_id("txn")
    template = transaction_template(transaction_id, store_id, "debit", customer_id, program,
                                    amount, now, description, reference, metadata)
    args = (store_id, customer_id, program, amount, now, transaction_id, new_id("evt"),
            description, reference, metadata)
    return DatabaseCall(_DEBIT_KEYED, args, template,
                        lambda result: _debit_outcome(result, template))


def _debit_outcome(result: dict[str, Any], template: Transaction) -> Transaction:
    refuse_from_reply(result, template.customer_id or "", template.program or "", template.amount)
    return replace(template, wallet_id=result["wallet_id"], unit=result["unit"],
                   balance_after=result["balance_after"], held_after=result["held_after"],
                   funding_type=result["funding_type"],
                   lots=tuple(LotEntry(lot_id, funding_type, moved, 0)
                              for lot_id, funding_type, moved in result["lots"]))


# $n placeholders: run by psycopg directly (billfold.store.calls), prepared once.
_DEBIT_KEYED = (
    "SELECT billfold_debit_keyed($1::text, $2::text, $3::text, $4::jsonb, $5::text, "
    "$6::text, $7::text, $8::bigint, $9::timestamptz, $10::text, $11::text, $12::text, "
    "$13::text, $14::jsonb)")
