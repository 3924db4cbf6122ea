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


def test_hold_functions_migration_downgrades_and_upgrades(postgres_test_url: str) -> None:
    with Billfold(_empty_postgres_database(postgres_test_url)) as bf:
        shop = bf.store(bf.create_store("Holds round trip", currency="SAR").id)
        shop.credit("ann", "main", 1000, funding_type="cash")
        held = shop.hold("ann", "main", 300, idempotency_key="h-1")
        command.downgrade(alembic_config(bf.engine), "0007")
        with bf.engine.connect() as conn:
            names = set(conn.execute(text(
                "SELECT proname FROM pg_proc WHERE proname LIKE 'billfold_%'")).scalars())
        assert {"billfold_debit_keyed", "billfold_credit_keyed"} <= names
        assert not names & {"billfold_hold", "billfold_capture", "billfold_release",
                            "billfold_hold_keyed", "billfold_capture_keyed",
                            "billfold_release_keyed", "billfold_post_leg",
                            "billfold_expire_wallet_lots", "billfold_isoformat"}
        upgrade(bf.engine)
        assert shop.hold("ann", "main", 300, idempotency_key="h-1") == held
        assert shop.capture(held.id, amount=200, idempotency_key="c-1").captured_amount == 200
        second = shop.hold("ann", "main", 500)
        assert shop.release(second.id).status == "released"
        assert shop.balance("ann", "main").available == 800
        assert_books_balance(bf)
