"""Store settings and wallet programs (`GET/PATCH /v1/settings`).

Settings live in the store's `settings` JSON; each program is a row of
`programs` whose `settings` JSON carries its per-order caps and points rate.
A program is one of three kinds, which fixes its place in the checkout's draw
order (API.md): *capped* (a reward wallet with `max_per_order_amount` and/or
`max_per_order_percent`), *points* (a points unit with `points_per_unit`), or
*uncapped* (`main`: store credit usable 100 % per order).

PATCH merges: a key left out keeps its value, `null` clears an optional value,
`programs` merges by name (a new name creates the program and needs a `unit`;
a program's unit never changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from billfold.commerce.rounding import format_percent
from billfold.durations import parse_duration_seconds
from billfold.errors import Code, refusal, require
from billfold.ledger import stores
from billfold.money import MAX_AMOUNT_MINOR, check_amount, is_points_unit, parse_percent
from billfold.store.tables import programs
from billfold.store.tables import stores as stores_table

MAX_PROGRAMS = 20
MAX_TOPUP_AMOUNTS = 20
MAX_POINTS_PER_UNIT = 10**9
CLAWBACK_SHORTFALL_MODES = ("record", "deduct_from_refund")
PROGRAM_KINDS = ("capped", "points", "uncapped")
_STORE_KEYS = frozenset({"wallet_enabled", "currency", "cashback_expires_in", "auto_apply",
                         "allow_topup", "topup_amounts", "low_balance_threshold",
                         "withdrawals_enabled", "allow_transfers", "clawback_shortfall",
                         "programs", "topup_min_amount", "topup_max_amount",
                         "topup_expires_in", "expiry_notice_before",
                         "portal_session_expires_in"})
_PROGRAM_KEYS = frozenset({"unit", "max_per_order_amount", "max_per_order_percent",
                           "points_per_unit", "expires_in"})
DEFAULTS: dict[str, Any] = {
    "wallet_enabled": True, "cashback_expires_in": None, "auto_apply": True,
    "allow_topup": False, "topup_amounts": [], "low_balance_threshold": None,
    "withdrawals_enabled": False, "allow_transfers": False, "clawback_shortfall": "record",
    "topup_min_amount": None, "topup_max_amount": None, "topup_expires_in": "1d",
    "expiry_notice_before": "3d", "portal_session_expires_in": "1h",
}


@dataclass(frozen=True, slots=True)
class ProgramSettings:
    name: str
    unit: str
    kind: str
    max_per_order_amount: int | None
    max_per_order_basis_points: int | None
    points_per_unit: int | None
    expires_in: int | str | None
    default_expires_seconds: int | None

    @property
    def max_per_order_percent(self) -> str | None:
        bp = self.max_per_order_basis_points
        return None if bp is None else format_percent(bp)


@dataclass(frozen=True, slots=True)
class StoreSettings:
    store_id: str
    currency: str
    wallet_enabled: bool
    cashback_expires_in: int | str | None
    auto_apply: bool
    allow_topup: bool
    topup_amounts: tuple[int, ...]
    low_balance_threshold: int | None
    withdrawals_enabled: bool
    clawback_shortfall: str
    programs: tuple[ProgramSettings, ...]
    allow_transfers: bool = False
    topup_min_amount: int | None = None
    topup_max_amount: int | None = None
    topup_expires_in: int | str = "1d"
    expiry_notice_before: int | str = "3d"
    portal_session_expires_in: int | str = "1h"

    @property
    def cashback_expires_seconds(self) -> int | None:
        value = self.cashback_expires_in
        return None if value is None else parse_duration_seconds(value)

    def program(self, name: str) -> ProgramSettings | None:
        return next((p for p in self.programs if p.name == name), None)


def get_settings(conn: Connection, store_id: str) -> StoreSettings:
    store = stores.get_store(conn, store_id)
    raw = conn.execute(select(stores_table.c.settings)
                       .where(stores_table.c.store_id == store_id)).scalar_one()
    values = {**DEFAULTS, **(raw or {})}
    rows = conn.execute(select(programs).where(programs.c.store_id == store_id)
                        .order_by(programs.c.name)).all()
    return StoreSettings(
        store_id=store_id, currency=store.currency,
        wallet_enabled=bool(values["wallet_enabled"]),
        cashback_expires_in=values["cashback_expires_in"],
        auto_apply=bool(values["auto_apply"]), allow_topup=bool(values["allow_topup"]),
        topup_amounts=tuple(values["topup_amounts"]),
        low_balance_threshold=values["low_balance_threshold"],
        withdrawals_enabled=bool(values["withdrawals_enabled"]),
        clawback_shortfall=values["clawback_shortfall"],
        programs=tuple(_program_settings(row) for row in rows),
        allow_transfers=bool(values["allow_transfers"]),
        topup_min_amount=values["topup_min_amount"], topup_max_amount=values["topup_max_amount"],
        topup_expires_in=values["topup_expires_in"],
        expiry_notice_before=values["expiry_notice_before"],
        portal_session_expires_in=values["portal_session_expires_in"])


def update_settings(conn: Connection, *, store_id: str, changes: dict[str, Any],
                    now: datetime) -> StoreSettings:
    """Merge `changes` into the store's settings (see module docstring); all or nothing."""
    require(isinstance(changes, dict), "settings must be an object.", param=None)
    unknown = sorted(set(changes) - _STORE_KEYS)
    require(not unknown, f"Unknown setting {unknown[0] if unknown else ''!r}.",
            param=unknown[0] if unknown else None)
    stores.lock_store(conn, store_id)  # read, merge and write back: one at a time
    current = get_settings(conn, store_id)
    raw = dict(conn.execute(select(stores_table.c.settings)
                            .where(stores_table.c.store_id == store_id)).scalar_one() or {})
    for key, value in changes.items():
        if key == "programs":
            continue
        raw[key] = _check_store_value(key, value, current)
    low, high = raw.get("topup_min_amount"), raw.get("topup_max_amount")
    require(low is None or high is None or low <= high,
            "topup_min_amount cannot be above topup_max_amount.", param="topup_min_amount")
    conn.execute(update(stores_table).where(stores_table.c.store_id == store_id)
                 .values(settings=raw))
    program_changes = changes.get("programs") or {}
    require(isinstance(program_changes, dict), "programs must be an object keyed by name.",
            param="programs")
    require(len(set(program_changes) | {p.name for p in current.programs}) <= MAX_PROGRAMS,
            f"A store has at most {MAX_PROGRAMS} programs.", param="programs")
    for name, patch in sorted(program_changes.items()):
        _apply_program_patch(conn, store_id, current, name, patch, now)
    return get_settings(conn, store_id)


