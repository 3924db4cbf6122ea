"""How fast the dashboard and the "My Wallet" page answer for a store of 100,000 customers.

    uv run python -m bench.pages [--backend sqlite|postgres|both] [--quick]
                                 [--customers N] [--requests 20] [--all-today] [--json]

Per backend (SQLite in a temporary file; PostgreSQL embedded, as bench/refs.py starts it):
- seed one store through the library's bulk paths, its history spread over the last
  `HISTORY_DAYS` days (a store in steady state: one batch of customers a day, on a
  clock set back), then one pass of the worker (the sweep, which rolls the closed days
  up into the statistics' daily sums); `--all-today` puts every movement in today
  instead, the worst case for the home page's flows: `customers` customers (their
  profile rows — id, name, email — written with one INSERT per batch, since the library
  creates customers one at a time; every balance is a real ledger movement of
  `shop.wallets.grant`: cashback for all, cash for a third, points for a quarter), a
  dozen cashback offers, a customer with a long history and orders, pending
  withdrawals and top-ups, code batches, earning rules, a webhook endpoint, API keys,
  audit log entries, a dashboard user and a portal session;
- serve the app (`create_app`) with uvicorn on 127.0.0.1 and a free port, in a thread;
- log in over HTTP with httpx (POST /dashboard/login, the session cookie kept), then
  GET each page of PAGES once to warm up and `requests` times more, one after another:
  median and p95 in ms and the status codes (each must be 200).

SQLite gets no ANALYZE (billfold never runs one, so a deployment has none); PostgreSQL
is ANALYZEd after seeding, as autovacuum would be soon after a load.
`--quick`: 10,000 customers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.load import percentile

FULL_CUSTOMERS = 100_000
QUICK_CUSTOMERS = 10_000
DEFAULT_REQUESTS = 20
SLOW_MEDIAN_MS = 300.0
SEED_BATCH = 5_000  # = billfold.ledger.bulk.MAX_GRANTS_PER_BATCH
OFFERS = 12
PENDING_WITHDRAWALS = 40
PENDING_TOPUPS = 40
CODE_BATCHES, CODES_PER_BATCH = 3, 1_000
API_KEYS = 3
AUDIT_ENTRIES = 300
PROFILE_MOVEMENTS = 60  # credits and debits of the customer whose page is timed
PROFILE_ORDERS = 10
SERVER_START_TIMEOUT_SECONDS = 30.0
REQUEST_TIMEOUT_SECONDS = 120.0
LOGIN_EMAIL = "bench@example.com"
HISTORY_DAYS = 30


class ShiftedClock:
    """Wall-clock UTC moved back by `shift` (the seed's days past); 0 once seeded."""

    def __init__(self) -> None:
        self.shift = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) - self.shift

# (name, path): the path's {fields} come from the seeded store (Targets). Add pages here.
PAGES: tuple[tuple[str, str], ...] = (
    ("home", "/dashboard"),
    ("customers", "/dashboard/customers"),
    ("customers_search", "/dashboard/customers?q={search_prefix}"),
    ("customers_keyset", "/dashboard/customers?after={middle_customer_id}"),
    ("customer", "/dashboard/customers/{profile_customer_id}"),
    ("audit", "/dashboard/audit"),
    ("offers", "/dashboard/offers"),
    ("withdrawals", "/dashboard/withdrawals"),
    ("topups", "/dashboard/topups"),
    ("loyalty", "/dashboard/loyalty"),
    ("codes", "/dashboard/codes"),
    ("webhooks", "/dashboard/webhooks"),
    ("keys", "/dashboard/keys"),
    ("settings", "/dashboard/settings"),
    ("history_csv", "/dashboard/exports/customers/{profile_customer_id}/main.csv"),
    ("balances_csv", "/dashboard/exports/balances.csv"),  # a download: every customer
    ("portal", "{portal_path}"),
    ("portal_expired", "{portal_path}?show=expired"),
)


@dataclass(frozen=True)
class Targets:
    """What the page paths name, and the login."""

    store_id: str
    search_prefix: str
    middle_customer_id: str
    profile_customer_id: str
    portal_path: str
    password: str


