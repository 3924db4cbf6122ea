"""`billfold bench`: billfold against the raw limit of the same database, same run.

Per backend: start the database (an embedded PostgreSQL, or a SQLite file in
a temporary directory), seed it, measure the references, the library rows, the
HTTP rows (when `billfold serve` answers the API.md paths), the bulk paths and
the growth of read latency with history; then `billfold verify` the books.
Prints a table, then, last, one JSON line (see bench/README.md for its keys).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench import bulk, cpu, http, refs, seed
from bench.clients import HttpClient, LibraryClient
from bench.load import Fleet, PointResult, percentile, split

CONCURRENCIES = (1, 8, 32)
LIBRARY_OPS = ("credit", "debit", "hold_capture", "balance", "history")
CONSUMING_OPS = ("debit", "hold_capture")
READ_OPS = ("balance", "history")  # measured after the write rows, in this order
LARGE_LEDGER_CONCURRENCY = 8
FILLER_POSTINGS = 1_000_000
PGBENCH_SCALES = {"hot": 1, "spread": 10}
UNIT = "SAR"


@dataclass(frozen=True)
class Plan:
    """How big and how long: `--quick` for CI (a few minutes), full for RESULTS.md."""

    quick: bool
    duration_seconds: float
    read_wallets: int
    wallets_per_point: dict[int, int]  # concurrency -> wallets for one consuming point
    grant_customers: int
    expiry_wallets: int  # five lots each
    growth_postings: tuple[int, ...]
    growth_reads: int
    http_workers: tuple[int, ...]
    growth_store_postings: int = 0  # PostgreSQL: fill the growth store up to this many
    concurrencies: tuple[int, ...] = CONCURRENCIES
    isolate_bulk: bool = True  # a fresh interpreter per bulk job, for a clean peak RSS
    http_backends: tuple[str, ...] = ("sqlite", "postgres")

    @classmethod
    def make(cls, quick: bool) -> Plan:
        if quick:
            return cls(True, 1.5, 100, {1: 400, 8: 600, 32: 800}, 500, 200,
                       (1_000, 100_000), 150, (1,), growth_store_postings=300_000,
                       http_backends=("postgres",))
        return cls(False, 10.0, 1_000, {1: 2_000, 8: 3_000, 32: 3_000}, 100_000, 20_000,
                   (1_000, 100_000, 1_000_000), 500, (1, 2),
                   growth_store_postings=10_000_000)

    def duration_for(self, op: str) -> float:
        return self.duration_seconds


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- one backend -------------------------------------------------------------------------


class BackendRun:
    """Everything measured on one backend; rows keyed like `pg_library_debit_c8`."""

    def __init__(self, backend: str, plan: Plan, url: str, workdir: Path):
        self.backend, self.plan, self.url, self.workdir = backend, plan, url, workdir
        self.prefix = "pg" if backend == "postgres" else "sqlite"
        self.rows: dict[str, PointResult] = {}
        self.references: dict[str, PointResult] = {}
        self.notes: list[str] = []
        self.extra: dict[str, Any] = {}
        self._pools: dict[str, list[str]] = {}
        self.cpu_groups: cpu.CpuGroups = {}  # the database server's CPU, where it has one

    # seeding ------------------------------------------------------------------------

    def seed(self) -> None:
        from billfold.app import Billfold

        plan = self.plan
        billfold = Billfold(self.url)
        self.store_id = billfold.create_store("Bench shop", currency=UNIT).id
        self.api_key = billfold.create_api_key(self.store_id).secret
        self.grant_store = billfold.create_store("Bench grant", currency=UNIT).id
        self.expiry_store = billfold.create_store("Bench expiry", currency=UNIT).id
        self.growth_store = billfold.create_store("Bench growth", currency=UNIT).id
        large = (plan.wallets_per_point[LARGE_LEDGER_CONCURRENCY]
                 if self._fills_growth_store() else 0)
        names = [f"cus-{n:06d}" for n in range(
            plan.read_wallets + len(CONSUMING_OPS) * (1 + len(plan.http_workers))
            * sum(plan.wallets_per_point.values()) + large)]
        self._pools["read"], rest = names[:plan.read_wallets], names[plan.read_wallets:]
        self._pools["large_ledger"], rest = rest[:large], rest[large:]
        for path in ["library", *[f"http{n}" for n in plan.http_workers]]:
            for op in CONSUMING_OPS:
                for concurrency, count in plan.wallets_per_point.items():
                    self._pools[f"{path}_{op}_c{concurrency}"], rest = rest[:count], rest[count:]
        assert not rest
        started = time.perf_counter()
        now = billfold.clock.now()
        lots = 0
        with billfold.begin() as conn:
            lots += seed.seed_wallets(conn, self.store_id, UNIT, now, names)
            lots += seed.seed_wallets(conn, self.store_id, UNIT, now, ["hot"],
                                      lot_amount=seed.HOT_LOT_AMOUNT)
            self.grant_customers = [f"grant-{n:06d}" for n in range(plan.grant_customers)]
            lots += seed.seed_wallets(conn, self.grant_store, UNIT, now, self.grant_customers)
            lots += seed.seed_wallets(conn, self.expiry_store, UNIT, now,
                                      [f"exp-{n:06d}" for n in range(plan.expiry_wallets)],
                                      expire_in_days=1)
        self.sweep_at = now + timedelta(days=2)
        wallets = len(names) + 1 + plan.grant_customers + plan.expiry_wallets
        self.extra["seed"] = {"wallets": wallets, "lots": lots,
                              "seconds": round(time.perf_counter() - started, 2)}
        log(f"{self.backend}: seeded {wallets} wallets, {lots} lots in "
            f"{time.perf_counter() - started:.1f}s")
        self._analyze(billfold)
        billfold.close()

    def _analyze_after_writes(self) -> None:
        """Fresh planner statistics before the read rows: the write rows have just filled
        tables that were empty when the seed was analyzed (seeded credits write no lot
        entries), and a plan made for an empty table scans it whole. Autovacuum analyzes
        a table within a minute of that many changes; a bench point is seconds long."""
        from billfold.app import Billfold

        billfold = Billfold(self.url, migrate=False)
        self._analyze(billfold)
        billfold.close()

    def _fills_growth_store(self) -> bool:
        return self.backend == "postgres" and self.plan.growth_store_postings > 0

    def seed_growth(self) -> None:
        """The growth wallets' long histories (and, full run on PostgreSQL, the store
        filled to 10^7 postings) — after the throughput rows, which therefore measure
        the seeded shop, not a database that no longer fits in shared_buffers; one
        extra row (`measure_large_ledger`) measures the debit again after the fill."""
        from billfold.app import Billfold

        plan = self.plan
        billfold = Billfold(self.url, migrate=False)
        now = billfold.clock.now()
        started = time.perf_counter()
        histories = [(f"growth-{postings}", postings) for postings in plan.growth_postings]
        if self._fills_growth_store():
            # Fill the growth store up to its total with wallets of 10^6 postings (each
            # pair of a wallet's postings also posts twice to the store's accounts).
            left = max(0, plan.growth_store_postings - 2 * sum(plan.growth_postings))
            filler = min(FILLER_POSTINGS, left // 2)
            histories += [(f"filler-{n}", filler)
                          for n in range(-(-left // (2 * filler)) if filler else 0)]
        write = (seed.seed_history_in_postgres if self.backend == "postgres"
                 else seed.seed_history)
        for customer_id, postings in histories:
            with billfold.begin() as conn:
                write(conn, self.growth_store, UNIT, now, customer_id, postings)
        with billfold.begin(read_only=True) as conn:
            store_postings = conn.execute(text(
                "SELECT count(*) FROM postings WHERE store_id = :s"),
                {"s": self.growth_store}).scalar_one()
        self.extra["growth_store_postings"] = store_postings
        log(f"{self.backend}: seeded growth wallets {plan.growth_postings} "
            f"({len(histories) - len(plan.growth_postings)} fillers; the store has "
            f"{store_postings} postings) in {time.perf_counter() - started:.1f}s")
        self._analyze(billfold)
        billfold.close()

    def _analyze(self, billfold: Any) -> None:
        """Fresh planner statistics after bulk loading (autovacuum would, a bit later)."""
        with billfold.engine.connect() as conn:
            if self.backend == "postgres":
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
            else:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()

    # library rows ----------------------------------------------------------------------

    def measure_library(self) -> None:
        from billfold.app import Billfold

        url, store_id = self.url, self.store_id
        if self.backend == "postgres":
            def make() -> LibraryClient:
                return LibraryClient(Billfold(url, migrate=False), store_id,
                                     owns_billfold=True)
            kind = "process"
        else:
            shared = Billfold(url, migrate=False)

            def make() -> LibraryClient:
                return LibraryClient(shared, store_id)
            kind = "thread"
        with Fleet(kind, max(self.plan.concurrencies), make) as fleet:
            self._measure_ops(fleet, "library", LIBRARY_OPS)
            for concurrency in self.plan.concurrencies[1:]:  # one hot wallet, many clients
                name = f"{self.prefix}_library_hot_debit_c{concurrency}"
                self._record(fleet.run(name, "hot_debit", [["hot"]] * concurrency,
                                       self.plan.duration_seconds, self.cpu_groups))
        if kind == "thread":
            shared.close()

    def _measure_ops(self, fleet: Fleet, path: str, ops: tuple[str, ...] | list[str],
                     cpu_groups: cpu.CpuGroups | None = None) -> None:
        for op in ops:
            if op == READ_OPS[0]:
                self._analyze_after_writes()
            for concurrency in self.plan.concurrencies:
                name = f"{self.prefix}_{path}_{op}_c{concurrency}"
                if op in CONSUMING_OPS:
                    pool = self._pools[f"{path}_{op}_c{concurrency}"]
                else:
                    pool = self._pools["read"]
                slices = split(pool, concurrency)
                self._record(fleet.run(name, op, slices, self.plan.duration_for(op),
                                       {**self.cpu_groups, **(cpu_groups or {})}))

    def _record(self, result: PointResult) -> None:
        self.rows[result.name] = result
        note = " (wallets ran dry: stopped early)" if result.exhausted else ""
        if result.errors:
            note += f" {result.errors} errors, first: {result.first_error}"
        log(f"{result.name}: {result.ops_per_s:.0f} ops/s p50 "
            f"{result.percentile_ms(0.5):.1f} ms p99 {result.percentile_ms(0.99):.1f} ms "
            f"{_cpu_text(result)}{note}")

    # HTTP rows -------------------------------------------------------------------------

    def measure_http(self) -> None:
        for workers in self.plan.http_workers:
            if workers > 1 and self.backend == "sqlite":
                self.notes.append(f"HTTP with {workers} workers skipped on SQLite: "
                                  "`serve --workers` is for PostgreSQL.")
                log(self.notes[-1])
                continue
            if workers > 1 and not http.serve_supports_workers():
                self.notes.append(f"HTTP with {workers} workers skipped: "
                                  "`billfold serve` has no --workers option yet.")
                log(self.notes[-1])
                continue
            path = f"http{workers}"
            with http.billfold_serve(self.url, self.workdir / f"serve-{workers}.log",
                                     workers) as (base_url, server_pid):
                ops, reason = http.available_ops(base_url)
                if reason:
                    self.notes.append(f"HTTP rows skipped for {reason}.")
                    log(self.notes[-1])
                if not ops:
                    return
                api_key = self.api_key

                def make(base_url: str = base_url, api_key: str = api_key) -> HttpClient:
                    return HttpClient(base_url, api_key)

                app = {"app": lambda pid=server_pid: cpu.tree_cpu_seconds(pid)}
                with Fleet("process", max(self.plan.concurrencies), make) as fleet:
                    self._measure_ops(fleet, path, ops, app)

    # references ------------------------------------------------------------------------

    def measure_references(self, server: refs.PostgresServer | None) -> None:
        duration = self.plan.duration_seconds
        if server is not None:
            for label, scale in PGBENCH_SCALES.items():
                database = f"pgbench_s{scale}"
                started = time.perf_counter()
                refs.pgbench_init(server, database, scale)
                log(f"pgbench -i -s {scale}: {time.perf_counter() - started:.1f}s")
                for concurrency in self.plan.concurrencies:
                    name = f"pgbench_{label}_s{scale}_c{concurrency}"
                    before = cpu.snapshot(self._reference_cpu())
                    result = refs.pgbench_run(server, database, name, concurrency, duration)
                    result.cpu_seconds = cpu.used(before, cpu.snapshot(self._reference_cpu()))
                    self.references[name] = result
                    self._log_reference(result)
        else:
            path = str(self.workdir / "reference.db")
            refs.sqlite_reference_init(path)
            for concurrency in self.plan.concurrencies:
                before = cpu.snapshot(self._reference_cpu())
                result = refs.sqlite_reference_run(path, f"sqlite_bare_c{concurrency}",
                                                   concurrency, duration)
                result.cpu_seconds = cpu.used(before, cpu.snapshot(self._reference_cpu()))
                self.references[result.name] = result
                self._log_reference(result)

    def _reference_cpu(self) -> cpu.CpuGroups:
        """The reference's sides: the server's, and pgbench's (a child process, counted
        once waited for) or this process's (the bare SQLite loop runs in threads)."""
        client = (cpu.children_cpu_seconds if self.cpu_groups
                  else lambda: cpu.process_cpu_seconds(os.getpid()))
        return {**self.cpu_groups, "client": client}

    def _log_reference(self, result: PointResult) -> None:
        log(f"{result.name}: {result.ops_per_s:.0f} tps p50 "
            f"{result.percentile_ms(0.5):.1f} ms p99 {result.percentile_ms(0.99):.1f} ms "
            f"{_cpu_text(result)}")

    def reference_for(self, name: str) -> PointResult | None:
        concurrency = name.rsplit("_c", 1)[1]
        if self.backend == "sqlite":
            return self.references.get(f"sqlite_bare_c{concurrency}")
        label = "hot" if "_hot_" in name else "spread"
        return self.references.get(
            f"pgbench_{label}_s{PGBENCH_SCALES[label]}_c{concurrency}")

    # bulk and growth -------------------------------------------------------------------

    def measure_bulk(self) -> None:
        run = bulk.run_isolated if self.plan.isolate_bulk else bulk.run_here
        grant = run("grant", self.url, self.grant_store, self.grant_customers)
        log(f"{self.backend}: bulk grant {grant['lots']} lots: {grant['lots_per_s']:.0f} "
            f"lots/s, peak +{grant['peak_mib_over_baseline']:.1f} MiB")
        expiry = run("expire", self.url, self.expiry_store, self.sweep_at)
        log(f"{self.backend}: expiry sweep {expiry['lots']} lots: "
            f"{expiry['lots_per_s']:.0f} lots/s, peak +{expiry['peak_mib_over_baseline']:.1f} MiB")
        self.extra["bulk"] = {"grant": grant, "expiry": expiry}

    def measure_large_ledger(self) -> None:
        """Full run on PostgreSQL: the library debit at LARGE_LEDGER_CONCURRENCY clients
        again, now that the database holds the 10^7-posting store (compared with the
        same pgbench figure as the first measurement)."""
        if not self._fills_growth_store():
            return
        from billfold.app import Billfold

        url, store_id = self.url, self.store_id

        def make() -> LibraryClient:
            return LibraryClient(Billfold(url, migrate=False), store_id, owns_billfold=True)

        with Fleet("process", LARGE_LEDGER_CONCURRENCY, make) as fleet:
            name = f"{self.prefix}_library_large_ledger_debit_c{LARGE_LEDGER_CONCURRENCY}"
            self._record(fleet.run(name, "debit", split(self._pools["large_ledger"],
                                                        LARGE_LEDGER_CONCURRENCY),
                                   self.plan.duration_seconds))

    def measure_growth(self) -> None:
        from billfold.app import Billfold

        billfold = Billfold(self.url, migrate=False)
        client = LibraryClient(billfold, self.growth_store)
        figures: dict[str, dict[int, float]] = {"balance_read": {}, "history_page": {}}
        calls: dict[str, Callable[[str], None]] = {
            "balance_read": client.balance, "history_page": client.history}
        samples: dict[tuple[str, int], list[float]] = {}
        for _ in range(self.plan.growth_reads):
            for postings in self.plan.growth_postings:
                for label, call in calls.items():
                    started = time.perf_counter()
                    call(f"growth-{postings}")
                    samples.setdefault((label, postings), []).append(
                        (time.perf_counter() - started) * 1000)
        for (label, postings), values in samples.items():
            figures[label][postings] = percentile(values[1:], 0.5)  # first call warms up
        billfold.close()
        self.extra["growth_p50_ms"] = figures
        log(f"{self.backend}: growth p50 ms {json.dumps(figures)}")

    def verify(self) -> None:
        from billfold.app import Billfold

        started = time.perf_counter()
        billfold = Billfold(self.url, migrate=False)
        report = billfold.verify()
        billfold.close()
        self.extra["verify"] = {"ok": report.ok, "postings": report.postings,
                                "seconds": round(time.perf_counter() - started, 2)}
        log(f"{self.backend}: verify: {report.render().splitlines()[0]}")
        if not report.ok:
            self.notes.append("billfold verify FAILED after the run:\n" + report.render())