def _check_store_value(key: str, value: Any, current: StoreSettings) -> Any:
    if key in ("wallet_enabled", "auto_apply", "allow_topup", "withdrawals_enabled",
               "allow_transfers"):
        require(isinstance(value, bool), f"{key} must be true or false.", param=key)
    elif key == "currency":
        require(value == current.currency,
                f"The store's currency is {current.currency}; it cannot change.",
                param=key, code=Code.CURRENCY_IMMUTABLE)
    elif key == "cashback_expires_in":
        if value is not None:
            parse_duration_seconds(value, param=key)
    elif key in ("topup_expires_in", "expiry_notice_before", "portal_session_expires_in"):
        require(value is not None, f"{key} is a duration; it cannot be cleared.", param=key)
        parse_duration_seconds(value, param=key)
    elif key in ("topup_min_amount", "topup_max_amount"):
        if value is not None:
            check_amount(value, param=key)
    elif key == "topup_amounts":
        require(isinstance(value, list) and len(value) <= MAX_TOPUP_AMOUNTS,
                f"topup_amounts is a list of at most {MAX_TOPUP_AMOUNTS} amounts.", param=key)
        for amount in value:
            check_amount(amount, param=key)
    elif key == "low_balance_threshold":
        require(value is None or (isinstance(value, int) and not isinstance(value, bool)
                                  and 0 <= value <= MAX_AMOUNT_MINOR),
                "low_balance_threshold is an amount in minor units, or null.", param=key)
    elif key == "clawback_shortfall":
        require(value in CLAWBACK_SHORTFALL_MODES,
                f"clawback_shortfall must be one of {', '.join(CLAWBACK_SHORTFALL_MODES)}.",
                param=key)
    return value


