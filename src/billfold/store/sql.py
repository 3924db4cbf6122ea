"""Small statement helpers whose SQL differs by dialect."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, ColumnElement, Connection, Table, any_, bindparam, func, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal


def insert_if_absent(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING (any unique key); True if a row was inserted."""
    keys = [c.name for c in table.primary_key.columns]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(table).values(**values)
                 .on_conflict_do_nothing()
                 .returning(table.c[keys[0]]))
    return conn.execute(statement).first() is not None


INSERT_CHUNK_ROWS = 5000


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]], *,
                if_absent: bool = False) -> None:
    """Insert many rows cheaply; with `if_absent`, skip rows that hit a unique key.

    PostgreSQL: `INSERT … SELECT FROM unnest(array per column)`, one round trip per
    chunk and no per-row SQL to compile. SQLite (in-process): executemany.
    """
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        statement = sqlite.insert(table)
        conn.execute(statement.on_conflict_do_nothing() if if_absent else statement, rows)
        return
    statement, columns = _unnest_insert(table)
    if if_absent:
        statement = text(f"{statement.text} ON CONFLICT DO NOTHING")
    for start in range(0, len(rows), INSERT_CHUNK_ROWS):
        chunk = rows[start:start + INSERT_CHUNK_ROWS]
        conn.execute(statement, {
            name: [json.dumps(row[name]) if is_json and row[name] is not None else row[name]
                   for row in chunk]
            for name, is_json in columns})


@lru_cache(maxsize=64)
def _unnest_insert(table: Table) -> tuple[Any, tuple[tuple[str, bool], ...]]:
    """The unnest INSERT for `table` and its (column, is JSON) list, made once."""
    kinds = {"BigInteger": "bigint[]", "Integer": "integer[]", "Boolean": "boolean[]",
             "UtcDateTime": "timestamptz[]"}
    columns = tuple((c.name, isinstance(c.type, JSON) or "JSON" in repr(c.type))
                    for c in table.columns)
    names = ", ".join(name for name, _ in columns)
    arrays = ", ".join(
        f"CAST(:{c.name} AS {'text[]' if is_json else kinds.get(type(c.type).__name__, 'text[]')})"
        for c, (_, is_json) in zip(table.columns, columns, strict=True))
    selects = ", ".join(f"CAST({name} AS jsonb)" if is_json else name
                        for name, is_json in columns)
    statement = text(f"INSERT INTO {table.name} ({names}) SELECT {selects} "
                     f"FROM unnest({arrays}) AS r({names})")
    return statement, columns


def add_to_accounts(conn: Connection, store_id: str, amounts: dict[str, int]) -> None:
    """Post one signed amount to each account in `amounts` (balance, the credit or debit
    total, one more posting). PostgreSQL: one UPDATE … FROM unnest(…); SQLite
    (in-process): executemany."""
    if not amounts:
        return
    account_ids = sorted(amounts)
    if conn.dialect.name == "postgresql":
        conn.execute(text(
            "UPDATE accounts AS a SET balance = a.balance + v.amount, "
            "credits_posted = a.credits_posted + GREATEST(v.amount, 0), "
            "debits_posted = a.debits_posted + GREATEST(-v.amount, 0), "
            "last_seq = a.last_seq + 1 "
            "FROM unnest(CAST(:ids AS text[]), CAST(:amounts AS bigint[])) AS v(id, amount) "
            "WHERE a.store_id = :store_id AND a.account_id = v.id"),
            {"ids": account_ids, "amounts": [amounts[i] for i in account_ids],
             "store_id": store_id})
        return
    conn.execute(text(
        "UPDATE accounts SET balance = balance + :amount, "
        "credits_posted = credits_posted + MAX(:amount, 0), "
        "debits_posted = debits_posted + MAX(-:amount, 0), last_seq = last_seq + 1 "
        "WHERE store_id = :store_id AND account_id = :id"),
        [{"id": i, "amount": amounts[i], "store_id": store_id} for i in account_ids])


def utc_day(conn: Connection, column: Any) -> Any:
    """The UTC date of a stored time as 'YYYY-MM-DD' (SQLite keeps naive UTC text)."""
    if conn.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(column, 1, 10)


class InList(ColumnElement[bool]):
    """`column IN (:name…)` for a list bound at execution: on PostgreSQL
    `column = ANY(:name)`, one array parameter, so the statement's text is the same for
    every length (prepared once, nothing re-rendered per call); elsewhere an expanding
    IN."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison already: no "= 1" where booleans are ints
    _traverse_internals: ClassVar[list[tuple[str, InternalTraversal]]] = [
        ("column", InternalTraversal.dp_clauseelement), ("name", InternalTraversal.dp_string)]

    def __init__(self, column: ColumnElement[Any], name: str):
        self.column = column
        self.name = name


@compiles(InList)
def _in_list(element: InList, compiler: SQLCompiler, **kw: Any) -> str:
    expanding = bindparam(element.name, expanding=True)
    return compiler.process(element.column.in_(expanding), **kw)


@compiles(InList, "postgresql")
def _any_of_array(element: InList, compiler: SQLCompiler, **kw: Any) -> str:
    array = bindparam(element.name, type_=postgresql.ARRAY(element.column.type))
    return compiler.process(element.column == any_(array), **kw)
