"""A pytest plugin (loaded by tests/conftest.py): a real three-node Citus 13 cluster (one
coordinator, two workers) as the session fixture `citus_cluster`.

Opt-in: every test in this directory is marked `citus` and skipped unless
`BILLFOLD_CITUS=1` is set (the first run builds Citus into Debian's PostgreSQL 15,
see tests/citus/build.py, which takes a few minutes; later runs reuse it).

The servers are Debian's PostgreSQL 15 binaries, run as the `postgres` OS user
(PostgreSQL refuses root), each with its own data and socket directory under a
temp dir in /tmp and its own loopback port, trust auth for 127.0.0.1 only, and no
durability (fsync off): one cluster per test session. They are stopped at the
end of the session, at interpreter exit, and by a small watchdog process if the
test session is killed outright.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.citus import ENV_FLAG, citus_enabled
from tests.citus.build import PG_BIN, ensure_citus

SKIP_REASON = (
    f"Citus cluster tests are opt-in: set {ENV_FLAG}=1 "
    "(the first run builds Citus 13.2.2 into PostgreSQL 15, a few minutes)"
)
PG_OS_USER = "postgres"
PG_ROLE = "postgres"
DEFAULT_DB = "billfold"
HERE = Path(__file__).resolve().parent
_db_counter = itertools.count()

SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "shared_preload_libraries": "'citus'",
    "max_connections": "200",
    # Citus raises it by itself when 0; set it so all nodes agree from the start.
    "max_prepared_transactions": "200",
    "shared_buffers": "64MB",
    # Durability is not under test here: faster fixtures.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    # No phoning home from test clusters.
    "citus.enable_statistics_collection": "off",
    # Citus's own counters of single- and multi-shard executions (citus_stat_counters).
    "citus.enable_stat_counters": "on",
    "log_min_messages": "warning",
}

PG_HBA = """\
# billfold test cluster: trust, loopback only
local all all trust
host  all all 127.0.0.1/32 trust
"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    enabled = citus_enabled()
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.citus)
        if not enabled and item.get_closest_marker("citus") is not None:
            item.add_marker(skip)


# -- running things as the postgres OS user ---------------------------------------


def _as_pg_user(argv: list[str]) -> list[str]:
    """Root runs the servers as `postgres`; anyone else runs them as themselves."""
    if os.geteuid() != 0:
        return argv
    if shutil.which("runuser"):
        return ["runuser", "-u", PG_OS_USER, "--", *argv]
    return ["sudo", "-n", "-u", PG_OS_USER, "--", *argv]


def _pg(argv: list[str], *, what: str, timeout: float = 120) -> None:
    proc = subprocess.run(
        _as_pg_user(argv), capture_output=True, text=True, timeout=timeout, cwd="/"
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"{what} failed (exit {proc.returncode}): {' '.join(argv)}\n{proc.stdout}{proc.stderr}"
        )


def _pg_parallel(commands: list[list[str]], *, what: str, timeout: float = 120) -> None:
    procs = [
        subprocess.Popen(
            _as_pg_user(argv),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd="/",
        )
        for argv in commands
    ]
    failures = []
    for argv, proc in zip(commands, procs, strict=True):
        out, _ = proc.communicate(timeout=timeout)
        if proc.returncode != 0:
            failures.append(f"{' '.join(argv)} (exit {proc.returncode}):\n{out}")
    if failures:
        raise RuntimeError(f"{what} failed:\n" + "\n".join(failures))


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


# -- the cluster --------------------------------------------------------------------


