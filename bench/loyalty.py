"""Loyalty points under load: what three active earning rules add to placing an order,
and the worker's tier recomputation of many customers whose points age out at once.

    uv run python -m bench.loyalty [--backend sqlite|postgres|both] [--orders 300]
                                   [--customers 100000] [--json]

Per backend:
- `order_without_rules` / `order_with_rules`: single-client `shop.orders.create`
  (one line, card-paid), first with no earning rule, then with three active ones —
  proportional purchase points, a first-purchase bonus and a seasonal multiplier —
  as mean milliseconds per order; the difference is what points add to an order;
- `tier_recompute`: `customers` customers seeded (raw INSERTs of what the library
  writes: one granted award each, tier VIP, its check due) and recomputed by
  `shop.loyalty.recompute_due_tiers()` after their points aged out of the window:
  customers per second, and the peak memory of that call (resource.ru_maxrss);
- the raw limit of the same database at one client (bench/refs.py), for scale.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import refs

SEED_BATCH = 5_000


def _orders(shop: Any, prefix: str, count: int) -> float:
    started = time.perf_counter()
    for n in range(count):
        shop.orders.create(f"{prefix}-{n}", f"{prefix}-cus-{n}", 25050, currency="SAR",
                           lines=[{"product_id": "p1", "quantity": 1, "unit_amount": 25050}])
    return (time.perf_counter() - started) * 1000 / count


def _seed_tiers(bf: Any, store_id: str, customers: int) -> None:
    from billfold.ids import new_id
    from billfold.store.tables import loyalty_awards, loyalty_customers

    now = bf.clock.now()
    for start in range(0, customers, SEED_BATCH):
        ids = [f"tier-{n:06d}" for n in range(start, min(customers, start + SEED_BATCH))]
        with bf.begin() as conn:
            conn.execute(loyalty_awards.insert(), [dict(
                store_id=store_id, award_id=new_id("awd"), rule_id="rule_bench",
                customer_id=customer, program="points", source_type="event",
                source_id=f"seed-{customer}", amount=1000, status="granted",
                pending_amount=0, granted_amount=1000, clawed_back=0, shortfall=0,
                promise_id=None, transaction_id=None, draw=None, multiplier_hundredths=100,
                tier_multiplier_hundredths=100, created_at=now, granted_at=now,
                settled_at=now) for customer in ids])
            conn.execute(loyalty_customers.insert(), [dict(
                store_id=store_id, customer_id=customer, tier="VIP", tier_points=1000,
                next_check_at=now + timedelta(days=30), updated_at=now) for customer in ids])


def measure(database_url: str, orders: int, customers: int) -> dict[str, float]:
    from billfold.app import Billfold
    from billfold.clock import FrozenClock

    clock = FrozenClock()
    with Billfold(database_url, clock=clock) as bf:
        shop = bf.store(bf.create_store("Loyalty bench", currency="SAR").id)
        shop.settings.update({"programs": {"points": {"unit": "points",
                                                      "points_per_unit": 100}},
                              "tiers": [{"name": "VIP", "min_points": 1000,
                                         "window": "30d"}]})
        _orders(shop, "warm", 20)
        without = _orders(shop, "plain", orders)
        shop.loyalty.create_rule("Per 100", program="points", event="purchase",
                                 kind="proportional", points=100, per_amount=10000)
        shop.loyalty.create_rule("First", program="points", event="first_purchase",
                                 kind="fixed", points=200)
        shop.loyalty.create_rule("Season", program="points", event="purchase",
                                 kind="multiplier", multiplier=2)
        with_rules = _orders(shop, "ruled", orders)
        tiers_store = bf.store(bf.create_store("Tier bench", currency="SAR").id)
        tiers_store.settings.update({"tiers": [{"name": "VIP", "min_points": 1000,
                                                "window": "30d"}]})
        _seed_tiers(bf, tiers_store.store_id, customers)
        clock.advance(days=31)
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        done = tiers_store.loyalty.recompute_due_tiers()
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - baseline
        assert done == customers, (done, customers)
        report = bf.verify()
        assert report.ok, report.render()
    return {"order_without_rules_ms": without, "order_with_rules_ms": with_rules,
            "rules_added_ms": with_rules - without, "tier_customers": customers,
            "tier_recompute_per_s": customers / seconds,
            "tier_recompute_peak_mib_over_baseline": peak}


def run_backend(backend: str, orders: int, customers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="billfold-bench-loyalty-") as tmp:
        if backend == "sqlite":
            ref_path = str(Path(tmp) / "ref.db")
            refs.sqlite_reference_init(ref_path)
            raw = refs.sqlite_reference_run(ref_path, "raw", 1, 3.0).ops_per_s
            figures = measure(f"sqlite:///{Path(tmp) / 'billfold.db'}", orders, customers)
        else:
            with refs.embedded_postgres() as server:
                refs.pgbench_init(server, "ref", 10)
                raw = refs.pgbench_run(server, "ref", "raw", 1, 3.0).ops_per_s
                figures = measure(server.create_database("loyalty"), orders, customers)
    return {"backend": backend, "raw_tps_c1": raw, **figures,
            "tier_ratio_to_raw": figures["tier_recompute_per_s"] / raw}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.loyalty")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    rows = [run_backend(backend, args.orders, args.customers) for backend in backends]
    if args.json:
        print(json.dumps(rows))
        return
    for row in rows:
        print(f"{row['backend']}: raw {row['raw_tps_c1']:,.0f} tx/s at 1 client")
        print(f"  order, no rules       {row['order_without_rules_ms']:>7.2f} ms")
        print(f"  order, three rules    {row['order_with_rules_ms']:>7.2f} ms  "
              f"(+{row['rules_added_ms']:.2f} ms)")
        print(f"  tier recompute        {row['tier_recompute_per_s']:>7,.0f} customers/s "
              f"({row['tier_customers']:,}), peak RSS "
              f"+{row['tier_recompute_peak_mib_over_baseline']:.1f} MiB, "
              f"ratio to raw {row['tier_ratio_to_raw']:.3f}")


if __name__ == "__main__":
    main()