def _apply_program_patch(conn: Connection, store_id: str, current: StoreSettings, name: str,
                         patch: Any, now: datetime) -> None:
    param = f"programs.{name}"
    stores.check_program_name(name, param)
    require(isinstance(patch, dict), f"{param} must be an object.", param=param)
    unknown = sorted(set(patch) - _PROGRAM_KEYS)
    require(not unknown, f"Unknown program setting {unknown[0] if unknown else ''!r}.",
            param=param)
    existing = current.program(name)
    unit = patch.get("unit", existing.unit if existing else None)
    if existing is None:
        require(unit is not None, f"A new program needs a unit: {param}.unit.", param=param)
    else:
        require(unit == existing.unit, f"The unit of program {name!r} cannot change.",
                param=param, code=Code.PROGRAM_UNIT_IMMUTABLE)
    merged = {"max_per_order_amount": existing.max_per_order_amount if existing else None,
              "max_per_order_percent": existing.max_per_order_basis_points if existing else None,
              "points_per_unit": existing.points_per_unit if existing else None,
              "expires_in": existing.expires_in if existing else None}
    for key in ("max_per_order_amount", "points_per_unit", "expires_in"):
        if key in patch:
            merged[key] = patch[key]
    if "max_per_order_percent" in patch:
        value = patch["max_per_order_percent"]
        merged["max_per_order_percent"] = (None if value is None else
                                           parse_percent(value, param=param))
    if merged["max_per_order_amount"] is not None:
        check_amount(merged["max_per_order_amount"], param=param)
    seconds = (None if merged["expires_in"] is None
               else parse_duration_seconds(merged["expires_in"], param=param))
    ppu = merged["points_per_unit"]
    if is_points_unit(unit) if isinstance(unit, str) else False:
        require(isinstance(ppu, int) and not isinstance(ppu, bool)
                and 1 <= ppu <= MAX_POINTS_PER_UNIT,
                f"A points program needs points_per_unit from 1 to {MAX_POINTS_PER_UNIT}.",
                param=param)
    else:
        require(ppu is None, "points_per_unit is for a points unit such as 'points'.",
                param=param)
        require(unit == current.currency,
                f"A program's unit is the store currency ({current.currency}) or a points "
                "unit.", param=param)
    program_json = {"max_per_order_amount": merged["max_per_order_amount"],
                    "max_per_order_basis_points": merged["max_per_order_percent"],
                    "points_per_unit": ppu, "expires_in": merged["expires_in"]}
    if existing is None:
        stores.create_program(conn, store_id=store_id, name=name, unit=unit, now=now,
                              default_expires_seconds=seconds, settings=program_json)
    else:
        conn.execute(update(programs).where(programs.c.store_id == store_id,
                                            programs.c.name == name)
                     .values(settings=program_json, default_expires_seconds=seconds))


def _program_settings(row: Any) -> ProgramSettings:
    extra = row.settings or {}
    amount_cap = extra.get("max_per_order_amount")
    percent_cap = extra.get("max_per_order_basis_points")
    ppu = extra.get("points_per_unit")
    if ppu is not None and is_points_unit(row.unit):
        kind = "points"
    elif amount_cap is not None or percent_cap is not None:
        kind = "capped"
    else:
        kind = "uncapped"
    if is_points_unit(row.unit) and ppu is None:
        kind = "unredeemable"
    return ProgramSettings(
        name=row.name, unit=row.unit, kind=kind, max_per_order_amount=amount_cap,
        max_per_order_basis_points=percent_cap, points_per_unit=ppu,
        expires_in=extra.get("expires_in", row.default_expires_seconds),
        default_expires_seconds=row.default_expires_seconds)


def require_store_currency(settings: StoreSettings, currency: object) -> None:
    """Money in a checkout or an order is in the store's currency, and only that."""
    require(currency == settings.currency,
            f"currency must be the store currency, {settings.currency}.", param="currency")


def require_currency_program(settings: StoreSettings, name: str, *, param: str) -> None:
    """Refuse a program that does not exist or is not in the store currency."""
    program = settings.program(name)
    if program is None:
        raise refusal(Code.PROGRAM_NOT_FOUND_400, param=param, name=name)
    require(program.unit == settings.currency,
            f"Program {name!r} is in {program.unit}; cashback goes to a program in the store "
            f"currency ({settings.currency}).", param=param)
