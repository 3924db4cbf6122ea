"""Operating a cluster while it serves: a store's shards move to the other worker while
debits run against it, and every acknowledged debit is there after, the books clean;
`billfold cluster` isolates a store onto shards of its own and rebalances."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from billfold.app import Billfold
from billfold.cli import cli
from billfold.errors import BillfoldError
from billfold.store import citus
from billfold.store.engine import LOCK_TIMEOUT_MS
from tests.citus.cluster import CitusCluster
from tests.helpers import assert_books_balance

pytestmark = pytest.mark.citus
CLIENTS = 4


@pytest.fixture
def bf(citus_test_url: str) -> Billfold:  # type: ignore[override]
    from tests.conftest import _empty_postgres_database

    made = Billfold(_empty_postgres_database(citus_test_url))
    yield made  # type: ignore[misc]
    made.close()


def test_a_store_moves_to_the_other_worker_while_debits_run(
        bf: Billfold, citus_cluster: CitusCluster) -> None:
    shop = bf.store(bf.create_store("Moving", currency="SAR").id)
    shop.wallets.credit("ann", "main", 1_000_000, funding_type="cash")
    _shard, _host, before = citus.shard_of(bf.engine, shop.store_id)
    target = next(port for port in citus_cluster.worker_ports if port != before)
    acknowledged: list[str] = []
    refused: list[BaseException] = []
    stop = threading.Event()

    def spend(client: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            while True:
                try:
                    txn = shop.wallets.debit("ann", "main", 1,
                                             idempotency_key=f"c{client}-{n}")
                except psycopg.errors.LockNotAvailable:
                    # Writes to the shard wait while the move blocks them; past the lock
                    # bound a call gives up whole, and a client retries it with its key.
                    continue
                except BillfoldError as error:
                    refused.append(error)
                else:
                    acknowledged.append(txn.id)
                break

    threads = [threading.Thread(target=spend, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    moving_from = len(acknowledged)
    citus.move_store(bf.engine, shop.store_id, "127.0.0.1", target)
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join()

    assert citus.shard_of(bf.engine, shop.store_id)[2] == target
    assert refused == []
    assert moving_from > 0 and len(acknowledged) > moving_from  # debits ran on both sides
    assert all(shop.transactions.get(txn_id).amount == 1 for txn_id in acknowledged)
    assert shop.wallets.get("ann").available == 1_000_000 - len(acknowledged)
    assert_books_balance(bf)


def test_cluster_commands_isolate_a_store_and_rebalance(
        bf: Billfold, citus_test_url: str) -> None:
    big = bf.store(bf.create_store("Big", currency="SAR").id)
    small = bf.store(bf.create_store("Small", currency="SAR").id)
    for shop in (big, small):
        shop.wallets.credit("ann", "main", 500, funding_type="cash")
    runner = CliRunner()
    isolated = runner.invoke(cli, ["cluster", "isolate-store", big.store_id,
                                   "--database-url", citus_test_url])
    assert isolated.exit_code == 0, isolated.output
    assert citus.shard_of(bf.engine, big.store_id)[0] != citus.shard_of(
        bf.engine, small.store_id)[0]
    with bf.engine.connect() as conn:
        low, high = conn.execute(text(
            "SELECT shardminvalue::bigint, shardmaxvalue::bigint FROM pg_dist_shard "
            "WHERE shardid = :s"), {"s": citus.shard_of(bf.engine, big.store_id)[0]}).one()
    assert low == high  # one hash value: this store's alone
    assert big.wallets.get("ann").available == 500 and small.wallets.get("ann").available == 500
    rebalanced = runner.invoke(cli, ["cluster", "rebalance", "--database-url", citus_test_url])
    assert rebalanced.exit_code == 0, rebalanced.output
    assert "balanced" in rebalanced.output.lower() or "job" in rebalanced.output
    assert_books_balance(bf)


def test_cluster_add_worker_joins_a_node_that_takes_shards_and_the_lock_bound(
        citus_cluster: CitusCluster) -> None:
    url = citus_cluster.create_database(workers=1)
    joining = citus_cluster.workers[1]
    try:
        made = Billfold(url)
        try:
            shops = [made.store(made.create_store(f"Shop {i}", currency="SAR").id)
                     for i in range(8)]
            for shop in shops:
                shop.wallets.credit("ann", "main", 500, funding_type="cash")
            added = CliRunner().invoke(cli, ["cluster", "add-worker", "127.0.0.1",
                                             str(joining.port), "--database-url", url])
            assert added.exit_code == 0, added.output
            database = make_url(url).database
            bound = f"{LOCK_TIMEOUT_MS // 1000}s"
            assert joining.execute(database, "SHOW lock_timeout") == [[(bound,)]]
            job = citus.rebalance(made.engine, transfer_mode="block_writes")
            assert job is not None
            assert _job_state(made, job) == "finished"
            ports = {citus.shard_of(made.engine, shop.store_id)[2] for shop in shops}
            assert joining.port in ports
            assert all(shop.wallets.debit("ann", "main", 100).amount == 100 for shop in shops)
            assert all(shop.wallets.get("ann").available == 400 for shop in shops)
            assert_books_balance(made)
        finally:
            made.close()
    finally:
        citus_cluster.drop_database(make_url(url).database)


def _job_state(bf: Billfold, job: int, timeout: float = 120) -> str:
    """A background job's state once it has ended (or the deadline passed)."""
    deadline = time.monotonic() + timeout
    while True:
        with bf.engine.connect() as conn:
            state = str(conn.execute(text(
                "SELECT state FROM pg_dist_background_job WHERE job_id = :j"),
                {"j": job}).scalar_one())
        if state in ("finished", "failed", "cancelled") or time.monotonic() > deadline:
            return state
        time.sleep(0.5)
