"""The PostgreSQL functions live in one `.sql` file each: a migrated database holds
exactly those functions with exactly those bodies, and no migration keeps a copy."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine

from billfold.store import pg_functions
from billfold.store.migrate import MIGRATIONS_DIR


def test_a_migrated_database_has_the_functions_of_the_files(postgres_test_url: str) -> None:
    engine = create_engine(postgres_test_url)
    try:
        with engine.connect() as conn:
            installed = pg_functions.installed(conn)
    finally:
        engine.dispose()
    assert sorted(installed) == pg_functions.names()
    for name in pg_functions.names():
        assert installed[name] == pg_functions.body(name), f"{name} differs from its file"


def test_every_file_defines_one_function_named_as_the_file() -> None:
    assert pg_functions.names(), "no function files found"
    for name in pg_functions.names():
        assert pg_functions.source(name).count("CREATE OR REPLACE FUNCTION") == 1


def test_no_migration_keeps_a_copy_of_a_function() -> None:
    for path in Path(MIGRATIONS_DIR / "versions").glob("*.py"):
        assert "CREATE OR REPLACE FUNCTION" not in path.read_text().upper(), path.name


def test_migrate_puts_back_a_function_that_differs_from_its_file(
        postgres_test_url: str) -> None:
    from billfold.store.engine import make_engine
    from billfold.store.migrate import upgrade

    engine = make_engine(postgres_test_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION billfold_isoformat(p_at timestamptz) RETURNS text "
                "LANGUAGE sql STABLE AS $fn$ SELECT 'stale' $fn$")
            assert pg_functions.installed(conn)["billfold_isoformat"] != \
                pg_functions.body("billfold_isoformat")
        upgrade(engine)
        with engine.connect() as conn:
            assert pg_functions.installed(conn)["billfold_isoformat"] == \
                pg_functions.body("billfold_isoformat")
    finally:
        engine.dispose()


def test_migrate_drops_a_function_whose_file_is_gone(postgres_test_url: str) -> None:
    from billfold.store.engine import make_engine
    from billfold.store.migrate import upgrade

    engine = make_engine(postgres_test_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE FUNCTION billfold_orphan() RETURNS int "
                                 "LANGUAGE sql AS $fn$ SELECT 1 $fn$")
        upgrade(engine)
        with engine.connect() as conn:
            assert "billfold_orphan" not in pg_functions.installed(conn)
    finally:
        engine.dispose()