@contextlib.contextmanager
def _database(backend: str, workdir: Path) -> Iterator[tuple[str, refs.PostgresServer | None]]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'billfold.db'}", None
        return
    with refs.embedded_postgres() as server:
        yield server.create_database("billfold_bench"), server


def run_backend(backend: str, plan: Plan, *, with_http: bool = True) -> BackendRun:
    workdir = Path(tempfile.mkdtemp(prefix=f"billfold-bench-{backend}-"))
    try:
        with _database(backend, workdir) as (url, server):
            run = BackendRun(backend, plan, url, workdir)
            if server is not None:
                postmaster = cpu.postmaster_pid(server.data_dir)
                run.cpu_groups["db"] = lambda: cpu.tree_cpu_seconds(postmaster)
            started = time.perf_counter()
            run.seed()
            run.measure_references(server)
            run.measure_library()
            if with_http and backend in plan.http_backends:
                run.measure_http()
            run.measure_bulk()
            run.seed_growth()
            run.measure_growth()
            run.measure_large_ledger()
            run.verify()
            run.extra["seconds"] = round(time.perf_counter() - started, 1)
            return run
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# -- the report --------------------------------------------------------------------------


def _round(value: float) -> float:
    return round(value, 3) if value < 10 else round(value, 1)


def summarize(runs: list[BackendRun], plan: Plan, seconds: float) -> dict[str, Any]:
    """Every figure and ratio, in the shape issue 5 gives (plus more keys)."""
    ops_per_s: dict[str, float] = {}
    p50: dict[str, float] = {}
    p99: dict[str, float] = {}
    ratios: dict[str, float | None] = {}
    references: dict[str, float] = {}
    cpu_us: dict[str, dict[str, float]] = {}
    bulk_lots: dict[str, float] = {}
    bulk_peak: dict[str, float] = {}
    growth: dict[str, float] = {}
    notes: list[str] = []
    for run in runs:
        for name, result in {**run.references, **run.rows}.items():
            ops_per_s[name] = _round(result.ops_per_s)
            p50[name] = _round(result.percentile_ms(0.5))
            p99[name] = _round(result.percentile_ms(0.99))
            cpu_us[name] = result.cpu_us_per_op
        for name, result in run.references.items():
            references[name] = _round(result.ops_per_s)
        for name, result in run.rows.items():
            reference = run.reference_for(name)
            if reference is not None and reference.ops_per_s > 0:
                ratios[name] = round(result.ops_per_s / reference.ops_per_s, 3)
        if "bulk" in run.extra:
            for job, figures in run.extra["bulk"].items():
                key = f"{run.prefix}_{'grant' if job == 'grant' else 'expiry'}"
                bulk_lots[key] = _round(figures["lots_per_s"])
                bulk_peak[key] = _round(figures["peak_mib_over_baseline"])
        if "growth_p50_ms" in run.extra:
            sizes = plan.growth_postings
            for label, by_size in run.extra["growth_p50_ms"].items():
                for size in sizes[1:]:
                    growth[f"{run.prefix}_{label}_1e{len(str(size)) - 1}"] = round(
                        by_size[size] / by_size[sizes[0]], 3)
        notes.extend(f"{run.backend}: {note}" for note in run.notes)
    # the headline keys of issue 5
    headline_ratios = {
        "pg_library_debit_c8": ratios.get("pg_library_debit_c8"),
        "pg_hot_wallet_c8": ratios.get("pg_library_hot_debit_c8"),
        "pg_http_debit_c32": ratios.get("pg_http1_debit_c32"),
        "sqlite_library_debit": ratios.get("sqlite_library_debit_c1"),
    }
    biggest = len(str(plan.growth_postings[-1])) - 1
    main_prefix = "pg" if any(r.prefix == "pg" for r in runs) else "sqlite"
    return {
        "ratios": {**headline_ratios, **ratios},
        "p99_ms": {"pg_http_debit_c32": p99.get("pg_http1_debit_c32"), **p99},
        "p50_ms": p50,
        "ops_per_s": ops_per_s,
        "references": references,
        "cpu_us_per_op": cpu_us,
        "bulk_lots_per_s": {"grant": bulk_lots.get(f"{main_prefix}_grant"),
                            "expiry": bulk_lots.get(f"{main_prefix}_expiry"), **bulk_lots},
        "bulk_peak_mib": bulk_peak,
        "growth": {"balance_read": growth.get(f"{main_prefix}_balance_read_1e{biggest}"),
                   "history_page": growth.get(f"{main_prefix}_history_page_1e{biggest}"),
                   **growth},
        "growth_p50_ms": {run.prefix: run.extra.get("growth_p50_ms") for run in runs},
        "runs": {run.prefix: {key: value for key, value in run.extra.items()
                              if key not in ("growth_p50_ms",)} for run in runs},
        "meta": {"mode": "quick" if plan.quick else "full", "seconds": round(seconds, 1),
                 "duration_per_point_s": plan.duration_seconds,
                 "cores": os.cpu_count(), "python": platform.python_version(),
                 "machine": platform.platform(), "notes": notes},
    }


