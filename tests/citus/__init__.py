"""Tests against a real Citus cluster (run with BILLFOLD_CITUS=1)."""

import os

ENV_FLAG = "BILLFOLD_CITUS"


def citus_enabled() -> bool:
    """Whether this run includes the Citus cluster (opt-in: it is slow to start)."""
    return os.environ.get(ENV_FLAG, "").strip().lower() in {"1", "true", "yes", "on"}
