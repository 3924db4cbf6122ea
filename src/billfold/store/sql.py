"""Small statement helpers whose SQL differs by dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_if_absent(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING (any unique key); True if a row was inserted."""
    keys = [c.name for c in table.primary_key.columns]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(table).values(**values)
                 .on_conflict_do_nothing()
                 .returning(table.c[keys[0]]))
    return conn.execute(statement).first() is not None
