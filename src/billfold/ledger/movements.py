"""Credit, debit and reversal: the movements between a wallet and the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, update

from billfold.durations import check_future_expiry
from billfold.errors import Code, InvalidRequest, refusal
from billfold.ids import new_id
from billfold.ledger import outbox, sqlite_fast
from billfold.ledger.accounts import (
    Leg,
    bucket_of,
    customer_exists,
    customer_not_found,
    ensure_wallet_exists,
    get_program,
    lock_wallet_by_id,
    open_wallet,
    program_not_found,
    store_account_id,
    wallet_to_spend_from,
)
from billfold.ledger.checks import (
    MAX_REFERENCE_LENGTH,
    check_credit,
    check_debit,
    check_id,
    check_metadata,
    check_reason,
    check_text,
)
from billfold.ledger.journal import event_payload, record, single_funding_type, store_legs
from billfold.ledger.lots import create_lot, draw
from billfold.ledger.models import LOT_ACTIVE, LotEntry, Transaction
from billfold.money import check_amount
from billfold.store.calls import call_in
from billfold.store.engine import fast_path
from billfold.store.tables import lot_entries, lots, transactions

# On PostgreSQL a debit is one call of billfold_debit (store/functions/), on SQLite a few
# raw statements (ledger/sqlite_fast.py): the same algorithm as the Python path below;
# `Billfold(fast_paths=False)` takes the Python path, and the twin tests compare them.
CREDIT_TYPES = frozenset({"credit", "refund", "cashback"})
DEBIT_TYPES = frozenset({"debit", "capture", "withdrawal"})


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
        return _credit_in_database(conn, store_id, customer_id, program, amount,
                                   funding_type, withdrawable, expires_at, now, description,
                                   reference, metadata)
    elif (fast_path(conn) == "sqlite" and type == "credit"
          and source_type == "manual" and source_id is None):
        return sqlite_fast.credit(
            conn, store_id=store_id, customer_id=customer_id, program=program, amount=amount,
            funding_type=funding_type, is_withdrawable=withdrawable, expires_at=expires_at,
            now=now, description=description, reference=reference, metadata=metadata)
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
        entries=[LotEntry(lot_id, funding_type, amount, 0)], now=now,
        funding_type=funding_type, description=description, reference=reference,
        metadata=metadata, lot_id=lot_id, transaction_id=transaction_id)
    outbox.emit(conn, store_id, "wallet.credited", event_payload(txn), now)
    return txn


def debit(conn: Connection, *, store_id: str, customer_id: str, program: str, amount: int,
          now: datetime, description: str | None = None, reference: str | None = None,
          metadata: dict[str, Any] | None = None) -> Transaction:
    """Spend `amount` from the wallet in spending order, or refuse with InsufficientFunds."""
    metadata = check_debit(customer_id, amount, metadata, description, reference)
    if fast_path(conn) == "postgresql":
        return _debit_in_database(conn, store_id, customer_id, program, amount, now,
                                  description, reference, metadata)
    elif fast_path(conn) == "sqlite":
        return sqlite_fast.debit(
            conn, store_id=store_id, customer_id=customer_id, program=program, amount=amount,
            now=now, description=description, reference=reference, metadata=metadata)
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


@dataclass(frozen=True, slots=True)
class DatabaseCall:
    """A movement as one PostgreSQL function call, run as its own transaction.

    `sql` takes (idempotency key, operation, fingerprint, encoded template) then
    `args`; the template is the result (a Transaction, a Hold) as known before the
    call, or None when the function builds all of it, and `finish` turns the
    function's reply into the result or the refusal.
    """

    sql: str
    args: tuple[Any, ...]
    template: Any
    finish: Callable[[dict[str, Any]], Any]


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
    template = _template(transaction_id, store_id, "credit", customer_id, program, amount,
                         now, description, reference, metadata, funding_type=funding_type,
                         lot_id=lot_id, lots=(LotEntry(lot_id, funding_type, amount, 0),))
    args = (store_id, customer_id, program, amount, funding_type, withdrawable, expires_at,
            now, wallet_id, bucket_of(wallet_id), transaction_id, lot_id, new_id("evt"),
            description, reference, metadata)
    return DatabaseCall(_CREDIT_KEYED, args, template,
                        lambda result: _credit_outcome(result, template))


def debit_call(*, store_id: str, customer_id: str, program: str, amount: int, now: datetime,
               description: str | None = None, reference: str | None = None,
               metadata: dict[str, Any] | None = None) -> DatabaseCall:
    """`debit` as one call of billfold_debit_keyed."""
    metadata = check_debit(customer_id, amount, metadata, description, reference)
    transaction_id = new_id("txn")
    template = _template(transaction_id, store_id, "debit", customer_id, program, amount, now,
                         description, reference, metadata)
    args = (store_id, customer_id, program, amount, now, transaction_id, new_id("evt"),
            description, reference, metadata)
    return DatabaseCall(_DEBIT_KEYED, args, template,
                        lambda result: _debit_outcome(result, template))


def _template(transaction_id: str, store_id: str, type: str, customer_id: str, program: str,
              amount: int, now: datetime, description: str | None, reference: str | None,
              metadata: dict[str, Any], *, funding_type: str | None = None,
              lot_id: str | None = None, lots: tuple[LotEntry, ...] = ()) -> Transaction:
    return Transaction(
        id=transaction_id, store_id=store_id, type=type, wallet_id=None,
        customer_id=customer_id, program=program, unit="", amount=amount, balance_after=None,
        held_after=None, funding_type=funding_type, description=description,
        reference=reference, metadata=metadata, reverses_transaction_id=None, hold_id=None,
        lot_id=lot_id, created_at=now, lots=lots)


def refuse_from_reply(result: dict[str, Any], customer_id: str, program: str, amount: int) -> None:
    """Raise the refusal a function reported, as the Python path would."""
    error = result.get("error")
    if error == Code.PROGRAM_NOT_FOUND.code:
        raise program_not_found(program)
    if error == Code.CUSTOMER_NOT_FOUND.code:
        raise customer_not_found(customer_id)
    if error == Code.INSUFFICIENT_FUNDS.code:
        raise refusal(Code.INSUFFICIENT_FUNDS, param="amount", available=result["available"],
                      unit=result["unit"], needed=amount)
    assert error is None, result


def _credit_outcome(result: dict[str, Any], template: Transaction) -> Transaction:
    refuse_from_reply(result, template.customer_id or "", template.program or "", template.amount)
    return replace(template, wallet_id=result["wallet_id"], unit=result["unit"],
                   balance_after=result["balance_after"], held_after=result["held_after"])


def _debit_outcome(result: dict[str, Any], template: Transaction) -> Transaction:
    refuse_from_reply(result, template.customer_id or "", template.program or "", template.amount)
    return replace(template, wallet_id=result["wallet_id"], unit=result["unit"],
                   balance_after=result["balance_after"], held_after=result["held_after"],
                   funding_type=result["funding_type"],
                   lots=tuple(LotEntry(lot_id, funding_type, moved, 0)
                              for lot_id, funding_type, moved in result["lots"]))


def _credit_in_database(conn: Connection, store_id: str, customer_id: str, program: str,
                        amount: int, funding_type: str, is_withdrawable: bool,
                        expires_at: datetime | None, now: datetime, description: str | None,
                        reference: str | None, metadata: dict[str, Any]) -> Transaction:
    call = credit_call(store_id=store_id, customer_id=customer_id, program=program,
                       amount=amount, funding_type=funding_type, now=now,
                       expires_at=expires_at, is_withdrawable=is_withdrawable,
                       description=description, reference=reference, metadata=metadata)
    return call.finish(call_in_transaction(conn, call))


def _debit_in_database(conn: Connection, store_id: str, customer_id: str, program: str,
                       amount: int, now: datetime, description: str | None,
                       reference: str | None, metadata: dict[str, Any]) -> Transaction:
    call = debit_call(store_id=store_id, customer_id=customer_id, program=program,
                      amount=amount, now=now, description=description, reference=reference,
                      metadata=metadata)
    return call.finish(call_in_transaction(conn, call))


def call_in_transaction(conn: Connection, call: DatabaseCall) -> dict[str, Any]:
    """Run a DatabaseCall, unkeyed, inside the caller's transaction."""
    driver = conn.connection.driver_connection
    assert driver is not None
    return call_in(driver, call.sql, (None, None, None, None, *call.args))


