"""The `billfold` command: serve, worker, migrate, verify, stores, keys, users, demo,
cluster."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from billfold.settings import Settings

cli = typer.Typer(help="billfold: customer wallets on a double-entry ledger.",
                  no_args_is_help=True, add_completion=False)
stores_cli = typer.Typer(help="Manage stores.", no_args_is_help=True)
keys_cli = typer.Typer(help="Manage a store's secret API keys.", no_args_is_help=True)
users_cli = typer.Typer(help="Manage dashboard users.", no_args_is_help=True)
cli.add_typer(stores_cli, name="stores")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(users_cli, name="users")

DatabaseOption = Annotated[str | None, typer.Option(
    "--database-url", help="Overrides BILLFOLD_DATABASE_URL.")]


def _open(database_url: str | None):  # type: ignore[no-untyped-def]
    from billfold.app import Billfold

    settings = Settings.from_env()
    return Billfold(database_url or settings.database_url,
                    auth_cache_seconds=settings.auth_cache_seconds)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    database_url: DatabaseOption = None,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Server processes (PostgreSQL only when more than one).")] = 1,
) -> None:
    """Run the REST API (SQLite ./billfold.db unless BILLFOLD_DATABASE_URL says otherwise).

    Unless BILLFOLD_WORKER=external, it also releases timed-out holds and sweeps
    expired lots every BILLFOLD_SWEEP_INTERVAL_SECONDS (default 15)."""
    import uvicorn

    from billfold.api.main import create_app
    from billfold.api.observability import configure_logging
    from billfold.ledger.stores import list_stores
    from billfold.store.engine import is_postgresql

    settings = Settings.from_env()
    billfold = _open(database_url)
    if not billfold.run(list_stores, read_only=True):
        store = billfold.create_store("Default store", currency="SAR")
        key = billfold.create_api_key(store.id)
        typer.echo(f"Created store {store.id}. Its secret API key (shown once, keep it safe):")
        typer.echo(f"  {key.secret}")
        _first_owner(billfold, store.id, host or settings.host, port or settings.port)
    configure_logging()
    interval = settings.sweep_interval_seconds if settings.worker == "inline" else None
    listen = {"host": host or settings.host, "port": port or settings.port,
              "log_level": "info", "access_log": False}
    if workers == 1:
        uvicorn.run(create_app(billfold, sweep_interval_seconds=interval), **listen)
        return
    if not is_postgresql(billfold.engine):
        typer.echo("error: --workers above 1 needs PostgreSQL (BILLFOLD_DATABASE_URL); "
                   "SQLite serves from one process.", err=True)
        raise typer.Exit(2)
    import os

    from billfold.worker.sweeper import Sweeper

    os.environ["BILLFOLD_DATABASE_URL"] = billfold.engine.url.render_as_string(
        hide_password=False)
    from billfold.worker.deliver import DeliveryLoop

    sweeper = Sweeper(billfold, interval).start() if interval is not None else None
    delivery = DeliveryLoop(billfold).start() if interval is not None else None
    try:  # the workers serve; this supervising process sweeps and delivers webhooks
        uvicorn.run("billfold.api.main:app_from_env", factory=True, workers=workers, **listen)
    finally:
        if sweeper is not None:
            sweeper.stop()
        if delivery is not None:
            delivery.stop()


@cli.command()
def worker(database_url: DatabaseOption = None) -> None:
    """Release timed-out holds and sweep expired lots, every
    BILLFOLD_SWEEP_INTERVAL_SECONDS, and deliver webhooks, until stopped (for
    BILLFOLD_WORKER=external). Several workers may run on one PostgreSQL."""
    import logging

    from billfold.worker.deliver import DeliveryLoop
    from billfold.worker.sweeper import Sweeper

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = Settings.from_env()
    billfold = _open(database_url)
    typer.echo(f"Sweeping every {settings.sweep_interval_seconds:g} s and delivering "
               "webhooks; Ctrl-C stops.")
    delivery = DeliveryLoop(billfold).start()
    Sweeper(billfold, settings.sweep_interval_seconds).run_forever()
    delivery.stop()
    billfold.close()
    typer.echo("Stopped.")


@cli.command()
def migrate(database_url: DatabaseOption = None) -> None:
    """Bring the database schema up to date."""
    _open(database_url).close()
    typer.echo("Database is up to date.")


@cli.command()
def verify(database_url: DatabaseOption = None) -> None:
    """Check every ledger invariant; exit 1 with a report if any fails."""
    billfold = _open(database_url)
    report = billfold.verify()
    typer.echo(report.render())
    raise typer.Exit(0 if report.ok else 1)


@stores_cli.command("create")
def stores_create(
    name: str,
    currency: Annotated[str, typer.Option(help="ISO 4217 code of the store's currency.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Create a store and print its id and a secret API key (shown once)."""
    from billfold.errors import BillfoldError

    billfold = _open(database_url)
    try:
        store = billfold.create_store(name, currency=currency)
    except BillfoldError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from error
    key = billfold.create_api_key(store.id)
    if as_json:
        typer.echo(json.dumps({"store_id": store.id, "api_key": key.secret}))
    else:
        typer.echo(f"store_id: {store.id}\napi_key:  {key.secret}  (shown once)")


