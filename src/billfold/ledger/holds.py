"""Holds: reserve now, capture all or part later, or let go.

A hold draws its lots when placed (the lots' `held` grows), so a capture never
re-chooses lots. Capturing spends from those lots in the order they were
drawn and lets go of the rest; a release lets go of everything. A lot that
passed its expiry while held expires at the moment it is let go.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from billfold import codec
from billfold.errors import Code, Conflict, InvalidAmount, InvalidRequest, refusal
from billfold.ids import new_id
from billfold.ledger import outbox
from billfold.ledger.accounts import (
    Leg,
    get_program,
    lock_wallet_by_id,
    refuse_from_reply,
    store_account_id,
    wallet_to_spend_from,
)
from billfold.ledger.checks import MAX_REFERENCE_LENGTH, check_id, check_metadata, check_text
from billfold.ledger.expiry import expire_wallet_lots
from billfold.ledger.journal import record, single_funding_type, store_legs
from billfold.ledger.lots import draw
from billfold.ledger.models import (
    HOLD_CAPTURED,
    HOLD_EXPIRED,
    HOLD_HELD,
    HOLD_RELEASED,
    Hold,
    LotEntry,
)
from billfold.money import check_amount
from billfold.store.calls import DatabaseCall, run_call
from billfold.store.engine import fast_path
from billfold.store.tables import holds, transactions
from billfold.store.writer import writer

DEFAULT_HOLD_SECONDS = 30 * 60
MAX_HOLD_SECONDS = 31 * 24 * 3600
HOLD_SWEEP_BATCH = 500


def hold_expiry(now: datetime, expires_at: datetime | None) -> datetime:
    """When a new hold ends (default 30 minutes), refused unless within 31 days; the
    Python story and the PostgreSQL call builder (hold_call) both check it here."""
    expires_at = expires_at or now + timedelta(seconds=DEFAULT_HOLD_SECONDS)
    if expires_at <= now or expires_at > now + timedelta(seconds=MAX_HOLD_SECONDS):
        raise InvalidRequest("A hold must expire in the future and within 31 days.",
                             param="expires_in")
    return expires_at


def place_hold(conn: Connection, *, store_id: str, customer_id: str, program: str, amount: int,
               now: datetime, expires_at: datetime | None = None, reference: str | None = None,
               metadata: dict[str, Any] | None = None) -> Hold:
    """Reserve `amount` of available credit until `expires_at` (default 30 minutes)."""
    if fast_path(conn) == "postgresql":
        return run_call(conn, hold_call(  # type: ignore[no-any-return]
            store_id=store_id, customer_id=customer_id, program=program, amount=amount,
            now=now, expires_at=expires_at, reference=reference, metadata=metadata))
    check_id(customer_id, "customer_id")
    check_amount(amount)
    check_text(reference, "reference", MAX_REFERENCE_LENGTH)
    metadata = check_metadata(metadata)
    expires_at = hold_expiry(now, expires_at)
    prog = get_program(conn, store_id, program)
    wallet = wallet_to_spend_from(conn, store_id, customer_id, prog, amount)
    hold = reserve(conn, store_id=store_id, wallet=wallet, program=prog, amount=amount,
                   now=now, expires_at=expires_at, reference=reference, metadata=metadata,
                   hold_id=new_id("hold"))
    outbox.emit(conn, store_id, "hold.created", _hold_payload(hold), now)
    return hold


def reserve(conn: Connection, *, store_id: str, wallet: Any, program: Any, amount: int,
            now: datetime, expires_at: datetime, hold_id: str, reference: str | None = None,
            metadata: dict[str, Any] | None = None, withdrawable_only: bool = False) -> Hold:
    """The hold story on the Python path, without its event: draw lots of the locked
    `wallet` (only withdrawable ones if `withdrawable_only`), record the `hold`
    transaction and the holds row. InsufficientFunds before anything is written."""
    draws = draw(conn, store_id, wallet.account_id, amount, program.spending_strategy, now,
                 unit=wallet.unit, withdrawable_only=withdrawable_only)
    entries = [LotEntry(d.lot_id, d.funding_type, 0, d.take) for d in draws]
    txn = record(
        conn, store_id=store_id, wallet=wallet, type="hold", amount=amount,
        legs=[Leg(wallet.account_id, held_delta=amount),
              Leg(_holds_account(wallet), held_delta=-amount)],
        entries=entries, now=now, reference=reference, metadata=metadata, hold_id=hold_id)
    values = dict(
        store_id=store_id, hold_id=hold_id, wallet_id=wallet.account_id,
        customer_id=wallet.customer_id, program=wallet.program, unit=wallet.unit,
        amount=amount, captured_amount=0, status=HOLD_HELD, reference=reference,
        metadata=metadata or {}, expires_at=expires_at, transaction_id=txn.id,
        settled_transaction_id=None, created_at=now, settled_at=None)
    writer(conn).add_rows(holds, [values])
    return _hold_from(values)


def capture_hold(conn: Connection, *, store_id: str, hold_id: str, now: datetime,
                 amount: int | None = None, description: str | None = None) -> Hold:
    """Spend `amount` (default all) of an open hold and let go of the rest."""
    if fast_path(conn) == "postgresql":
        return run_call(conn, capture_call(  # type: ignore[no-any-return]
            store_id=store_id, hold_id=hold_id, now=now, amount=amount,
            description=description))
    check_text(description, "description")
    wallet, hold = lock_open_hold(conn, store_id, hold_id, now)
    amount = hold["amount"] if amount is None else check_amount(amount)
    if amount > hold["amount"]:
        raise refusal(Code.AMOUNT_EXCEEDS_HOLD, param="amount", amount=amount,
                      held=hold["amount"])
    captured, _txn = spend_held(conn, wallet=wallet, hold=hold, amount=amount, now=now,
                                description=description)
    outbox.emit(conn, store_id, "hold.captured", _hold_payload(captured), now)
    return captured


def spend_held(conn: Connection, *, wallet: Any, hold: dict[str, Any], amount: int,
               now: datetime, description: str | None = None, type: str = "capture",
               sink: str = "spent") -> tuple[Hold, Any]:
    """The capture story on the Python path, without its event: spend `amount` of the open
    `hold` (its wallet locked) from the lots it drew, in that order, into the store's
    `sink` accounts as a `type` transaction, and let go of the rest."""
    store_id = hold["store_id"]
    entries, still = [], amount
    held_lots = writer(conn).held_lots(store_id, hold["transaction_id"], now)
    for lot_id, funding_type, held, _expired in held_lots:
        take = min(held, still)
        still -= take
        entries.append(LotEntry(lot_id, funding_type, -take, -held))
    legs = [Leg(wallet.account_id, -amount, held_delta=-hold["amount"]),
            Leg(_holds_account(wallet), held_delta=hold["amount"]),
            *store_legs(sink, wallet, [e for e in entries if e.amount], -1)]
    txn = record(conn, store_id=store_id, wallet=wallet, type=type, amount=amount,
                 legs=legs, entries=entries, now=now,
                 funding_type=single_funding_type([e for e in entries if e.amount]),
                 description=description, reference=hold["reference"], hold_id=hold["hold_id"])
    captured = _settle(conn, hold, HOLD_CAPTURED, amount, txn.id, now)
    if any(expired for *_rest, expired in held_lots):
        expire_wallet_lots(conn, store_id, wallet, now)
    return captured, txn


def release_hold(conn: Connection, *, store_id: str, hold_id: str, now: datetime,
                 status: str = HOLD_RELEASED) -> Hold:
    """Let go of an open hold, even one past its time that the sweep has not reached;
    `status` is 'expired' when the timeout does it."""
    if fast_path(conn) == "postgresql":
        return run_call(conn, release_call(  # type: ignore[no-any-return]
            store_id=store_id, hold_id=hold_id, now=now, status=status))
    assert status in (HOLD_RELEASED, HOLD_EXPIRED)
    wallet, hold = lock_open_hold(conn, store_id, hold_id, now, allow_expired=True)
    released = let_go(conn, wallet=wallet, hold=hold, now=now, status=status)
    outbox.emit(conn, store_id, f"hold.{status}", _hold_payload(released), now)
    return released


def let_go(conn: Connection, *, wallet: Any, hold: dict[str, Any], now: datetime,
           status: str = HOLD_RELEASED, description: str | None = None) -> Hold:
    """The release story on the Python path, without its event: give the open `hold`'s
    lots back (its wallet locked); a lot past its expiry expires at once."""
    store_id = hold["store_id"]
    held_lots = writer(conn).held_lots(store_id, hold["transaction_id"], now)
    entries = [LotEntry(lot_id, funding_type, 0, -held)
               for lot_id, funding_type, held, _expired in held_lots]
    if description is None and status == HOLD_EXPIRED:
        description = "Hold expired"
    txn = record(conn, store_id=store_id, wallet=wallet, type="release", amount=hold["amount"],
                 legs=[Leg(wallet.account_id, held_delta=-hold["amount"]),
                       Leg(_holds_account(wallet), held_delta=hold["amount"])],
                 entries=entries, now=now, reference=hold["reference"], hold_id=hold["hold_id"],
                 description=description)
    released = _settle(conn, hold, status, 0, txn.id, now)
    if any(expired for *_rest, expired in held_lots):
        expire_wallet_lots(conn, store_id, wallet, now)
    return released


def expire_holds(conn: Connection, store_id: str, now: datetime,
                 limit: int = HOLD_SWEEP_BATCH) -> int:
    """Release up to `limit` holds of one store whose time is up; returns how many."""
    rows = conn.execute(
        select(holds.c.hold_id, holds.c.wallet_id)
        .where(holds.c.store_id == store_id, holds.c.status == HOLD_HELD,
               holds.c.expires_at <= now)
        .order_by(holds.c.wallet_id, holds.c.hold_id).limit(limit)
    ).all()
    count = 0
    for hold_id, _wallet_id in rows:  # ordered by wallet: the one lock order
        try:
            release_hold(conn, store_id=store_id, hold_id=hold_id, now=now, status=HOLD_EXPIRED)
            count += 1
        except Conflict:
            continue  # settled meanwhile by a capture or release
    return count


def get_hold(conn: Connection, store_id: str, hold_id: str) -> Hold:
    check_id(hold_id, "hold_id")
    row = writer(conn).hold(store_id, hold_id)
    if row is None:
        raise refusal(Code.HOLD_NOT_FOUND, param="hold_id", hold_id=hold_id)
    return _hold_from(row)


def answer_of(conn: Connection, store_id: str, transaction_id: str) -> Hold:
    """The hold as the movement that wrote `transaction_id` answered: a capture or a
    release settled it for good (the hold as it is); placing it answered it open."""
    txn = conn.execute(select(transactions.c.type, transactions.c.hold_id).where(
        transactions.c.store_id == store_id,
        transactions.c.transaction_id == transaction_id)).one()
    hold = get_hold(conn, store_id, txn.hold_id)
    if txn.type != "hold":
        return hold
    return replace(hold, status=HOLD_HELD, captured_amount=0, settled_at=None,
                   settled_transaction_id=None)


def _hold_from(m: Any) -> Hold:
    """A Hold from a row mapping or a dict of the holds table's columns."""
    return Hold(
        id=m["hold_id"], store_id=m["store_id"], wallet_id=m["wallet_id"],
        customer_id=m["customer_id"], program=m["program"], unit=m["unit"],
        status=m["status"], amount=m["amount"], captured_amount=m["captured_amount"],
        reference=m["reference"], metadata=m["metadata"], expires_at=m["expires_at"],
        created_at=m["created_at"], settled_at=m["settled_at"],
        transaction_id=m["transaction_id"], settled_transaction_id=m["settled_transaction_id"])


