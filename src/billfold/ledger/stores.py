"""Stores (tenants), their programs and their secret API keys.

A key is `bf_sk_<store id part>_<random>`: the store id inside it lets a
request find its store's row by `(store_id, key_hash)` without a global index.
Keys are shown once and stored as a SHA-256 hash (they are 256-bit random, so
a slow hash adds nothing).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from billfold.errors import Code, refusal, require
from billfold.ids import new_id
from billfold.ledger.accounts import SPENDING_STRATEGIES
from billfold.ledger.checks import check_name
from billfold.money import check_unit, is_currency
from billfold.store.sql import insert_if_absent
from billfold.store.tables import api_keys, programs, stores

KEY_PREFIX = "bf_sk_"
KEY_SECRET_BYTES = 32
MAX_PROGRAM_NAME_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Store:
    id: str
    name: str
    currency: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewApiKey:
    id: str
    store_id: str
    secret: str  # shown once


def create_store(conn: Connection, *, name: str, currency: str, now: datetime) -> Store:
    """A new store with its `main` program (store credit in `currency`)."""
    check_name(name)
    check_unit(currency, param="currency")
    require(is_currency(currency), "currency must be an ISO 4217 code such as 'SAR'.",
            param="currency")
    store_id = new_id("sto")
    conn.execute(insert(stores).values(store_id=store_id, name=name.strip(),
                                       currency=currency, settings={}, created_at=now))
    create_program(conn, store_id=store_id, name="main", unit=currency, now=now)
    return Store(store_id, name.strip(), currency, now)


def get_store(conn: Connection, store_id: str) -> Store:
    return _store(conn, store_id, for_update=False)


def lock_store(conn: Connection, store_id: str) -> Store:
    """The store row, locked until commit (FOR UPDATE; SQLite holds the write lock already):
    for a use case that reads the store's settings and writes them back merged."""
    return _store(conn, store_id, for_update=True)


def _store(conn: Connection, store_id: str, *, for_update: bool) -> Store:
    query = select(stores).where(stores.c.store_id == store_id)
    row = conn.execute(query.with_for_update() if for_update else query).one_or_none()
    if row is None:
        raise refusal(Code.STORE_NOT_FOUND, f"No store {store_id!r}.", param="store_id")
    return Store(row.store_id, row.name, row.currency, row.created_at)


def list_stores(conn: Connection) -> list[Store]:
    rows = conn.execute(select(stores).order_by(stores.c.store_id)).all()
    return [Store(r.store_id, r.name, r.currency, r.created_at) for r in rows]


def create_program(conn: Connection, *, store_id: str, name: str, unit: str, now: datetime,
                   spending_strategy: str = "expiry_first",
                   default_expires_seconds: int | None = None,
                   settings: dict[str, Any] | None = None) -> None:
    check_program_name(name, "name")
    check_unit(unit)
    _check_strategy(spending_strategy)
    if default_expires_seconds is not None:
        _check_default_expiry(default_expires_seconds)
    inserted = insert_if_absent(conn, programs, {
        "store_id": store_id, "name": name, "unit": unit,
        "spending_strategy": spending_strategy,
        "default_expires_seconds": default_expires_seconds, "settings": settings or {},
        "created_at": now,
    })
    if not inserted:
        raise refusal(Code.PROGRAM_EXISTS, f"The store already has a program named {name!r}.",
                      param="name")


def update_program(conn: Connection, *, store_id: str, name: str,
                   spending_strategy: str | None = None,
                   default_expires_seconds: int | None = None) -> None:
    values: dict[str, Any] = {}
    if spending_strategy is not None:
        values["spending_strategy"] = _check_strategy(spending_strategy)
    if default_expires_seconds is not None:
        values["default_expires_seconds"] = _check_default_expiry(default_expires_seconds)
    if values:
        result = conn.execute(update(programs).where(programs.c.store_id == store_id,
                                                     programs.c.name == name).values(**values))
        if result.rowcount != 1:
            raise refusal(Code.PROGRAM_NOT_FOUND, param="program", name=name)


def create_api_key(conn: Connection, *, store_id: str, now: datetime) -> NewApiKey:
    get_store(conn, store_id)
    random_part = secrets.token_urlsafe(KEY_SECRET_BYTES)
    secret = f"{KEY_PREFIX}{store_id.removeprefix('sto_')}_{random_part}"
    key_id = new_id("key")
    conn.execute(insert(api_keys).values(
        store_id=store_id, key_id=key_id, key_hash=key_digest(secret), key_hint=secret[-4:],
        created_at=now, revoked_at=None))
    return NewApiKey(key_id, store_id, secret)


def check_program_name(name: object, param: str) -> str:
    """A program's name: a short identifier, as it appears in settings and URLs."""
    require(isinstance(name, str) and name.isidentifier()
            and len(name) <= MAX_PROGRAM_NAME_LENGTH,
            "A program name is a short identifier such as 'main' or 'rewards'.", param=param)
    return name  # type: ignore[return-value]


def _check_strategy(spending_strategy: str) -> str:
    require(spending_strategy in SPENDING_STRATEGIES,
            f"spending_strategy must be one of {', '.join(SPENDING_STRATEGIES)}.",
            param="spending_strategy")
    return spending_strategy


def _check_default_expiry(seconds: int) -> int:
    require(isinstance(seconds, int) and seconds > 0,
            "default expiry must be a positive number of seconds.", param="expires_in")
    return seconds


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key as the dashboard lists it: never its secret, only the hint it shows."""

    id: str
    hint: str
    created_at: datetime
    revoked_at: datetime | None


def list_api_keys(conn: Connection, store_id: str) -> list[ApiKey]:
    rows = conn.execute(select(api_keys).where(api_keys.c.store_id == store_id)
                        .order_by(api_keys.c.created_at, api_keys.c.key_id)).all()
    return [ApiKey(r.key_id, r.key_hint, r.created_at, r.revoked_at) for r in rows]


def revoke_api_key(conn: Connection, *, store_id: str, key_id: str, now: datetime) -> None:
    result = conn.execute(update(api_keys).where(
        api_keys.c.store_id == store_id, api_keys.c.key_id == key_id,
        api_keys.c.revoked_at.is_(None)).values(revoked_at=now))
    if result.rowcount != 1:
        raise refusal(Code.KEY_NOT_FOUND, f"No active key {key_id!r} in this store.")


def authenticate(conn: Connection, secret: str) -> str:
    """The store id a secret key belongs to, or AuthenticationFailed."""
    failure = refusal(Code.INVALID_API_KEY, "Invalid API key.")
    if not isinstance(secret, str) or not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        raise failure
    store_part, _, _random = secret.removeprefix(KEY_PREFIX).partition("_")
    store_id = f"sto_{store_part}"
    row = conn.execute(select(api_keys.c.key_hash).where(
        api_keys.c.store_id == store_id, api_keys.c.key_hash == key_digest(secret),
        api_keys.c.revoked_at.is_(None))).one_or_none()
    if row is None or not hmac.compare_digest(row.key_hash, key_digest(secret)):
        raise failure
    return store_id


def key_digest(secret: str) -> str:
    """What is stored of a secret key: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()
