"""Configuration from the environment (`BILLFOLD_*`), read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///billfold.db"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    host: str
    port: int

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("BILLFOLD_DATABASE_URL", DEFAULT_DATABASE_URL),
            host=os.environ.get("BILLFOLD_HOST", DEFAULT_HOST),
            port=int(os.environ.get("BILLFOLD_PORT", str(DEFAULT_PORT))),
        )