def lock_open_hold(conn: Connection, store_id: str, hold_id: str, now: datetime, *,
                   allow_expired: bool = False) -> tuple[Any, dict[str, Any]]:
    wallet_id = get_hold(conn, store_id, hold_id).wallet_id
    wallet = lock_wallet_by_id(conn, store_id, wallet_id)
    hold = writer(conn).hold(store_id, hold_id)  # again, now that the wallet is locked
    assert hold is not None
    if hold["status"] != HOLD_HELD:
        raise refusal(Code.HOLD_NOT_OPEN, status=hold["status"])
    if hold["expires_at"] <= now and not allow_expired:
        raise refusal(Code.HOLD_EXPIRED)
    return wallet, hold


def _settle(conn: Connection, hold: dict[str, Any], status: str, captured: int,
            transaction_id: str, now: datetime) -> Hold:
    writer(conn).settle_hold(hold["store_id"], hold["hold_id"], status, captured,
                             transaction_id, now)
    return _hold_from({**hold, "status": status, "captured_amount": captured,
                       "settled_at": now, "settled_transaction_id": transaction_id})


def _holds_account(wallet: Any) -> str:
    return store_account_id("holds", wallet.unit, None, wallet.account_id)


def _hold_payload(hold: Hold) -> dict[str, Any]:
    return {"hold_id": hold.id, "status": hold.status, "wallet_id": hold.wallet_id,
            "customer_id": hold.customer_id, "program": hold.program, "unit": hold.unit,
            "amount": hold.amount, "captured_amount": hold.captured_amount,
            "reference": hold.reference}


