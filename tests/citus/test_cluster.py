"""The Citus test cluster itself: two workers, the vendored version, and a store-
distributed table whose shards are spread over both workers."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.citus.cluster import CitusCluster

pytestmark = pytest.mark.citus

STORES = range(1, 11)


def _rows(url: str, sql: str, **params: object) -> list[tuple]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def test_two_active_workers(citus_cluster: CitusCluster) -> None:
    workers = _rows(citus_cluster.url, "SELECT * FROM citus_get_active_worker_nodes()")
    assert sorted(workers) == sorted(("127.0.0.1", port) for port in citus_cluster.worker_ports)


def test_version_is_the_vendored_one(citus_cluster: CitusCluster) -> None:
    for url in [citus_cluster.url, *citus_cluster.worker_urls]:
        [(version,)] = _rows(url, "SELECT citus_version()")
        assert version.startswith("Citus 13.2.2 "), version


def test_distributed_table_spreads_stores_over_both_workers(citus_cluster: CitusCluster) -> None:
    url = citus_cluster.create_database()
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TABLE t (store_id bigint NOT NULL, id bigint NOT NULL,"
                    " amount bigint NOT NULL, PRIMARY KEY (store_id, id))"
                )
            )
            conn.execute(text("SELECT create_distributed_table('t', 'store_id')"))
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO t VALUES (:store_id, :id, :amount)"),
                [
                    {"store_id": store, "id": n, "amount": store * 100 + n}
                    for store in STORES
                    for n in range(3)
                ],
            )
        with engine.connect() as conn:
            totals = dict(
                conn.execute(text("SELECT store_id, count(*) FROM t GROUP BY store_id")).all()
            )
            assert totals == dict.fromkeys(STORES, 3)
            # Where each store's rows live: its shard and that shard's placement.
            placements = {
                store: (shard, port)
                for store, shard, port in conn.execute(
                    text(
                        "SELECT s.store_id, c.shardid, c.nodeport"
                        " FROM unnest(CAST(:stores AS bigint[])) AS s(store_id)"
                        " JOIN citus_shards c ON c.table_name = 't'::regclass"
                        " AND c.shardid = get_shard_id_for_distribution_column('t', s.store_id)"
                    ),
                    {"stores": list(STORES)},
                )
            }
            shard_nodes = set(
                conn.execute(
                    text(
                        "SELECT DISTINCT nodeport FROM citus_shards"
                        " WHERE table_name = 't'::regclass"
                    )
                ).scalars()
            )
            # A single-store statement is routed to exactly one shard.
            plan = "\n".join(
                conn.execute(text("EXPLAIN SELECT sum(amount) FROM t WHERE store_id = 7")).scalars()
            )
        assert shard_nodes == set(citus_cluster.worker_ports)
        assert set(placements) == set(STORES)
        assert {port for _, port in placements.values()} == set(citus_cluster.worker_ports)
        assert "Task Count: 1" in plan, plan
        # The rows really are in those shards, on those workers.
        database = url.rsplit("/", 1)[1]
        workers = {worker.port: worker for worker in citus_cluster.workers}
        for store, (shard, port) in placements.items():
            [[(count,)]] = workers[port].execute(
                database, f"SELECT count(*) FROM t_{shard} WHERE store_id = {store}"
            )
            assert count == 3, (store, shard, port)
    finally:
        engine.dispose()
        citus_cluster.drop_database(url.rsplit("/", 1)[1])
