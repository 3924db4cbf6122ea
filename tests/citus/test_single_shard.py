"""Every money movement on Citus is one call the coordinator hands whole to the worker
that holds the store's shard: Citus says so as it plans it ("pushing down the function
call"), it writes no two-phase commit (`pg_dist_transaction`), runs nothing on more
than one shard (`citus_stat_counters`) and pulls nothing to the coordinator; a balance
read is a router query on one shard (EXPLAIN)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, text

from billfold.app import Billfold, Shop
from tests.helpers import assert_books_balance

pytestmark = pytest.mark.citus


@pytest.fixture
def planned(citus_test_url: str) -> Iterator[tuple[Billfold, list[str]]]:
    """A Billfold on the cluster whose connections report Citus's planning messages."""
    from tests.conftest import _empty_postgres_database

    bf = Billfold(_empty_postgres_database(citus_test_url))
    messages: list[str] = []

    @event.listens_for(bf.engine, "connect")
    def report(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.add_notice_handler(lambda d: messages.append(d.message_primary))
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET client_min_messages TO debug1")
        dbapi_connection.commit()

    bf.engine.dispose()  # every connection from now on reports
    yield bf, messages
    bf.close()


def _two_phase_commits(bf: Billfold) -> int:
    with bf.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM pg_dist_transaction")).scalar_one())


def _multi_shard_executions(bf: Billfold) -> int:
    """Citus's own count, for this database, of queries it ran on more than one shard."""
    with bf.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT query_execution_multi_shard FROM citus_stat_counters "
            "WHERE name = current_database()")).scalar_one())


def test_each_movement_is_one_call_pushed_down_to_one_worker(
        planned: tuple[Billfold, list[str]]) -> None:
    bf, messages = planned
    shop: Shop = bf.store(bf.create_store("Sharded", currency="SAR").id)
    shop.customers.create("ann")
    before = _two_phase_commits(bf)
    fanned_out = _multi_shard_executions(bf)
    held: dict[str, str] = {}
    movements = {
        "credit": lambda: shop.wallets.credit("ann", "main", 5000, funding_type="cash"),
        "debit": lambda: shop.wallets.debit("ann", "main", 1200, idempotency_key="d-1"),
        "replayed debit": lambda: shop.wallets.debit("ann", "main", 1200,
                                                     idempotency_key="d-1"),
        "hold": lambda: held.setdefault("a", shop.holds.create("ann", "main", 1000).id),
        "capture": lambda: shop.holds.capture(held["a"], amount=400),
        "second hold": lambda: held.setdefault("b", shop.holds.create("ann", "main", 300).id),
        "release": lambda: shop.holds.release(held["b"]),
    }
    for name, move in movements.items():
        messages.clear()
        move()
        assert messages == ["pushing down the function call"], (name, messages)
    assert _two_phase_commits(bf) == before  # no movement needed a two-phase commit
    assert _multi_shard_executions(bf) == fanned_out  # none asked more than its shard
    with bf.engine.connect() as conn:  # while a query across the stores does count
        conn.execute(text("SELECT count(*) FROM accounts"))
    assert _multi_shard_executions(bf) > fanned_out
    assert shop.wallets.get("ann").available == 5000 - 1200 - 400
    assert_books_balance(bf)


def test_a_balance_read_is_a_router_query_on_one_shard(citus_test_url: str) -> None:
    from tests.conftest import _empty_postgres_database

    bf = Billfold(_empty_postgres_database(citus_test_url))
    try:
        shop = bf.store(bf.create_store("Read", currency="SAR").id)
        shop.wallets.credit("ann", "main", 700, funding_type="cash")
        with bf.engine.connect() as conn:
            plan = "\n".join(conn.execute(text(
                "EXPLAIN SELECT balance, held FROM accounts "
                "WHERE store_id = :s AND customer_id = 'ann' AND program = 'main'"),
                {"s": shop.store_id}).scalars())
        assert "Custom Scan (Citus Adaptive)" in plan and "Task Count: 1" in plan, plan
    finally:
        bf.close()
