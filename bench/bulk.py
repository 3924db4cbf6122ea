"""Bulk paths: granting credit to many customers, and the expiry sweep of many lots.

Each runs in a fresh interpreter (multiprocessing "spawn") so that its peak
resident memory (`ru_maxrss`) is its own, not the benchmark's; the figure
reported is the peak over the interpreter's baseline after imports.

The grant is the ledger's set-based `bulk.grant_credits`, GRANT_BATCH customers
per transaction (each still gets its own transaction and lot). The sweep is
`Shop.expire_lots` with a clock moved past every lot's expiry.

`uv run python -m bench.bulk [--customers N] [--expiry-wallets M] [--verify]` times
just these two on a fresh embedded PostgreSQL: N customers who already have a
wallet are granted cashback, then M wallets of 5 expired lots each are swept.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from datetime import datetime, timedelta
from typing import Any

GRANT_BATCH = 5_000
GRANT_AMOUNT = 500
BULK_TIMEOUT_SECONDS = 3_600


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _grant(database_url: str, store_id: str, customer_ids: list[str]) -> dict[str, Any]:
    from billfold.app import Billfold
    from billfold.ledger import bulk

    billfold = Billfold(database_url, migrate=False)
    baseline = _rss_mib()
    started = time.perf_counter()
    for start in range(0, len(customer_ids), GRANT_BATCH):
        batch = customer_ids[start:start + GRANT_BATCH]

        def work(conn: Any, batch: list[str] = batch) -> None:
            now = billfold.clock.now()
            bulk.grant_credits(conn, store_id=store_id, program="main",
                               grants=[(customer_id, GRANT_AMOUNT) for customer_id in batch],
                               funding_type="cashback", now=now,
                               expires_at=now + timedelta(days=30), type="cashback")

        billfold.run(work)
    seconds = time.perf_counter() - started
    billfold.close()
    return {"lots": len(customer_ids), "seconds": seconds,
            "lots_per_s": len(customer_ids) / seconds,
            "peak_mib_over_baseline": _rss_mib() - baseline, "baseline_mib": baseline}


def _expire(database_url: str, store_id: str, sweep_at: datetime) -> dict[str, Any]:
    from billfold.app import Billfold, Shop
    from billfold.clock import FrozenClock

    billfold = Billfold(database_url, migrate=False, clock=FrozenClock(sweep_at))
    baseline = _rss_mib()
    started = time.perf_counter()
    result = Shop(billfold, store_id).lots.expire_due()
    seconds = time.perf_counter() - started
    billfold.close()
    return {"lots": result.lots, "seconds": seconds, "lots_per_s": result.lots / seconds,
            "peak_mib_over_baseline": _rss_mib() - baseline, "baseline_mib": baseline}


def run_here(job: str, *args: Any) -> dict[str, Any]:
    """Run a bulk job in this process (its memory figure then means little)."""
    return {"grant": _grant, "expire": _expire}[job](*args)  # type: ignore[operator]


def _child(queue: Any, job: str, args: tuple[Any, ...]) -> None:
    try:
        queue.put(("ok", run_here(job, *args)))
    except Exception as error:  # reported by the parent
        queue.put(("error", f"{type(error).__name__}: {error}"))


def run_isolated(job: str, *args: Any) -> dict[str, Any]:
    """Run a bulk job in a fresh interpreter; its figures, or RuntimeError."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue, job, args))
    process.start()
    status, value = queue.get(timeout=BULK_TIMEOUT_SECONDS)
    process.join(timeout=60)
    if status != "ok":
        raise RuntimeError(f"bulk {job} failed: {value}")
    return value  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> None:
    """Seed an embedded PostgreSQL, then time the grant and the sweep alone."""
    from sqlalchemy import text

    from bench import refs, seed
    from billfold.app import Billfold

    parser = argparse.ArgumentParser(prog="python -m bench.bulk")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--expiry-wallets", type=int, default=20_000)
    parser.add_argument("--verify", action="store_true", help="run billfold verify after")
    args = parser.parse_args(argv)
    with refs.embedded_postgres() as server:
        url = server.create_database("bulk")
        billfold = Billfold(url)
        grant_store = billfold.create_store("Bulk grant", currency="SAR").id
        expiry_store = billfold.create_store("Bulk expiry", currency="SAR").id
        now = billfold.clock.now()
        customers = [f"grant-{n:06d}" for n in range(args.customers)]
        started = time.perf_counter()
        with billfold.begin() as conn:
            writer = seed.LedgerWriter(conn, grant_store, "SAR", now)
            for customer_id in customers:  # one lot each: a wallet with a posting
                writer.credit(customer_id, seed.LOT_AMOUNT)
                writer.maybe_flush()
            writer.finish()
            seed.seed_wallets(conn, expiry_store, "SAR", now,
                              [f"exp-{n:06d}" for n in range(args.expiry_wallets)],
                              expire_in_days=1)
        with billfold.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        print(f"seeded in {time.perf_counter() - started:.1f}s", flush=True)
        for job, job_args in (("grant", (url, grant_store, customers)),
                              ("expire", (url, expiry_store, now + timedelta(days=2)))):
            figures = run_isolated(job, *job_args)
            print(f"{job}: {figures['lots']} lots in {figures['seconds']:.2f}s = "
                  f"{figures['lots_per_s']:,.0f} lots/s, peak RSS "
                  f"+{figures['peak_mib_over_baseline']:.1f} MiB", flush=True)
        if args.verify:
            report = billfold.verify()
            print("verify:", "clean" if report.ok else report.render())
        billfold.close()


if __name__ == "__main__":
    main()
