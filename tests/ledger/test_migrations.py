"""The PostgreSQL fast-path migrations go down and up again, and the ledger still works."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from billfold.app import Billfold
from billfold.store.migrate import alembic_config, upgrade
from tests.conftest import _empty_postgres_database
from tests.helpers import assert_books_balance


def test_fast_path_migrations_downgrade_and_upgrade(postgres_test_url: str) -> None:
    with Billfold(_empty_postgres_database(postgres_test_url)) as bf:
        shop = bf.store(bf.create_store("Round trip", currency="SAR").id)
        shop.credit("ann", "main", 1000, funding_type="cash", idempotency_key="c-1")
        command.downgrade(alembic_config(bf.engine), "0004")
        with bf.engine.connect() as conn:
            names = set(conn.execute(text(
                "SELECT proname FROM pg_proc WHERE proname LIKE 'billfold_%'")).scalars())
            fillfactor = conn.execute(text(
                "SELECT reloptions FROM pg_class WHERE relname = 'accounts'")).scalar_one()
        assert {"billfold_debit", "billfold_credit"} <= names
        assert not names & {"billfold_debit_keyed", "billfold_credit_keyed", "billfold_grant",
                            "billfold_sweep_expired"}
        assert fillfactor is None
        upgrade(bf.engine)
        shop.debit("ann", "main", 400, idempotency_key="d-1")
        assert shop.debit("ann", "main", 400, idempotency_key="d-1").amount == 400
        assert shop.balance("ann", "main").available == 600
        assert_books_balance(bf)