# $n placeholders: run by psycopg directly (billfold.store.calls), prepared once.
_CREDIT_KEYED = (
    "SELECT billfold_credit_keyed($1::text, $2::text, $3::text, $4::jsonb, $5::text, "
    "$6::text, $7::text, $8::bigint, $9::text, $10::boolean, $11::timestamptz, "
    "$12::timestamptz, $13::text, $14::integer, $15::text, $16::text, $17::text, $18::text, "
    "$19::text, $20::jsonb)")
_DEBIT_KEYED = (
    "SELECT billfold_debit_keyed($1::text, $2::text, $3::text, $4::jsonb, $5::text, "
    "$6::text, $7::text, $8::bigint, $9::timestamptz, $10::text, $11::text, $12::text, "
    "$13::text, $14::jsonb)")


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
    original = _load_transaction(conn, store_id, transaction_id)
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
        entries, legs = _put_back_debit(conn, store_id, wallet, left, amount, now)
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


def _put_back_debit(conn: Connection, store_id: str, wallet: Any, left: dict[str, int],
                    amount: int, now: datetime) -> tuple[list[LotEntry], list[Leg]]:
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
    legs = [Leg(wallet.account_id, amount), *store_legs("spent", wallet, entries, -1)]
    return entries, legs


def _reversible_per_lot(conn: Connection, store_id: str, original: Any) -> dict[str, int]:
    """Per lot, latest expiry first (the order a reversal puts money back in): what the
    original moved less what earlier reversals already undid."""
    rows = conn.execute(
        select(lot_entries.c.lot_id, lot_entries.c.amount)
        .join(lots, (lots.c.store_id == lot_entries.c.store_id)
              & (lots.c.lot_id == lot_entries.c.lot_id))
        .where(lot_entries.c.store_id == store_id,
               lot_entries.c.transaction_id == original.transaction_id,
               lot_entries.c.amount != 0)
        .order_by(lots.c.expires_at.desc().nulls_first(), lots.c.lot_id.desc())
    ).all()
    left = {lot_id: abs(moved) for lot_id, moved in rows}
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