@keys_cli.command("create")
def keys_create(store_id: Annotated[str, typer.Option("--store")],
                database_url: DatabaseOption = None) -> None:
    """Issue another secret key for a store."""
    key = _open(database_url).create_api_key(store_id)
    typer.echo(f"key_id:  {key.id}\napi_key: {key.secret}  (shown once)")


@keys_cli.command("revoke")
def keys_revoke(key_id: str, store_id: Annotated[str, typer.Option("--store")],
                database_url: DatabaseOption = None) -> None:
    """Revoke a key; running servers refuse it within a few seconds (they remember a
    valid key for BILLFOLD_AUTH_CACHE_SECONDS, default 5)."""
    _open(database_url).revoke_api_key(store_id, key_id)
    typer.echo(f"Revoked {key_id}.")


def _first_owner(billfold, store_id: str, host: str, port: int) -> None:  # type: ignore[no-untyped-def]
    """The default store's owner login, with a one-time password to change at once."""
    import secrets

    from billfold.access import users

    password = secrets.token_urlsafe(12)
    billfold.run(lambda c: users.create_user(
        c, store_id=store_id, email="owner@localhost", password=password, role="owner",
        now=billfold.clock.now(), must_change_password=True))
    typer.echo(f"Dashboard: http://{host}:{port}/dashboard — log in as owner@localhost "
               "with this one-time password (you choose a new one at once):")
    typer.echo(f"  {password}")


@users_cli.command("create")
def users_create(store_id: Annotated[str, typer.Option("--store")],
                 email: Annotated[str, typer.Option("--email")],
                 role: Annotated[str, typer.Option(help="owner, admin or viewer.")] = "admin",
                 database_url: DatabaseOption = None) -> None:
    """Make a dashboard user; the password is read from standard input."""
    from billfold.access import users
    from billfold.errors import BillfoldError

    password = sys.stdin.readline().rstrip("\n")
    billfold = _open(database_url)
    try:
        user = billfold.run(lambda c: users.create_user(
            c, store_id=store_id, email=email, password=password, role=role,
            now=billfold.clock.now()))
    except BillfoldError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        billfold.close()
    typer.echo(f"Created {user.role} {user.email} ({user.id}) for store {store_id}.")


