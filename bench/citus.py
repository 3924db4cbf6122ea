"""Debits on a Citus cluster beside plain PostgreSQL 15 on the same machine, and how the
cluster grows from one worker to two.

    uv run python -m bench.citus [--clients 8] [--seconds 5] [--json]

Starts the test cluster (tests/citus/cluster.py: Debian's PostgreSQL 15 with Citus
13.2.2, a coordinator and two workers on loopback; Citus is built where missing) and
measures `shop.wallets.debit` from `clients` threads for `seconds`, each client its own
store and customer (so the stores spread over the shards), on:
- `plain`: a database on the coordinator's server without the Citus extension — plain
  PostgreSQL 15, the same binaries, settings and machine;
- `citus_1_worker` / `citus_2_workers`: databases distributed by `billfold migrate` with
  one or both workers registered.
Prints debits per second, the cluster's ratio to plain, and two workers' to one. All
nodes share this machine's cores, so a second worker adds no hardware here: the figure
says what distribution costs, not what more machines would give.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SHARDS = 8


def _migrated(url: str) -> str:
    from billfold.store.engine import make_engine
    from billfold.store.migrate import upgrade

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'citus'")).scalar():
            conn.execute(text(f"ALTER DATABASE {make_url(url).database} "
                              f"SET citus.shard_count = {SHARDS}"))
    admin.dispose()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def debits_per_second(url: str, clients: int, seconds: float) -> float:
    from billfold.app import Billfold

    bf = Billfold(url)
    try:
        shops = [bf.store(bf.create_store(f"Bench {n}", currency="SAR").id)
                 for n in range(clients)]
        for shop in shops:
            shop.wallets.credit("ann", "main", 10**12, funding_type="cash")
            shop.wallets.debit("ann", "main", 1)  # warm the pool and the plans
        counts = [0] * clients
        stop = threading.Event()

        def spend(n: int) -> None:
            while not stop.is_set():
                shops[n].wallets.debit("ann", "main", 1)
                counts[n] += 1

        threads = [threading.Thread(target=spend, args=(n,)) for n in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        stop.set()
        for thread in threads:
            thread.join()
        return sum(counts) / (time.perf_counter() - started)
    finally:
        bf.close()


def run(clients: int, seconds: float) -> dict[str, Any]:
    from tests.citus.cluster import start_cluster

    cluster, stop = start_cluster()
    try:
        cluster.coordinator.execute("postgres", 'CREATE DATABASE "bench_plain"')
        urls = {"plain": _migrated(cluster.coordinator.url("bench_plain")),
                "citus_1_worker": _migrated(cluster.create_database("bench_one", workers=1)),
                "citus_2_workers": _migrated(cluster.create_database("bench_two"))}
        rates = {name: debits_per_second(url, clients, seconds) for name, url in urls.items()}
    finally:
        stop()
    return {"clients": clients, "seconds": seconds, "debits_per_second": rates,
            "ratio_2_workers_to_plain": rates["citus_2_workers"] / rates["plain"],
            "ratio_2_workers_to_1": rates["citus_2_workers"] / rates["citus_1_worker"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.clients, args.seconds)
    if args.json:
        print(json.dumps(result))
        return
    print(f"debits, {result['clients']} clients (one store each), {result['seconds']:g} s:")
    for name, rate in result["debits_per_second"].items():
        print(f"  {name:<16} {rate:8.0f} debits/s")
    print(f"  2 workers / plain PostgreSQL 15: {result['ratio_2_workers_to_plain']:.2f}")
    print(f"  2 workers / 1 worker:            {result['ratio_2_workers_to_1']:.2f}")


if __name__ == "__main__":
    main()
