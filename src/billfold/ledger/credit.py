"""Credit: add to a customer's wallet as a new lot; the store's issuance account pays.

Check the arguments, then either (PostgreSQL) one call of `billfold_credit`
(store/functions/billfold_credit.sql) or (any other path) the story below: find
or open the wallet, create the lot, record the transaction and its event.
`Billfold(fast_paths=False)` takes the story on PostgreSQL too; the twin tests
compare the two.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from billfold.durations import check_future_expiry
from billfold.ids import new_id
from billfold.ledger import outbox
from billfold.ledger.accounts import (
    Leg,
    bucket_of,
    get_program,
    open_wallet,
    refuse_from_reply,
    store_account_id,
)
from billfold.ledger.checks import check_credit
from billfold.ledger.journal import event_payload, record, transaction_template
from billfold.ledger.lots import create_lot
from billfold.ledger.models import CREDIT_TYPES, LotEntry, Transaction
from billfold.store.calls import DatabaseCall, run_call
from billfold.store.engine import fast_path


def credit(conn: Connection, *, store_id: str, customer_id: str, program: str, amount: int,
           funding_type: str, now: datetime, expires_at: datetime | None = None,
           is_withdrawable: bool | None = None, description: str | None = None,
           reference: str | None = None, metadata: dict[str, Any] | None = None,
           type: str = "credit", source_type: str = "manual",
           source_id: str | None = None) -> Transaction:
    """Add `amount` to the wallet as a new lot; the store's issuance account pays for it."""
    withdrawable, metadata = check_credit(customer_id, amount, funding_type, is_withdrawable,
                                           metadata, description, reference)
    assert type in CREDIT_TYPES
    check_future_expiry(expires_at, now)
    if (fast_path(conn) == "postgresql" and type == "credit"
            and source_type == "manual" and source_id is None):
        return run_call(conn, credit_call(
            store_id=store_id, customer_id=customer_id, program=program, amount=amount,
            funding_type=funding_type, now=now, expires_at=expires_at,
            is_withdrawable=withdrawable, description=description, reference=reference,
            metadata=metadata))
    prog = get_program(conn, store_id, program)
    if expires_at is None and prog.default_expires_seconds:
        expires_at = now + timedelta(seconds=prog.default_expires_seconds)
    wallet = open_wallet(conn, store_id, customer_id, prog, now)
    transaction_id = new_id("txn")
    lot_id = create_lot(
        conn, store_id, wallet.account_id, wallet.unit, amount, funding_type=funding_type,
        is_withdrawable=withdrawable, expires_at=expires_at, source_type=source_type,
        source_id=source_id, description=description, transaction_id=transaction_id, now=now)
    txn = record(
        conn, store_id=store_id, wallet=wallet, type=type, amount=amount,
        legs=[Leg(wallet.account_id, amount),
              Leg(store_account_id("issued", wallet.unit, funding_type, wallet.account_id),
                  -amount)],
        entries=[], created=LotEntry(lot_id, funding_type, amount, 0), now=now,
        funding_type=funding_type, description=description, reference=reference,
        metadata=metadata, lot_id=lot_id, transaction_id=transaction_id)
    outbox.emit(conn, store_id, "wallet.credited", event_payload(txn), now)
    return txn


def credit_call(*, store_id: str, customer_id: str, program: str, amount: int,
                funding_type: str, now: datetime, expires_at: datetime | None = None,
                is_withdrawable: bool | None = None, description: str | None = None,
                reference: str | None = None,
                metadata: dict[str, Any] | None = None) -> DatabaseCall:
    """`credit` (type credit, source manual) as one call of billfold_credit_keyed."""
    withdrawable, metadata = check_credit(customer_id, amount, funding_type, is_withdrawable,
                                           metadata, description, reference)
    check_future_expiry(expires_at, now)
    transaction_id, lot_id, wallet_id = new_id("txn"), new_id("lot"), new_id("wal")
    template = transaction_template(
        transaction_id, store_id, "credit", customer_id, program, amount, now, description,
        reference, metadata, funding_type=funding_type, lot_id=lot_id,
        lots=(LotEntry(lot_id, funding_type, amount, 0),))
    args = (store_id, customer_id, program, amount, funding_type, withdrawable, expires_at,
            now, wallet_id, bucket_of(wallet_id), transaction_id, lot_id, new_id("evt"),
            description, reference, metadata)
    return DatabaseCall(_CREDIT_KEYED, args, template,
                        lambda result: _credit_outcome(result, template))


def _credit_outcome(result: dict[str, Any], template: Transaction) -> Transaction:
    refuse_from_reply(result, template.customer_id or "", template.program or "", template.amount)
    return replace(template, wallet_id=result["wallet_id"], unit=result["unit"],
                   balance_after=result["balance_after"], held_after=result["held_after"])


# $n placeholders: run by psycopg directly (billfold.store.calls), prepared once.
_CREDIT_KEYED = (
    "SELECT billfold_credit_keyed($1::text, $2::text, $3::text, $4::jsonb, $5::text, "
    "$6::text, $7::text, $8::bigint, $9::text, $10::boolean, $11::timestamptz, "
    "$12::timestamptz, $13::text, $14::integer, $15::text, $16::text, $17::text, $18::text, "
    "$19::text, $20::jsonb)")
