"""The FastAPI application factory: routers, auth, errors, logs, metrics, sweeps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.telemetry import TelemetryConfig
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from billfold import __version__
from billfold.api import (
    checkouts,
    customers,
    errors,
    events,
    funding,
    holds,
    loyalty,
    offers,
    orders,
    store_settings,
    transactions,
    webhooks,
    withdrawals,
)
from billfold.api.hot import HotPath, routes_of
from billfold.api.observability import Metrics, RequestLogMiddleware
from billfold.app import Billfold
from billfold.contract import Health
from billfold.ledger.models import SweepResult
from billfold.settings import Settings
from billfold.web import pages
from billfold.worker.deliver import DeliveryLoop
from billfold.worker.sweeper import Sweeper

DESCRIPTION = """Customer wallets for shops on a double-entry ledger.

Authenticate with `Authorization: Bearer <secret key>`. Amounts are integers in
minor units. Send an `Idempotency-Key` header with every POST: a retry with the
same key and body returns the first response; with another body it is a 409.
Errors are `{"error": {"type", "code", "message", "param"}}`.
"""


HEALTHY = Health(status="ok")
# The calls on every checkout's path, and the wallet's page: answered by billfold.api.hot.
HOT_ENDPOINTS = (customers.credit, customers.debit, customers.get_wallet,
                 customers.list_transactions, holds.create_hold, holds.capture_hold,
                 holds.release_hold)
_NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_app(billfold: Billfold, *, sweep_interval_seconds: float | None = None,
               opentelemetry: bool | None = None, hot_path: bool = True) -> FastAPI:
    """The REST service over `billfold`. With `sweep_interval_seconds`, the app also
    releases timed-out holds and sweeps expired lots on a thread while it runs, and
    delivers webhooks on another.

    FastAPI's own OpenTelemetry instrumentation is off unless `opentelemetry` (or
    BILLFOLD_OPENTELEMETRY=1): billfold logs and counts requests itself, and the
    instrumentation's per-request checks cost ~15% of the server's CPU.

    `hot_path=False` leaves every request to FastAPI's router (`billfold.api.hot`
    answers the movements, the balance and the history page without it; the tests
    compare the two)."""
    metrics = Metrics()
    if opentelemetry is None:
        opentelemetry = Settings.from_env().opentelemetry

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        sweeper = delivery = None
        if sweep_interval_seconds is not None:
            sweeper = Sweeper(billfold, sweep_interval_seconds,
                              on_sweep=lambda h, lots: _count_sweep(metrics, h, lots),
                              on_failure=metrics.sweep_failures.inc).start()
            delivery = DeliveryLoop(billfold).start()
        try:
            yield
        finally:
            if sweeper is not None:
                sweeper.stop()
            if delivery is not None:
                delivery.stop()

    app = FastAPI(title="billfold", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, strict_content_type=False,
                  telemetry=None if opentelemetry else _NO_TELEMETRY)
    app.state.billfold = billfold
    app.state.metrics = metrics
    errors.install(app)
    if hot_path:
        app.add_middleware(HotPath, fastapi_app=app,
                           routes=routes_of((customers.router, holds.router), HOT_ENDPOINTS))
    app.add_middleware(RequestLogMiddleware, metrics=metrics)
    app.include_router(customers.router)
    app.include_router(transactions.router)
    app.include_router(holds.router)
    for router in (store_settings.router, checkouts.router, offers.router, orders.router):
        app.include_router(router)
    app.include_router(withdrawals.router)  # withdrawals and transfers
    app.include_router(funding.router)  # wallet codes and top-ups
    app.include_router(events.router)
    app.include_router(webhooks.router)
    app.include_router(pages.router)  # the dashboard and the portal
    app.mount("/static", pages.static, name="static")
    for router in loyalty.routers:  # -- loyalty --
        app.include_router(router)

    @app.get("/healthz", tags=["service"])
    async def healthz() -> Health:
        """Liveness, without auth."""
        return HEALTHY

    @app.get("/metrics", tags=["service"], response_class=PlainTextResponse,
             responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
    def prometheus_metrics() -> PlainTextResponse:
        """Prometheus metrics, in its text format."""
        return PlainTextResponse(generate_latest(metrics.registry),
                                 media_type=CONTENT_TYPE_LATEST)

    return app


def _count_sweep(metrics: Metrics, holds_released: int, lots: SweepResult) -> None:
    metrics.holds_expired.inc(holds_released)
    metrics.lots_expired.inc(lots.lots)


def app_from_env() -> FastAPI:
    """The app for one of several `billfold serve --workers N` processes: the database
    from BILLFOLD_DATABASE_URL, already migrated by the parent, which also sweeps."""
    from billfold.api.observability import configure_logging

    configure_logging()
    settings = Settings.from_env()
    return create_app(Billfold(settings.database_url, migrate=False,
                               auth_cache_seconds=settings.auth_cache_seconds))
