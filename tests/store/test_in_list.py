"""store.sql.InList: one array parameter on PostgreSQL, an expanding IN elsewhere, the
same rows on both, and an index lookup on SQLite (not a comparison with 1, which
turns the lookup into a scan of the table)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from billfold.app import Billfold
from billfold.ledger.queries import _ENTRIES
from billfold.store.sql import InList
from billfold.store.tables import transactions

_QUERY = select(transactions.c.transaction_id).where(
    transactions.c.store_id == bindparam("b_store_id"),
    InList(transactions.c.transaction_id, "b_ids")).order_by(transactions.c.transaction_id)


def test_postgresql_takes_one_array_and_sqlite_an_expanding_in() -> None:
    pg = str(_QUERY.compile(dialect=postgresql.dialect()))
    assert "= ANY (%(b_ids)s::VARCHAR(64)[])" in pg
    lite = str(_QUERY.compile(dialect=sqlite.dialect()))
    assert "IN (__[POSTCOMPILE_b_ids])" in lite
    assert "= 1" not in lite


def test_the_rows_of_the_listed_ids_on_each_database(bf: Billfold) -> None:
    shop = bf.store(bf.create_store("Shop", currency="SAR").id)
    made = [shop.wallets.credit(f"cus-{n}", "main", 100 + n, funding_type="cash").id
            for n in range(5)]
    wanted = sorted([made[0], made[3], made[4]])
    with bf.engine.connect() as conn:
        rows = conn.execute(_QUERY, {"b_store_id": shop.store_id, "b_ids": wanted}).all()
        none = conn.execute(_QUERY, {"b_store_id": shop.store_id, "b_ids": []}).all()
    assert [r.transaction_id for r in rows] == wanted
    assert none == []


def test_sqlite_looks_the_history_entries_up_by_key(tmp_path: Path) -> None:
    path = tmp_path / "plan.db"
    Billfold(f"sqlite:///{path}").close()  # migrated on open
    statement = _ENTRIES.params(b_store_id="sto_1", b_transaction_ids=["txn_1", "txn_2"],
                                b_lot_ids=["lot_1"])
    sql = str(statement.compile(dialect=sqlite.dialect(),
                                compile_kwargs={"literal_binds": True}))
    with sqlite3.connect(path) as conn:
        plan = [row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    # Each side found by its key: the store's and the listed ids, not the store's alone.
    assert any(step.startswith("SEARCH lot_entries") and "transaction_id=?" in step
               for step in plan), plan
    assert sum(step.startswith("SEARCH lots") and "lot_id=?" in step for step in plan) == 2, plan
    assert not any(step.startswith("SCAN") for step in plan), plan
