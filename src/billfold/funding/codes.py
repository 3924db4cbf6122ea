"""Wallet codes: batches of unguessable codes that credit a wallet once per customer.

A code is 80 random bits from `secrets` written in Crockford's base32 (no I, L, O or
U), 16 characters in four dashed groups (`7KQ4-M2XD-9RTB-H0WC`). It is read back
without regard to case, spaces or dashes (and Crockford's look-alikes: O reads as 0,
I and L as 1). Only its SHA-256 is stored — the same digest as API keys
(`ledger.stores.key_digest`): 80 random bits make a slow or keyed hash add nothing
against a stolen table. The plain codes exist only in the answer to `create_batch`.

Every refused code — unknown, used up, disabled, expired — is the one
`invalid_wallet_code` error, so the answer tells a guesser nothing. The last use
of a multi-use code is taken by one redeemer: the code's row is locked and its
counter moves only while below `max_redemptions`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, update

from billfold.durations import check_future_expiry
from billfold.errors import Code, refusal, require
from billfold.ids import new_id
from billfold.ledger import credit, outbox
from billfold.ledger.accounts import get_program
from billfold.ledger.checks import check_funding_type, check_id, withdrawable_for
from billfold.ledger.models import Transaction
from billfold.ledger.stores import key_digest
from billfold.money import check_amount
from billfold.store.sql import insert_rows
from billfold.store.tables import wallet_code_batches, wallet_code_redemptions, wallet_codes

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_RANDOM_BITS = 80
CODE_LENGTH = CODE_RANDOM_BITS // 5  # 16 characters
GROUP_LENGTH = 4
MAX_CODES_PER_BATCH = 10_000
MAX_REDEMPTIONS_PER_CODE = 1_000_000
MAX_CODE_INPUT_LENGTH = 64
BATCH_ACTIVE, BATCH_DISABLED = "active", "disabled"
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True, slots=True)
class CodeBatch:
    id: str
    store_id: str
    amount: int
    program: str
    funding_type: str
    is_withdrawable: bool
    count: int
    max_redemptions: int
    redeemed: int
    status: str
    expires_at: datetime | None
    credit_expires_seconds: int | None
    created_at: datetime
    disabled_at: datetime | None


def new_code() -> str:
    """A fresh plain code, grouped for reading."""
    value = secrets.randbits(CODE_RANDOM_BITS)
    chars = [ALPHABET[(value >> (5 * i)) & 31] for i in range(CODE_LENGTH)]
    return "-".join("".join(chars[i:i + GROUP_LENGTH])
                    for i in range(0, CODE_LENGTH, GROUP_LENGTH))


def normalise_code(code: str) -> str | None:
    """The code as stored before hashing (upper case, no spaces or dashes, look-alikes
    mapped), or None when it cannot be a code at all."""
    if not isinstance(code, str) or len(code) > MAX_CODE_INPUT_LENGTH:
        return None
    plain = "".join(code.split()).replace("-", "").upper().translate(_LOOK_ALIKES)
    if len(plain) != CODE_LENGTH or any(char not in ALPHABET for char in plain):
        return None
    return plain


def code_digest(code: str) -> str:
    """What is stored of a normalised code: its SHA-256 (the API keys' digest)."""
    return key_digest(code)


def create_batch(conn: Connection, *, store_id: str, amount: int, program: str, count: int,
                 now: datetime, funding_type: str = "code_redemption",
                 max_redemptions: int = 1, expires_at: datetime | None = None,
                 credit_expires_seconds: int | None = None,
                 is_withdrawable: bool | None = None) -> tuple[CodeBatch, list[str]]:
    """A batch of `count` codes, each redeemable by `max_redemptions` customers; the
    batch and its plain codes (shown once: only their digests are kept)."""
    check_amount(amount)
    require(isinstance(count, int) and not isinstance(count, bool)
            and 1 <= count <= MAX_CODES_PER_BATCH,
            f"count is 1 to {MAX_CODES_PER_BATCH}.", param="count")
    require(isinstance(max_redemptions, int) and not isinstance(max_redemptions, bool)
            and 1 <= max_redemptions <= MAX_REDEMPTIONS_PER_CODE,
            f"max_redemptions is 1 to {MAX_REDEMPTIONS_PER_CODE}.", param="max_redemptions")
    check_funding_type(funding_type)
    withdrawable = withdrawable_for(funding_type, is_withdrawable)
    check_future_expiry(expires_at, now)
    get_program(conn, store_id, program)
    batch_id = new_id("code")
    plain = _distinct_codes(count)
    conn.execute(wallet_code_batches.insert().values(
        store_id=store_id, batch_id=batch_id, amount=amount, program=program,
        funding_type=funding_type, is_withdrawable=withdrawable, code_count=count,
        max_redemptions=max_redemptions, status=BATCH_ACTIVE, expires_at=expires_at,
        credit_expires_seconds=credit_expires_seconds, created_at=now, disabled_at=None))
    insert_rows(conn, wallet_codes, [
        {"store_id": store_id, "code_hash": code_digest(normalise_code(code) or ""),
         "batch_id": batch_id, "redemptions": 0} for code in plain])
    batch = CodeBatch(batch_id, store_id, amount, program, funding_type, withdrawable, count,
                      max_redemptions, 0, BATCH_ACTIVE, expires_at, credit_expires_seconds,
                      now, None)
    return batch, plain


def _distinct_codes(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:  # a repeat among 2^80 is all but impossible; still, none
        codes.add(new_code())
    return sorted(codes)


def get_batch(conn: Connection, store_id: str, batch_id: str) -> CodeBatch:
    check_id(batch_id, "id")
    row = conn.execute(select(wallet_code_batches).where(
        wallet_code_batches.c.store_id == store_id,
        wallet_code_batches.c.batch_id == batch_id)).one_or_none()
    if row is None:
        raise refusal(Code.WALLET_CODE_NOT_FOUND,
                      f"No wallet code batch {batch_id!r} in this store.", param="id")
    redeemed = conn.execute(select(func.count()).select_from(wallet_code_redemptions).where(
        wallet_code_redemptions.c.store_id == store_id,
        wallet_code_redemptions.c.batch_id == batch_id)).scalar_one()
    return _batch(row, int(redeemed))


def list_batches(conn: Connection, store_id: str, *, before: str | None = None,
                 limit: int = 50) -> list[CodeBatch]:
    """The store's batches, newest first, keyset by id, with how often each was
    redeemed."""
    redeemed = (select(func.count()).select_from(wallet_code_redemptions)
                .where(wallet_code_redemptions.c.store_id == wallet_code_batches.c.store_id,
                       wallet_code_redemptions.c.batch_id == wallet_code_batches.c.batch_id)
                .scalar_subquery())
    query = select(wallet_code_batches, redeemed.label("redeemed")).where(
        wallet_code_batches.c.store_id == store_id)
    if before is not None:
        query = query.where(wallet_code_batches.c.batch_id < before)
    rows = conn.execute(query.order_by(wallet_code_batches.c.batch_id.desc())
                        .limit(limit)).all()
    return [_batch(row, int(row.redeemed)) for row in rows]


def _batch(row: Any, redeemed: int) -> CodeBatch:
    return CodeBatch(row.batch_id, row.store_id, row.amount, row.program, row.funding_type,
                     bool(row.is_withdrawable), row.code_count, row.max_redemptions,
                     redeemed, row.status, row.expires_at, row.credit_expires_seconds,
                     row.created_at, row.disabled_at)


def disable_batch(conn: Connection, *, store_id: str, batch_id: str,
                  now: datetime) -> CodeBatch:
    """Its codes redeem no more. Disabling a disabled batch changes nothing."""
    get_batch(conn, store_id, batch_id)
    conn.execute(update(wallet_code_batches).where(
        wallet_code_batches.c.store_id == store_id,
        wallet_code_batches.c.batch_id == batch_id,
        wallet_code_batches.c.status == BATCH_ACTIVE,
    ).values(status=BATCH_DISABLED, disabled_at=now))
    return get_batch(conn, store_id, batch_id)


def redeem_code(conn: Connection, *, store_id: str, code: str, customer_id: str,
                now: datetime) -> Transaction:
    """Credit the code's amount to the customer's wallet in the batch's program.

    InvalidRequest `invalid_wallet_code` for an unknown, used up, disabled or expired
    code (one message for all); Conflict `code_already_redeemed` when this customer
    redeemed this code before.
    """
    check_id(customer_id, "customer_id")
    plain = normalise_code(code)
    if plain is None:
        raise refusal(Code.INVALID_WALLET_CODE, param="code")
    digest = code_digest(plain)
    row = conn.execute(select(wallet_codes).where(
        wallet_codes.c.store_id == store_id, wallet_codes.c.code_hash == digest,
    ).with_for_update()).one_or_none()
    if row is None:
        raise refusal(Code.INVALID_WALLET_CODE, param="code")
    batch = conn.execute(select(wallet_code_batches).where(
        wallet_code_batches.c.store_id == store_id,
        wallet_code_batches.c.batch_id == row.batch_id)).one()
    if batch.status != BATCH_ACTIVE or (batch.expires_at is not None
                                        and batch.expires_at <= now):
        raise refusal(Code.INVALID_WALLET_CODE, param="code")
    already = conn.execute(select(wallet_code_redemptions.c.transaction_id).where(
        wallet_code_redemptions.c.store_id == store_id,
        wallet_code_redemptions.c.code_hash == digest,
        wallet_code_redemptions.c.customer_id == customer_id)).first()
    if already is not None:
        raise refusal(Code.CODE_ALREADY_REDEEMED,
                      "This customer has already redeemed this code.", param="code")
    taken = conn.execute(update(wallet_codes).where(
        wallet_codes.c.store_id == store_id, wallet_codes.c.code_hash == digest,
        wallet_codes.c.redemptions < batch.max_redemptions,
    ).values(redemptions=wallet_codes.c.redemptions + 1)).rowcount
    if taken != 1:
        raise refusal(Code.INVALID_WALLET_CODE, param="code")
    expires_at = (None if batch.credit_expires_seconds is None
                  else now + timedelta(seconds=batch.credit_expires_seconds))
    txn = credit.credit(
        conn, store_id=store_id, customer_id=customer_id, program=batch.program,
        amount=batch.amount, funding_type=batch.funding_type, now=now, expires_at=expires_at,
        is_withdrawable=bool(batch.is_withdrawable), description="Wallet code",
        reference=batch.batch_id, source_type="code", source_id=batch.batch_id)
    conn.execute(wallet_code_redemptions.insert().values(
        store_id=store_id, code_hash=digest, customer_id=customer_id,
        batch_id=batch.batch_id, transaction_id=txn.id, created_at=now))
    outbox.emit(conn, store_id, "code.redeemed", {
        "batch_id": batch.batch_id, "customer_id": customer_id, "program": batch.program,
        "amount": batch.amount, "transaction_id": txn.id, "wallet_id": txn.wallet_id}, now)
    return txn
