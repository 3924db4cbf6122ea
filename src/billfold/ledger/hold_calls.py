"""Holds on PostgreSQL: place, capture and release as one function call each.

`billfold_hold`, `billfold_capture` and `billfold_release` (migration 0008) write
the rows `holds.place_hold`, `capture_hold` and `release_hold` write, in one round
trip instead of ~15 statements each. The builders here check the arguments as
the Python path does, in the same order, mint the ids in the order the Python
path mints them, and turn the function's reply into the Hold or the same typed
refusal. `app.Shop` runs them keyed in their own transaction
(`Billfold.mutate`); inside a caller's transaction (checkout, the hold sweep)
`holds.*` runs them unkeyed. SQLite keeps the Python path; tests compare the two
on PostgreSQL row for row (tests/ledger/test_hold_functions.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billfold import codec
from billfold.errors import Code, InvalidAmount, refusal
from billfold.ids import new_id
from billfold.ledger.checks import MAX_REFERENCE_LENGTH, check_id, check_metadata, check_text
from billfold.ledger.holds import hold_expiry
from billfold.ledger.models import HOLD_EXPIRED, HOLD_HELD, HOLD_RELEASED, Hold
from billfold.ledger.movements import DatabaseCall, call_in_transaction, refuse_from_reply
from billfold.money import check_amount


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


def place_hold_in_transaction(conn: Connection, **arguments: Any) -> Hold:
    """`holds.place_hold` inside the caller's transaction, one round trip."""
    call = hold_call(**arguments)
    return call.finish(call_in_transaction(conn, call))  # type: ignore[no-any-return]


def capture_hold_in_transaction(conn: Connection, **arguments: Any) -> Hold:
    call = capture_call(**arguments)
    return call.finish(call_in_transaction(conn, call))  # type: ignore[no-any-return]


def release_hold_in_transaction(conn: Connection, **arguments: Any) -> Hold:
    call = release_call(**arguments)
    return call.finish(call_in_transaction(conn, call))  # type: ignore[no-any-return]


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
