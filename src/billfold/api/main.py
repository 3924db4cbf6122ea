"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from billfold import __version__
from billfold.app import Billfold


def create_app(billfold: Billfold) -> FastAPI:
    app = FastAPI(title="billfold", version=__version__,
                  description="Customer wallets for shops on a double-entry ledger.")
    app.state.billfold = billfold

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
