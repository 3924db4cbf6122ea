"""What loyalty reads of a store: its programs (unit, points rate, default expiry) and
the two settings it follows (`wallet_enabled`, and its own `tiers`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from billfold.errors import Code, refusal
from billfold.ledger import stores
from billfold.money import precision
from billfold.store.tables import programs
from billfold.store.tables import stores as stores_table


@dataclass(frozen=True, slots=True)
class PointsProgram:
    name: str
    unit: str
    points_per_unit: int | None  # points worth 1.00 of the store currency
    default_expires_seconds: int | None
    currency_precision: int  # decimals of the store currency


def points_program(conn: Connection, store_id: str, name: object) -> PointsProgram:
    """The program a rule awards in; an unknown one is a 400 on `program`."""
    row = None if not isinstance(name, str) else conn.execute(
        select(programs.c.name, programs.c.unit, programs.c.settings,
               programs.c.default_expires_seconds)
        .where(programs.c.store_id == store_id, programs.c.name == name)).one_or_none()
    if row is None:
        raise refusal(Code.PROGRAM_NOT_FOUND_400, param="program", name=name)
    currency = stores.get_store(conn, store_id).currency
    return PointsProgram(row.name, row.unit, (row.settings or {}).get("points_per_unit"),
                         row.default_expires_seconds, precision(currency))


def raw_settings(conn: Connection, store_id: str) -> dict[str, Any]:
    return dict(conn.execute(select(stores_table.c.settings).where(
        stores_table.c.store_id == store_id)).scalar_one() or {})


def wallet_enabled(conn: Connection, store_id: str) -> bool:
    """Wallet off: no new points are awarded or promised (DESIGN.md "Wallet off")."""
    return bool(raw_settings(conn, store_id).get("wallet_enabled", True))