# PostgreSQL: each movement above as one call of its function (store/functions/),
# keyed through Billfold.mutate or unkeyed inside a caller's transaction (run_call).

def hold_call(*, store_id: str, customer_id: str, program: str, amount: int, now: datetime,
              expires_at: datetime | None = None, reference: str | None = None,
              metadata: dict[str, Any] | None = None) -> DatabaseCall:
    """`holds.place_hold` as one call of billfold_hold_keyed."""
    check_id(customer_id, "customer_id")
    check_amount(amount)
    check_text(reference, "reference", MAX_REFERENCE_LENGTH)
    metadata = check_metadata(metadata)
    expires_at = hold_expiry(now, expires_at)
    hold_id, transaction_id = new_id("hold"), new_id("txn")
    template = Hold(
        id=hold_id, store_id=store_id, wallet_id="", customer_id=customer_id, program=program,
        unit="", status=HOLD_HELD, amount=amount, captured_amount=0, reference=reference,
        metadata=metadata, expires_at=expires_at, created_at=now, settled_at=None,
        transaction_id=transaction_id, settled_transaction_id=None)
    args = (store_id, customer_id, program, amount, now, expires_at, hold_id, transaction_id,
            new_id("evt"), reference, metadata)

    def finish(result: dict[str, Any]) -> Hold:
        refuse_from_reply(result, customer_id, program, amount)
        return replace(template, wallet_id=result["wallet_id"], unit=result["unit"])

    return DatabaseCall(_HOLD_KEYED, args, template, finish)


