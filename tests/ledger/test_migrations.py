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
        shop.wallets.credit("ann", "main", 1000, funding_type="cash", idempotency_key="c-1")
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
        shop.wallets.debit("ann", "main", 400, idempotency_key="d-1")
        assert shop.wallets.debit("ann", "main", 400, idempotency_key="d-1").amount == 400
        assert shop.wallets.get("ann", "main").available == 600
        assert_books_balance(bf)


def test_hold_functions_migration_downgrades_and_upgrades(postgres_test_url: str) -> None:
    with Billfold(_empty_postgres_database(postgres_test_url)) as bf:
        shop = bf.store(bf.create_store("Holds round trip", currency="SAR").id)
        shop.wallets.credit("ann", "main", 1000, funding_type="cash")
        held = shop.holds.create("ann", "main", 300, idempotency_key="h-1")
        command.downgrade(alembic_config(bf.engine), "0007")
        with bf.engine.connect() as conn:
            names = set(conn.execute(text(
                "SELECT proname FROM pg_proc WHERE proname LIKE 'billfold_%'")).scalars())
        assert {"billfold_debit_keyed", "billfold_credit_keyed"} <= names
        assert not names & {"billfold_hold", "billfold_capture", "billfold_release",
                            "billfold_hold_keyed", "billfold_capture_keyed",
                            "billfold_release_keyed", "billfold_lock_open_hold",
                            "billfold_expire_wallet_lots", "billfold_isoformat"}
        upgrade(bf.engine)
        # Below 0011 a keyed movement's key lived in idempotency_keys: going down there
        # forgets the keys of movements made since (the migration's docstring says so).
        assert shop.holds.create("ann", "main", 300, idempotency_key="h-1") != held
        again = shop.holds.create("ann", "main", 100, idempotency_key="h-2")
        assert shop.holds.create("ann", "main", 100, idempotency_key="h-2") == again
        shop.holds.release(again.id)
        assert shop.holds.capture(held.id, amount=200, idempotency_key="c-1").captured_amount == 200
        second = shop.holds.create("ann", "main", 500)
        assert shop.holds.release(second.id).status == "released"
        assert shop.wallets.get("ann", "main").available == 500
        assert_books_balance(bf)


def _index_names(bf: Billfold, table: str) -> set[str]:
    from sqlalchemy import inspect

    return {index["name"] for index in inspect(bf.engine).get_indexes(table)}


def _reversal_plan(bf: Billfold) -> str:
    """How the database finds the reversals of a transaction (sequential scans off, so
    a tiny table does not hide whether the index can serve the lookup)."""
    query = ("SELECT transaction_id FROM transactions "
             "WHERE store_id = 's' AND reverses_transaction_id = 't'")
    with bf.engine.connect() as conn:
        if bf.engine.dialect.name == "sqlite":
            return " ".join(str(row[-1]) for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + query))
        conn.exec_driver_sql("SET enable_seqscan = off")
        return " ".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + query))


def test_partial_indexes_migration_downgrades_and_upgrades(database_url: str) -> None:
    with Billfold(database_url) as bf:
        shop = bf.store(bf.create_store("Indexes", currency="SAR").id)
        spent = shop.wallets.credit("ann", "main", 1000, funding_type="cash")
        assert {"ix_transactions_reversals"} <= _index_names(bf, "transactions")
        assert {"ix_outbox_events_unpublished"} <= _index_names(bf, "outbox_events")
        assert "ix_transactions_reversals" in _reversal_plan(bf)
        command.downgrade(alembic_config(bf.engine), "0008")
        assert "ix_transactions_store_id_reverses_transaction_id" in _index_names(
            bf, "transactions")
        assert "ix_outbox_events_store_id_published_at" in _index_names(bf, "outbox_events")
        assert "ix_transactions_reversals" not in _index_names(bf, "transactions")
        upgrade(bf.engine)
        assert "ix_transactions_reversals" in _reversal_plan(bf)
        reversal = shop.transactions.reverse(spent.id, amount=400, description="correction")
        assert reversal.reverses_transaction_id == spent.id
        # the rest: found its earlier reversal
        assert shop.transactions.reverse(spent.id, description="correction").amount == 600
        assert shop.wallets.get("ann", "main").available == 0
        assert_books_balance(bf)


def test_made_lot_entries_go_down_and_up(postgres_test_url: str) -> None:
    """0012 removes the entries a credit wrote for its own lot; its downgrade writes them
    back; upgrading again leaves the books as they were."""
    with Billfold(_empty_postgres_database(postgres_test_url)) as bf:
        shop = bf.store(bf.create_store("Made lots", currency="SAR").id)
        credit = shop.wallets.credit("ann", "main", 1000, funding_type="cash")
        shop.wallets.debit("ann", "main", 300)

        def entries() -> int:
            with bf.engine.connect() as conn:
                return int(conn.execute(text("SELECT count(*) FROM lot_entries")).scalar_one())

        assert entries() == 1
        command.downgrade(alembic_config(bf.engine), "0011")
        assert entries() == 2
        upgrade(bf.engine)
        assert entries() == 1
        assert shop.transactions.get(credit.id) == credit
        assert_books_balance(bf)
