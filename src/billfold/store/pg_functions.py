"""The PostgreSQL functions: one live `.sql` file each, under `store/functions/`.

A file holds exactly one `CREATE OR REPLACE FUNCTION`, named as the file. The
files are the source: the migration that introduces a function installs it
from its file (`install`), and every `billfold migrate` ends by installing again
each function whose body differs from its file and dropping each one whose
file is gone (`sync`), so a change to a function is an edit of its file and
nothing else. A change of a function's
arguments or result type still needs a migration that drops the old one. A
migrated database's functions equal the files (tests/store/test_pg_functions.py).
Downgrades drop what the migration introduced; a function's earlier bodies are
not kept (they live in git), so a database is meant to run at head.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, text

FUNCTIONS_DIR = Path(__file__).parent / "functions"
_HEADER = re.compile(r"^CREATE OR REPLACE FUNCTION (\w+)\(", re.MULTILINE)
_BODY = re.compile(r"\bAS (\$\w*\$)(.*)\1", re.DOTALL)


@cache
def source(name: str) -> str:
    """The file of function `name`: its comment lines and one CREATE OR REPLACE."""
    sql = (FUNCTIONS_DIR / f"{name}.sql").read_text()
    assert _HEADER.findall(sql) == [name], f"{name}.sql must define {name} and nothing else"
    return sql


def body(name: str) -> str:
    """The function's body as PostgreSQL keeps it (`pg_proc.prosrc`)."""
    found = _BODY.search(source(name))
    assert found is not None, f"{name}.sql has no dollar-quoted body"
    return found.group(2)


def names() -> list[str]:
    """Every function that has a file."""
    return sorted(path.stem for path in FUNCTIONS_DIR.glob("*.sql"))


def install(conn: Connection, function_names: Iterable[str]) -> None:
    """Create or replace each function from its file, in the order given (a SQL-language
    function must come after what it calls). Nothing on SQLite, which has none."""
    if conn.dialect.name != "postgresql":
        return
    with conn.connection.dbapi_connection.cursor() as cursor:  # type: ignore[union-attr]
        # SQL-language functions are checked at creation: let them name functions that
        # come later in the same install.
        cursor.execute("SET LOCAL check_function_bodies = off")
        for name in function_names:  # no parameters: psycopg leaves '%' alone
            cursor.execute(source(name))


def sync(conn: Connection) -> list[str]:
    """Make the database's billfold functions equal the files: install each one whose
    file differs from (or is missing in) the database, drop each one whose file is gone.
    The names installed or dropped."""
    if conn.dialect.name != "postgresql":
        return []
    present = installed(conn)
    changed = [name for name in names() if present.get(name) != body(name)]
    gone = sorted(set(present) - set(names()))
    install(conn, changed)
    drop(conn, gone)
    return changed + gone


def drop(conn: Connection, function_names: Iterable[str]) -> None:
    """Drop each function, whatever its arguments (found in pg_proc, not written here)."""
    if conn.dialect.name != "postgresql":
        return
    wanted = list(function_names)
    signatures = conn.execute(text(
        "SELECT p.oid::regprocedure::text FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.proname = ANY(:names)"),
        {"names": wanted}).scalars().all()
    for signature in signatures:
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature}")


def installed(conn: Connection) -> dict[str, str]:
    """The billfold functions in the database: name → body."""
    rows = conn.execute(text(
        "SELECT p.proname, p.prosrc FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.proname LIKE 'billfold\\_%'")).all()
    return {name: prosrc for name, prosrc in rows}
