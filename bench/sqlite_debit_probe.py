"""A short probe of issue 5's SQLite target: keyed library debits against the bare loop.

    uv run python -m bench.sqlite_debit_probe [--seconds 3] [--profile out.prof]
                                              [--op hold_capture]

Seeds one file database (WAL + synchronous=FULL, as store/engine.py sets up) with
wallets of five 1,000 lots each, then runs the bare UPDATE + INSERT loop of
bench/refs.py and keyed debits of 1,500 (two lots or more each) at concurrency 1 (or, with
`--op hold_capture`, a keyed hold of 1,500 and its keyed capture, as the bench does),
alternating a few times so that load from other processes hits both alike.
Prints ops/s, p50 and the ratio. Not part of `billfold bench`; a quick check.
"""

from __future__ import annotations

import argparse
import cProfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import event

from bench import refs, seed
from bench.load import DEBIT_AMOUNT, DRAWS_PER_WALLET, percentile

WALLETS = 8_000
ROUNDS = 3


def _bare(path: str, seconds: float) -> tuple[float, float]:
    result = refs.sqlite_reference_run(path, "bare", 1, seconds)
    return result.ops_per_s, result.percentile_ms(0.5)


def _debits(shop: object, customers: Iterator[str], seconds: float, tag: str,
            profiler: cProfile.Profile | None, op: str = "debit") -> tuple[float, float]:
    latencies = []
    started = time.perf_counter()
    stop_at = started + seconds
    if profiler is not None:
        profiler.enable()
    for n, customer in enumerate(customers):
        before = time.perf_counter()
        if before >= stop_at:
            break
        if op == "hold_capture":
            hold = shop.holds.create(customer, "main", DEBIT_AMOUNT, idempotency_key=f"{tag}-{n}")  # type: ignore[attr-defined]
            shop.holds.capture(hold.id, idempotency_key=f"{tag}-{n}-capture")  # type: ignore[attr-defined]
        else:
            shop.wallets.debit(customer, "main", DEBIT_AMOUNT, idempotency_key=f"{tag}-{n}")  # type: ignore[attr-defined]
        latencies.append((time.perf_counter() - before) * 1000)
    if profiler is not None:
        profiler.disable()
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, percentile(latencies, 0.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--profile", help="write a cProfile of the debits here")
    parser.add_argument("--op", choices=("debit", "hold_capture"), default="debit")
    parser.add_argument("--no-sync", action="store_true",
                        help="library on synchronous=OFF: its CPU cost alone (diagnosis)")
    parser.add_argument("--pragma", action="append", default=[],
                        help="an extra PRAGMA for the library's connections, e.g. "
                             "'wal_autocheckpoint = 4000' (experiments)")
    args = parser.parse_args()
    from billfold.app import Billfold, Shop

    with tempfile.TemporaryDirectory(prefix="billfold-probe-") as workdir:
        path = str(Path(workdir) / "probe.db")
        bf = Billfold(f"sqlite:///{path}")
        store_id = bf.create_store("Probe", currency="SAR").id
        customers = [f"cus-{n:06d}" for n in range(WALLETS)]
        with bf.begin() as conn:
            seed.seed_wallets(conn, store_id, "SAR", bf.clock.now(), customers)
        with bf.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        refs.sqlite_reference_init(str(Path(workdir) / "ref.db"))
        pragmas = [*args.pragma, *(["synchronous = OFF"] if args.no_sync else [])]
        if pragmas:
            def _set(db: object, _record: object) -> None:
                for pragma in pragmas:
                    db.execute(f"PRAGMA {pragma}")  # type: ignore[attr-defined]
            event.listen(bf.engine, "connect", _set)
            bf.engine.dispose()
        shop = Shop(bf, store_id)
        shop.wallets.debit(customers[0], "main", 1, idempotency_key="warm-up")
        queue = iter([c for _ in range(DRAWS_PER_WALLET) for c in customers[1:]])
        profiler = cProfile.Profile() if args.profile else None
        for round_ in range(ROUNDS):
            bare_ops, bare_p50 = _bare(str(Path(workdir) / "ref.db"), args.seconds)
            ops, p50 = _debits(shop, queue, args.seconds, f"r{round_}", profiler, args.op)
            print(f"round {round_}: bare {bare_ops:7.0f}/s p50 {bare_p50:.3f} ms | "
                  f"{args.op} {ops:7.0f}/s p50 {p50:.3f} ms | ratio {ops / bare_ops:.3f}",
                  flush=True)
        report = bf.verify()
        assert report.ok, report.render()
        bf.close()
        if profiler is not None:
            profiler.dump_stats(args.profile)


if __name__ == "__main__":
    main()