def _cpu_columns(result: PointResult) -> str:
    per_op = result.cpu_us_per_op
    return " ".join(f"{per_op[side]:>7.0f}" if side in per_op else f"{'-':>7}"
                    for side in ("db", "app", "client"))


def _cpu_text(result: PointResult) -> str:
    """CPU per operation by side, for the log line."""
    return "CPU/op " + " ".join(f"{side} {us:.0f} µs"
                                for side, us in result.cpu_us_per_op.items())


def render_table(runs: list[BackendRun]) -> str:
    lines = [f"{'row':<34} {'ops/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7} "
             f"{'db µs':>7} {'app µs':>7} {'cli µs':>7}  reference (CPU per op by side)"]
    for run in runs:
        for name, result in run.references.items():
            lines.append(f"{name:<34} {result.ops_per_s:>9.0f} "
                         f"{result.percentile_ms(0.5):>8.2f} {result.percentile_ms(0.99):>8.2f}"
                         f" {'':>7} {_cpu_columns(result)}  (reference)")
        for name, result in run.rows.items():
            reference = run.reference_for(name)
            ratio = (f"{result.ops_per_s / reference.ops_per_s:>7.3f}"
                     if reference is not None and reference.ops_per_s else f"{'-':>7}")
            flag = " *dry" if result.exhausted else ""
            flag += f" *{result.errors} errors" if result.errors else ""
            lines.append(f"{name:<34} {result.ops_per_s:>9.0f} "
                         f"{result.percentile_ms(0.5):>8.2f} {result.percentile_ms(0.99):>8.2f}"
                         f" {ratio} {_cpu_columns(result)}  "
                         f"{reference.name if reference else ''}{flag}")
        bulk_figures = run.extra.get("bulk", {})
        for job, figures in bulk_figures.items():
            lines.append(f"{run.prefix}_bulk_{job:<25} {figures['lots_per_s']:>9.0f} lots/s "
                         f"over {figures['lots']} lots, peak "
                         f"+{figures['peak_mib_over_baseline']:.1f} MiB")
        for label, by_size in run.extra.get("growth_p50_ms", {}).items():
            sizes = "  ".join(f"{size:.0e}: {value:.2f} ms" for size, value in by_size.items())
            lines.append(f"{run.prefix}_growth_{label:<22} p50 {sizes}")
    return "\n".join(lines)


def main(*, quick: bool, backend: str, as_json: bool) -> int:
    plan = Plan.make(quick)
    backends = {"both": ["sqlite", "postgres"], "sqlite": ["sqlite"],
                "postgres": ["postgres"]}[backend]
    started = time.perf_counter()
    runs = []
    for name in backends:
        log(f"{name}: {'quick' if quick else 'full'} run")
        runs.append(run_backend(name, plan))
    summary = summarize(runs, plan, time.perf_counter() - started)
    if not as_json:
        print(render_table(runs))
        for note in summary["meta"]["notes"]:
            print(f"note: {note}")
    print(json.dumps(summary, sort_keys=False, separators=(",", ":")))
    return 0 if all(run.extra.get("verify", {}).get("ok") for run in runs) else 1
