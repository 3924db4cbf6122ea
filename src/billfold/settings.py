"""Configuration from the environment (`BILLFOLD_*`), read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///billfold.db"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_SWEEP_INTERVAL_SECONDS = 15.0
DEFAULT_AUTH_CACHE_SECONDS = 5.0
WORKER_MODES = ("inline", "external")


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    host: str
    port: int
    # "inline": `serve` sweeps hold timeouts and expired lots itself; "external": a
    # separate `billfold worker` does.
    worker: str = "inline"
    sweep_interval_seconds: float = DEFAULT_SWEEP_INTERVAL_SECONDS
    # How long a server remembers a valid API key (a revocation elsewhere applies
    # within this time); 0 reads the key table on every request.
    auth_cache_seconds: float = DEFAULT_AUTH_CACHE_SECONDS
    # FastAPI's OpenTelemetry spans and metrics (BILLFOLD_OPENTELEMETRY=1); off by default.
    opentelemetry: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        worker = os.environ.get("BILLFOLD_WORKER", "inline")
        if worker not in WORKER_MODES:
            raise ValueError(f"BILLFOLD_WORKER must be one of {', '.join(WORKER_MODES)}")
        return cls(
            database_url=os.environ.get("BILLFOLD_DATABASE_URL", DEFAULT_DATABASE_URL),
            host=os.environ.get("BILLFOLD_HOST", DEFAULT_HOST),
            port=int(os.environ.get("BILLFOLD_PORT", str(DEFAULT_PORT))),
            worker=worker,
            sweep_interval_seconds=float(os.environ.get(
                "BILLFOLD_SWEEP_INTERVAL_SECONDS", str(DEFAULT_SWEEP_INTERVAL_SECONDS))),
            auth_cache_seconds=float(os.environ.get(
                "BILLFOLD_AUTH_CACHE_SECONDS", str(DEFAULT_AUTH_CACHE_SECONDS))),
            opentelemetry=os.environ.get("BILLFOLD_OPENTELEMETRY", "").lower() in ("1", "true"),
        )
