"""Run the one Alembic migration tree against an engine (on start and `billfold migrate`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from billfold.store import citus, pg_functions

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate to `revision`; at head, the PostgreSQL functions then equal their files,
    and on Citus every table and function is distributed (`store.citus`)."""
    command.upgrade(alembic_config(engine), revision)
    if revision == "head" and engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            pg_functions.sync(conn)
        citus.distribute(engine)