@cli.command()
def demo(
    database_url: DatabaseOption = None,
    store_id: Annotated[str | None, typer.Option(
        "--store", help="The store to fill (default: a new store \"Demo shop\" in SAR).")] = None,
    customers: Annotated[int, typer.Option(min=1, max=10_000,
                                           help="How many customers.")] = 300,
    seed: Annotated[int, typer.Option(help="The same seed fills the same story.")] = 1,
) -> None:
    """Fill a store with 90 days of believable activity through the library: orders,
    checkouts, cashback, refunds, points and tiers, expiring credit, top-ups, withdrawals."""
    from datetime import timedelta

    from billfold import demo as demo_data
    from billfold.clock import FrozenClock, SystemClock
    from billfold.errors import BillfoldError

    billfold = _open(database_url)
    now = SystemClock().now()
    billfold.clock = FrozenClock(now - timedelta(days=demo_data.DAYS))  # fill() moves it
    try:
        if store_id is None:
            store_id = billfold.create_store("Demo shop", currency="SAR").id
            typer.echo(f"Created store {store_id} (Demo shop, SAR).")
        summary = demo_data.fill(billfold, store_id, customers=customers, seed=seed, now=now)
    except BillfoldError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    finally:
        billfold.close()
    typer.echo(f"Filled store {store_id} with the last {demo_data.DAYS} days:")
    for line in summary.lines():
        typer.echo(f"  {line}")
    typer.echo("Open http://127.0.0.1:8000/dashboard (billfold serve) to look around; a "
               f"login: billfold users create --store {store_id} --email you@example.com")


cluster_cli = typer.Typer(help="Citus: add a worker, rebalance, move or isolate a store.",
                          no_args_is_help=True)
cli.add_typer(cluster_cli, name="cluster")


@cluster_cli.command("add-worker")
def cluster_add_worker(host: str, port: Annotated[int, typer.Argument()] = 5432,
                       database_url: DatabaseOption = None) -> None:
    """Add a worker node to the cluster (then `billfold cluster rebalance`)."""
    from billfold.store import citus

    node = citus.add_worker(_open(database_url).engine, host, port)
    typer.echo(f"Added worker {host}:{port} (node {node}).")


@cluster_cli.command("rebalance")
def cluster_rebalance(database_url: DatabaseOption = None,
                      block_writes: Annotated[bool, typer.Option(
                          help="Copy the shards while writes to them wait, instead of "
                               "online (which needs wal_level = logical).")] = False,
                      ) -> None:
    """Spread the shards fairly over the workers, online (a background job)."""
    from billfold.store import citus

    job = citus.rebalance(_open(database_url).engine,
                          "block_writes" if block_writes else "auto")
    typer.echo("The shards are balanced already." if job is None else
               f"Rebalancing as job {job} (SELECT * FROM citus_rebalance_status()).")


@cluster_cli.command("move-store")
def cluster_move_store(store_id: str, host: str, port: Annotated[int, typer.Argument()],
                       database_url: DatabaseOption = None) -> None:
    """Move the shards holding one store to another worker."""
    from billfold.store import citus

    citus.move_store(_open(database_url).engine, store_id, host, port)
    typer.echo(f"Store {store_id} is on {host}:{port}.")


@cluster_cli.command("isolate-store")
def cluster_isolate_store(store_id: str, database_url: DatabaseOption = None) -> None:
    """Give one large store shards of its own (then move them with move-store)."""
    from billfold.store import citus

    shard = citus.isolate_store(_open(database_url).engine, store_id)
    typer.echo(f"Store {store_id} has shard {shard} of its own.")


@cli.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="A small run for CI.")] = False,
    backend: Annotated[str, typer.Option(help="sqlite, postgres or both.")] = "both",
    as_json: Annotated[bool, typer.Option("--json", help="Print only the JSON line.")] = False,
) -> None:
    """Measure billfold against the raw database in the same run (bench/README.md)."""
    from billfold.benchmarks import BenchNotFound, run_bench

    if backend not in ("sqlite", "postgres", "both"):
        typer.echo("error: --backend must be sqlite, postgres or both.", err=True)
        raise typer.Exit(2)
    try:
        code = run_bench(quick=quick, backend=backend, as_json=as_json)
    except BenchNotFound as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    raise typer.Exit(code)


def main() -> None:
    cli(prog_name="billfold")


if __name__ == "__main__":
    sys.exit(main())