@dataclass
class Node:
    name: str
    port: int
    home: Path  # owned by the postgres OS user: data/, sock/, server.log

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def socket_dir(self) -> Path:
        return self.home / "sock"

    @property
    def log(self) -> Path:
        return self.home / "server.log"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{PG_ROLE}@127.0.0.1:{self.port}/{database}"

    def execute(self, database: str, *statements: str) -> list[list[tuple]]:
        """Run statements in autocommit on this node; return each one's rows."""
        engine = create_engine(self.url(database), poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            results = []
            with engine.connect() as conn:
                for statement in statements:
                    result = conn.execute(text(statement))
                    results.append([tuple(row) for row in result] if result.returns_rows else [])
            return results
        finally:
            engine.dispose()


@dataclass
class CitusCluster:
    """A running coordinator and two workers; `url` is the coordinator's billfold database."""

    coordinator: Node
    workers: list[Node]
    base_dir: Path
    database: str = DEFAULT_DB
    databases: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the coordinator's default database (Citus set up in it)."""
        return self.coordinator.url(self.database)

    @property
    def coordinator_port(self) -> int:
        return self.coordinator.port

    @property
    def worker_ports(self) -> list[int]:
        return [worker.port for worker in self.workers]

    @property
    def worker_urls(self) -> list[str]:
        return [worker.url(self.database) for worker in self.workers]

    @property
    def nodes(self) -> list[Node]:
        return [self.coordinator, *self.workers]

    def create_database(self, name: str | None = None, workers: int | None = None) -> str:
        """A fresh database on every node, Citus in each, workers registered on the
        coordinator (all, or the first `workers`); return the coordinator's URL for it."""
        name = name or f"citus_{os.getpid()}_{next(_db_counter)}"
        for node in self.nodes:
            node.execute("postgres", f'CREATE DATABASE "{name}"')
        for node in self.nodes:
            node.execute(name, "CREATE EXTENSION citus")
        self.coordinator.execute(
            name,
            f"SELECT citus_set_coordinator_host('127.0.0.1', {self.coordinator.port})",
            *(f"SELECT citus_add_node('127.0.0.1', {port})"
              for port in self.worker_ports[:workers]),
        )
        self.databases.append(name)
        return self.coordinator.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database made by `create_database` on every node."""
        for node in self.nodes:
            node.execute("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.databases:
            self.databases.remove(name)


def _init_nodes(base: Path) -> list[Node]:
    names = ["coordinator", "worker1", "worker2"]
    ports = _free_ports(len(names))
    nodes = [Node(name, port, base / name) for name, port in zip(names, ports, strict=True)]
    pg = pwd.getpwnam(PG_OS_USER) if os.geteuid() == 0 else None
    for path in [base, *(n.home for n in nodes), *(n.socket_dir for n in nodes)]:
        path.mkdir(exist_ok=True)
        if pg is not None:
            os.chown(path, pg.pw_uid, pg.pw_gid)
    _pg_parallel(
        [
            [
                str(PG_BIN / "initdb"),
                f"--pgdata={n.data}",
                f"--username={PG_ROLE}",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ]
            for n in nodes
        ],
        what="initdb",
    )
    for node in nodes:
        settings = {
            **SERVER_SETTINGS,
            "port": str(node.port),
            "unix_socket_directories": f"'{node.socket_dir}'",
        }
        # Appending to / overwriting files initdb made keeps them owned by postgres.
        with (node.data / "postgresql.conf").open("a") as conf:
            conf.write("\n# billfold citus test cluster\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        (node.data / "pg_hba.conf").write_text(PG_HBA)
    return nodes


def _start(nodes: list[Node]) -> None:
    try:
        _pg_parallel(
            [
                [
                    str(PG_BIN / "pg_ctl"),
                    "start",
                    "-w",
                    "-t",
                    "60",
                    "-D",
                    str(n.data),
                    "-l",
                    str(n.log),
                ]
                for n in nodes
            ],
            what="pg_ctl start",
        )
    except RuntimeError as exc:
        logs = "\n".join(
            f"--- {n.name} log ---\n{n.log.read_text()[-3000:]}" for n in nodes if n.log.exists()
        )
        raise RuntimeError(f"{exc}\n{logs}") from exc


def _stop_command(node: Node, mode: str = "fast") -> list[str]:
    return _as_pg_user(
        [str(PG_BIN / "pg_ctl"), "stop", "-m", mode, "-w", "-t", "30", "-D", str(node.data)]
    )


def _stop(nodes: list[Node], base: Path) -> None:
    """Stop every node that is still running, then remove the temp dir (idempotent)."""
    for node in nodes:
        if (node.data / "postmaster.pid").exists():
            subprocess.run(_stop_command(node), capture_output=True, timeout=60, cwd="/")
    shutil.rmtree(base, ignore_errors=True)


# If pytest dies without running finalizers or atexit (SIGKILL, a killed CI job),
# this process, in its own session, notices and stops the servers.
_WATCHDOG = r"""
import json, os, shutil, subprocess, sys, time
parent, base, commands = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
while True:
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        break
    time.sleep(1)
for argv in commands:
    subprocess.run(argv, capture_output=True, timeout=60, cwd="/")
shutil.rmtree(base, ignore_errors=True)
"""


def _start_watchdog(nodes: list[Node], base: Path) -> subprocess.Popen:
    commands = [_stop_command(node, mode="immediate") for node in nodes]
    return subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(base), json.dumps(commands)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd="/",
    )


def start_cluster() -> tuple[CitusCluster, Callable[[], None]]:
    """Build Citus if needed and start a cluster; return it and its idempotent stop()."""
    ensure_citus()
    started = time.monotonic()
    base = Path(tempfile.mkdtemp(prefix="billfold-citus-", dir="/tmp"))
    nodes: list[Node] = []
    watchdog: subprocess.Popen | None = None

    def stop() -> None:
        _stop(nodes, base)
        if watchdog is not None and watchdog.poll() is None:
            watchdog.terminate()
            watchdog.wait(timeout=10)

    atexit.register(stop)
    try:
        nodes.extend(_init_nodes(base))
        _start(nodes)
        watchdog = _start_watchdog(nodes, base)
        cluster = CitusCluster(coordinator=nodes[0], workers=nodes[1:], base_dir=base)
        cluster.create_database(DEFAULT_DB)
    except BaseException:
        stop()
        raise
    print(
        f"\n[citus] cluster up in {time.monotonic() - started:.1f} s: coordinator "
        f"127.0.0.1:{cluster.coordinator_port}, workers {cluster.worker_ports}, data in {base}",
        file=sys.stderr,
    )
    return cluster, stop


@pytest.fixture(scope="session")
def citus_cluster(request: pytest.FixtureRequest) -> Iterator[CitusCluster]:
    """A running Citus cluster: `.url` is the coordinator's `billfold` database (Citus
    extension in it on every node, both workers added); `.create_database()` makes
    another such database and returns its coordinator URL."""
    if not citus_enabled():
        pytest.skip(SKIP_REASON)
    cluster, stop = start_cluster()
    try:
        yield cluster
    finally:
        stop()