def capture_call(*, store_id: str, hold_id: str, now: datetime, amount: int | None = None,
                 description: str | None = None) -> DatabaseCall:
    """`holds.capture_hold` as one call of billfold_capture_keyed. An amount that is not
    a valid amount is refused after the hold's own checks, as the Python path does."""
    check_text(description, "description")
    check_id(hold_id, "hold_id")
    is_valid = amount is None or _is_valid_amount(amount)
    # Ids in the order the Python path mints them: capture, expiry, expiry's event, event.
    transaction_id, expiry_transaction_id = new_id("txn"), new_id("txn")
    expiry_event_id, event_id = new_id("evt"), new_id("evt")
    args = (store_id, hold_id, amount if is_valid else None, is_valid, now, transaction_id,
            expiry_transaction_id, expiry_event_id, event_id, description)
    return DatabaseCall(_CAPTURE_KEYED, args, None,
                        lambda result: _settled(result, hold_id, amount))


def release_call(*, store_id: str, hold_id: str, now: datetime,
                 status: str = HOLD_RELEASED) -> DatabaseCall:
    """`holds.release_hold` as one call of billfold_release_keyed."""
    assert status in (HOLD_RELEASED, HOLD_EXPIRED)
    check_id(hold_id, "hold_id")
    transaction_id, expiry_transaction_id = new_id("txn"), new_id("txn")
    expiry_event_id, event_id = new_id("evt"), new_id("evt")
    args = (store_id, hold_id, now, status, transaction_id, expiry_transaction_id,
            expiry_event_id, event_id)
    return DatabaseCall(_RELEASE_KEYED, args, None,
                        lambda result: _settled(result, hold_id, None))


def _is_valid_amount(amount: object) -> bool:
    try:
        check_amount(amount)
    except InvalidAmount:
        return False
    return True


def _settled(result: dict[str, Any], hold_id: str, amount: object) -> Hold:
    """The captured or released Hold, or the refusal the Python path raises."""
    error = result.get("error")
    if error == Code.HOLD_NOT_FOUND.code:
        raise refusal(Code.HOLD_NOT_FOUND, param="hold_id", hold_id=hold_id)
    if error == Code.HOLD_NOT_OPEN.code:
        raise refusal(Code.HOLD_NOT_OPEN, status=result["status"])
    if error == Code.HOLD_EXPIRED.code:
        raise refusal(Code.HOLD_EXPIRED)
    if error == Code.INVALID_AMOUNT.code:
        check_amount(amount)
    if error == Code.AMOUNT_EXCEEDS_HOLD.code:
        raise refusal(Code.AMOUNT_EXCEEDS_HOLD, param="amount", amount=amount,
                      held=result["held"])
    assert error is None, result
    return codec.decode(Hold, result["hold"])  # type: ignore[no-any-return]


# $n placeholders: run by psycopg directly (billfold.store.calls), prepared once.
_HOLD_KEYED = (
    "SELECT billfold_hold_keyed($1::text, $2::text, $3::text, $4::jsonb, $5::text, $6::text, "
    "$7::text, $8::bigint, $9::timestamptz, $10::timestamptz, $11::text, $12::text, "
    "$13::text, $14::text, $15::jsonb)")
_CAPTURE_KEYED = (
    "SELECT billfold_capture_keyed($1::text, $2::text, $3::text, $4::jsonb, $5::text, "
    "$6::text, $7::bigint, $8::boolean, $9::timestamptz, $10::text, $11::text, $12::text, "
    "$13::text, $14::text)")
_RELEASE_KEYED = (
    "SELECT billfold_release_keyed($1::text, $2::text, $3::text, $4::jsonb, $5::text, "
    "$6::text, $7::timestamptz, $8::text, $9::text, $10::text, $11::text, $12::text)")
