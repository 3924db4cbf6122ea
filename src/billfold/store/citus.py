"""Citus: where the database has the `citus` extension, `billfold migrate` ends by
distributing what is not distributed yet (so a later migration's new table is
distributed by the next migrate).

- `stores` is distributed by `store_id`; every other store table by `store_id` too,
  co-located with it, so that all of one store's rows live on one shard and every
  money movement is a single-shard transaction.
- The three tables read by something other than a store — a dashboard session or a
  portal session by its token's digest, a dashboard user by email at login — are
  reference tables (a copy on every node). They are small and seldom written.
- `alembic_version` stays on the coordinator.
- Every billfold function is distributed: the ones the library calls (`ENTRY_POINTS`)
  by their `p_store_id`, co-located with `stores`, so the coordinator hands each call
  to the worker that holds the store's shard; the helpers those call without a
  distribution argument, so that every worker has them and runs them where it is (a
  helper delegated again from inside a delegated call would be a nested distributed
  query, which Citus refuses).

- Lock waits are bounded on the workers as on the coordinator (`LOCK_TIMEOUT_MS`): a
  delegated call runs in a worker's own session, which billfold's connection options
  do not reach, so the database gets it as its default on every node
  (`bound_lock_waits`, at every migrate and when a worker is added).

Nothing here runs on SQLite or on a PostgreSQL without Citus.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

from billfold.store.engine import LOCK_TIMEOUT_MS
from billfold.store.tables import metadata

ANCHOR = "stores"
REFERENCE_TABLES = frozenset({"dashboard_sessions", "portal_sessions", "dashboard_users"})
DISTRIBUTION_COLUMN = "store_id"
DISTRIBUTION_ARGUMENT = "p_store_id"
ENTRY_POINTS = frozenset({
    "billfold_credit_keyed", "billfold_debit_keyed", "billfold_hold_keyed",
    "billfold_capture_keyed", "billfold_release_keyed", "billfold_grant",
    "billfold_sweep_expired",
})


def has_citus(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql" and bool(conn.execute(text(
        "SELECT 1 FROM pg_extension WHERE extname = 'citus'")).scalar())


def distribute(engine: Engine) -> list[str]:
    """Distribute every table and function that is not yet; what it distributed. Each
    in a transaction of its own (Citus copies a table's rows to its shards)."""
    with engine.connect() as conn:
        if not has_citus(conn):
            return []
        done = set(conn.execute(text(
            "SELECT logicalrelid::regclass::text FROM pg_dist_partition")).scalars())
    tables = [ANCHOR, *sorted(t.name for t in metadata.sorted_tables if t.name != ANCHOR)]
    made = []
    for name in tables:
        if name in done:
            continue
        with engine.begin() as conn:
            if name in REFERENCE_TABLES:
                conn.execute(text("SELECT create_reference_table(:t)"), {"t": name})
            elif name == ANCHOR:
                conn.execute(text("SELECT create_distributed_table(:t, :c)"),
                             {"t": name, "c": DISTRIBUTION_COLUMN})
            else:
                conn.execute(text("SELECT create_distributed_table(:t, :c, colocate_with "
                                  "=> :a)"), {"t": name, "c": DISTRIBUTION_COLUMN,
                                              "a": ANCHOR})
        made.append(name)
    made += _distribute_functions(engine)
    bound_lock_waits(engine)
    return made


def bound_lock_waits(engine: Engine) -> None:
    """This database on every node: no statement waits on a lock longer than
    `LOCK_TIMEOUT_MS` (the default of new sessions, which Citus's connections to the
    workers pick up as they are opened)."""
    with engine.begin() as conn:
        database = conn.execute(text("SELECT current_database()")).scalar_one()
        command = (f"ALTER DATABASE {conn.dialect.identifier_preparer.quote(database)} "
                   f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
        conn.execute(text(command))  # Citus passes it on to every worker


def _distribute_functions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        pending = conn.execute(text("""
            SELECT p.oid::regprocedure::text, p.proname = ANY (:entry_points)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            LEFT JOIN pg_dist_object d
                   ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
            WHERE n.nspname = current_schema() AND p.proname LIKE 'billfold\\_%'
              AND (d.objid IS NULL  -- Citus may have copied it to the workers already,
                   OR (p.proname = ANY (:entry_points)  -- but delegates by store only
                       AND d.distribution_argument_index IS NULL))  -- when told so
            ORDER BY 1"""), {"entry_points": sorted(ENTRY_POINTS)}).all()
    made = []
    for signature, by_store in pending:
        with engine.begin() as conn:
            if by_store:
                conn.execute(text("SELECT create_distributed_function(:f, :arg, "
                                  "colocate_with => :a)"),
                             {"f": signature, "arg": DISTRIBUTION_ARGUMENT, "a": ANCHOR})
            else:
                conn.execute(text("SELECT create_distributed_function(:f)"),
                             {"f": signature})
        made.append(signature)
    return made


# -- operating a cluster (`billfold cluster …`) -------------------------------------------

def add_worker(engine: Engine, host: str, port: int) -> int:
    """Add a worker node, which must already have this database with the citus
    extension in it; its node id. Shards move to it only with a rebalance."""
    with engine.begin() as conn:
        node = int(conn.execute(text("SELECT citus_add_node(:h, :p)"),
                                {"h": host, "p": port}).scalar_one())
    bound_lock_waits(engine)
    return node


def rebalance(engine: Engine, transfer_mode: str = "auto") -> int | None:
    """Start moving shards so every worker holds a fair share (a background job); the
    job's id, or None when the shards are balanced already. `auto` moves them online by
    logical replication (the nodes need `wal_level = logical`); `block_writes` copies
    them while writes to the moving shards wait."""
    with engine.begin() as conn:
        job = conn.execute(text("SELECT citus_rebalance_start(shard_transfer_mode => "
                                "CAST(:m AS citus.shard_transfer_mode))"),
                           {"m": transfer_mode}).scalar()
    return None if job is None else int(job)


def shard_of(engine: Engine, store_id: str) -> tuple[int, str, int]:
    """The shard holding a store's rows of `stores` (and, co-located, of every store
    table): (shard id, worker host, worker port)."""
    with engine.connect() as conn:
        row = conn.execute(text("""
            SELECT s.shardid, n.nodename, n.nodeport
            FROM pg_dist_shard s
            JOIN pg_dist_placement p ON p.shardid = s.shardid
            JOIN pg_dist_node n ON n.groupid = p.groupid
            WHERE s.shardid = get_shard_id_for_distribution_column(:t, CAST(:s AS text))"""),
            {"t": ANCHOR, "s": store_id}).one()
    return int(row.shardid), str(row.nodename), int(row.nodeport)


def move_store(engine: Engine, store_id: str, host: str, port: int) -> None:
    """Move the shard group holding a store (every co-located table's shard) to another
    worker; writes to those shards wait while it is copied, none is lost."""
    shard, from_host, from_port = shard_of(engine, store_id)
    with engine.begin() as conn:
        conn.execute(text(
            "SELECT citus_move_shard_placement(:shard, :fh, :fp, :th, :tp, "
            "shard_transfer_mode => 'block_writes')"),
            {"shard": shard, "fh": from_host, "fp": from_port, "th": host, "tp": port})


def isolate_store(engine: Engine, store_id: str) -> int:
    """Give one large store shards of its own (tenant isolation), every co-located
    table with it; the new shard id of its `stores` row. Move it with `move_store`."""
    with engine.begin() as conn:
        return int(conn.execute(text(
            "SELECT isolate_tenant_to_new_shard(:t, CAST(:s AS text), cascade_option => 'CASCADE', "
            "shard_transfer_mode => 'block_writes')"), {"t": ANCHOR, "s": store_id})
            .scalar_one())