def log(message: str) -> None:
    print(f"[pages {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- seeding -----------------------------------------------------------------------------


def customer_id(n: int) -> str:
    return f"cus-{n:06d}"


def seed(bf: Any, customers: int, rng: random.Random,
         clock: ShiftedClock | None = None) -> Targets:
    """With `clock`, batch k of n is written HISTORY_DAYS * (n - k) / n days ago."""
    from billfold.access import audit, users

    store_id = bf.create_store("Pages bench", currency="SAR").id
    shop = bf.store(store_id)
    shop.settings.update({
        "programs": {"rewards": {"unit": "SAR", "max_per_order_percent": "20"},
                     "points": {"unit": "points", "points_per_unit": 100}},
        "tiers": [{"name": "Silver", "min_points": 500, "window": "90d"}],
        "withdrawals_enabled": True})
    for n in range(OFFERS):
        offer = shop.offers.create(f"Offer {n + 1}", percent=rng.choice((3, 5, 8, 10)),
                                   program="rewards")
        if n % 3 == 0:
            shop.offers.close(offer.id)
    ids = [customer_id(n) for n in range(customers)]
    batches = range(0, customers, SEED_BATCH)
    for k, start in enumerate(batches):
        if clock is not None:
            clock.shift = timedelta(days=HISTORY_DAYS * (len(batches) - k) / len(batches))
        _seed_batch(bf, shop, ids[start:start + SEED_BATCH], rng)
    if clock is not None:
        clock.shift = timedelta()
    profile = ids[customers // 3]
    _seed_profile(shop, profile, rng)
    cash_holders = ids[0::3][:PENDING_WITHDRAWALS]
    for holder in cash_holders:
        shop.withdrawals.create(holder, "main", 1_000 + 100 * rng.randrange(30))
    shop.settings.update({"allow_topup": True, "topup_amounts": [5_000, 10_000]})
    for holder in ids[1::7][:PENDING_TOPUPS]:
        shop.topups.create(holder, "main", 5_000)
    for n in range(CODE_BATCHES):
        shop.codes.create(1_000 * (n + 1), "main", count=CODES_PER_BATCH)
    shop.loyalty.create_rule("Per 100", program="points", event="purchase",
                             kind="proportional", points=100, per_amount=10_000)
    shop.loyalty.create_rule("Reviews", program="points", event="review", kind="fixed",
                             points=20)
    shop.webhooks.create("https://93.184.215.14/hooks/billfold")  # public; never called
    for _ in range(API_KEYS):
        bf.create_api_key(store_id)
    password = secrets.token_urlsafe(18)
    user = bf.run(lambda c: users.create_user(c, store_id=store_id, email=LOGIN_EMAIL,
                                              password=password, role="owner",
                                              now=bf.clock.now()))

    def write_audit(conn: Any) -> None:
        for n in range(AUDIT_ENTRIES):
            audit.record(conn, user, rng.choice(("credit", "debit")), bf.clock.now(),
                         target=rng.choice(ids), amount=100 * rng.randrange(1, 200),
                         unit="SAR", reason=f"Bench adjustment {n}")

    bf.run(write_audit)
    portal = shop.portal_sessions.create(profile)
    assert portal.url is not None
    return Targets(store_id=store_id, search_prefix=customer_id(customers // 2)[:9],
                   middle_customer_id=ids[customers // 2], profile_customer_id=profile,
                   portal_path=urlsplit(portal.url).path, password=password)


def _seed_batch(bf: Any, shop: Any, batch: list[str], rng: random.Random) -> None:
    """Profiles in one INSERT (no bulk path in the library), then the balances as real
    ledger movements: one bulk grant per funding type."""
    from sqlalchemy import insert

    from billfold.store.tables import customers

    now = bf.clock.now()
    with bf.begin() as conn:
        conn.execute(insert(customers), [{
            "store_id": shop.store_id, "customer_id": c, "name": f"Customer {c[4:]}",
            "email": f"shopper.{c[4:]}@example.com", "metadata": {}, "created_at": now}
            for c in batch])
    shop.wallets.grant("main", [(c, 100 * rng.randrange(1, 100)) for c in batch],
                       funding_type="cashback", type="cashback", expires_in="60d")
    shop.wallets.grant("main", [(c, 5_000) for c in batch[0::3]], funding_type="cash")
    shop.wallets.grant("points", [(c, 10 * rng.randrange(1, 100)) for c in batch[1::4]],
                       funding_type="promotional", expires_in="90d")


def _seed_profile(shop: Any, customer: str, rng: random.Random) -> None:
    """A customer with a page worth reading: many movements, orders, a checkout."""
    for n in range(PROFILE_MOVEMENTS):
        if n % 3 == 2:
            shop.wallets.debit(customer, "main", 100, description=f"Bench debit {n}")
        else:
            shop.wallets.credit(customer, "main", 100 * rng.randrange(1, 20),
                                funding_type="manual_adjustment", expires_in="30d",
                                description=f"Bench credit {n}")
    lines = [{"product_id": "p-1", "quantity": 1, "unit_amount": 20_000}]
    for n in range(PROFILE_ORDERS):
        order_id = f"bench-order-{n}"
        checkout = shop.checkouts.create(customer, order_id, 20_000, currency="SAR")
        shop.orders.create(order_id, customer, 20_000, currency="SAR", lines=lines,
                           checkout_id=checkout.id)
        shop.orders.set_status(order_id, "shipped" if n % 2 else "paid")


def _analyze(bf: Any) -> None:
    from sqlalchemy import text

    with bf.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


# -- serving and timing ------------------------------------------------------------------


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """uvicorn serving `app` on 127.0.0.1 and a port the OS picked, in a thread."""
    import uvicorn

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(SERVER_START_TIMEOUT_SECONDS)
        listener.close()


def time_pages(base_url: str, targets: Targets, requests: int) -> list[dict[str, Any]]:
    import httpx

    fields = vars(targets)
    rows = []
    with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client:
        login = client.post("/dashboard/login",
                            data={"email": LOGIN_EMAIL, "password": targets.password})
        assert login.status_code == 303, (login.status_code, login.text[:200])
        for name, template in PAGES:
            path = template.format(**fields)
            client.get(path)  # warm-up
            latencies_ms, statuses = [], set()
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get(path)
                latencies_ms.append((time.perf_counter() - started) * 1000)
                statuses.add(response.status_code)
            rows.append({"page": name, "path": path,
                         "median_ms": statistics.median(latencies_ms),
                         "p95_ms": percentile(latencies_ms, 0.95),
                         "statuses": sorted(statuses)})
            log(f"{name}: median {rows[-1]['median_ms']:.1f} ms, statuses {sorted(statuses)}")
    return rows


def measure(database_url: str, backend: str, customers: int, requests: int,
            all_today: bool = False) -> dict[str, Any]:
    from billfold.api.main import create_app
    from billfold.app import Billfold

    clock = None if all_today else ShiftedClock()
    with Billfold(database_url, clock=clock) as bf:
        started = time.perf_counter()
        targets = seed(bf, customers, random.Random(1), clock)
        seed_seconds = time.perf_counter() - started
        log(f"{backend}: seeded {customers:,} customers in {seed_seconds:.1f} s")
        if not all_today:
            started = time.perf_counter()
            bf.sweep()
            log(f"{backend}: one worker pass (sweep and roll-up) in "
                f"{time.perf_counter() - started:.1f} s")
        if backend == "postgres":
            _analyze(bf)
        with serving(create_app(bf)) as base_url:
            rows = time_pages(base_url, targets, requests)
        report = bf.verify()
        assert report.ok, report.render()
    return {"backend": backend, "customers": customers, "requests": requests,
            "history": "all today" if all_today else f"{HISTORY_DAYS} days",
            "seed_seconds": seed_seconds, "pages": rows}


def run_backend(backend: str, customers: int, requests: int,
                all_today: bool = False) -> dict[str, Any]:
    from bench import refs

    with tempfile.TemporaryDirectory(prefix="billfold-bench-pages-") as tmp:
        if backend == "sqlite":
            return measure(f"sqlite:///{Path(tmp) / 'billfold.db'}", backend, customers,
                           requests, all_today)
        with refs.embedded_postgres() as server:
            return measure(server.create_database("pages"), backend, customers, requests,
                           all_today)


def render(result: dict[str, Any]) -> str:
    lines = [f"{result['backend']}: {result['customers']:,} customers, history "
             f"{result['history']} (seeded in {result['seed_seconds']:.0f} s), "
             f"{result['requests']} GETs per page",
             f"  {'page':<18} {'median ms':>10} {'p95 ms':>9}  status  path"]
    for row in result["pages"]:
        status = ",".join(str(s) for s in row["statuses"])
        flag = "" if row["statuses"] == [200] else "  *not 200"
        flag += "  *slow" if row["median_ms"] > SLOW_MEDIAN_MS else ""
        lines.append(f"  {row['page']:<18} {row['median_ms']:>10.1f} {row['p95_ms']:>9.1f}"
                     f"  {status:<6}  {row['path'][:60]}{flag}")
    worst = max(result["pages"], key=lambda row: row["median_ms"])
    lines.append(f"  worst: {worst['page']} ({worst['path'][:60]}), median "
                 f"{worst['median_ms']:.1f} ms, p95 {worst['p95_ms']:.1f} ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_CUSTOMERS:,} customers instead of {FULL_CUSTOMERS:,}.")
    parser.add_argument("--customers", type=int, default=None)
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS)
    parser.add_argument("--all-today", action="store_true",
                        help="Every movement today (no closed day to roll up): the worst "
                             "case for the home page's flows.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    customers = args.customers or (QUICK_CUSTOMERS if args.quick else FULL_CUSTOMERS)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = [run_backend(backend, customers, args.requests, args.all_today)
               for backend in backends]
    if args.json:
        print(json.dumps(results))
    else:
        print("\n".join(render(result) for result in results))
    all_ok = all(row["statuses"] == [200] for result in results for row in result["pages"])
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