def _load_transaction(conn: Connection, store_id: str, transaction_id: str) -> Any:
    check_id(transaction_id, "transaction_id")
    row = conn.execute(select(transactions).where(
        transactions.c.store_id == store_id,
        transactions.c.transaction_id == transaction_id)).one_or_none()
    if row is None:
        raise refusal(Code.TRANSACTION_NOT_FOUND, param="transaction_id",
                      transaction_id=transaction_id)
    return row


def transfer(conn: Connection, *, store_id: str, from_customer_id: str, to_customer_id: str,
             program: str, amount: int, now: datetime, description: str | None = None,
             reference: str | None = None, metadata: dict[str, Any] | None = None,
             ) -> Transaction:
    """Move credit between two customers' wallets in one program.

    The receiver gets lots like the ones drawn (funding type, withdrawability,
    expiry), so credit keeps its nature. Both wallets are locked by id order.
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
            description=description, transaction_id=transaction_id, now=now)
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
    receiver_id = ensure_wallet_exists(conn, store_id, to_customer_id, prog, now, create=True)
    if sender_id is None:
        if not customer_exists(conn, store_id, from_customer_id):
            raise refusal(Code.CUSTOMER_NOT_FOUND, param="from_customer_id",
                          customer_id=from_customer_id)
        raise refusal(Code.INSUFFICIENT_FUNDS,
                      f"The wallet has 0 {prog.unit} available, needed more.", param="amount")
    locked = {wallet_id: lock_wallet_by_id(conn, store_id, wallet_id)
              for wallet_id in sorted({sender_id, receiver_id})}
    return locked[sender_id], locked[receiver_id]
