"""billfold: customer wallets for shops on a double-entry ledger."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Billfold", "__version__"]


def __getattr__(name: str) -> object:
    # Lazy so that `import billfold.money` does not pull in SQLAlchemy.
    if name == "Billfold":
        from billfold.app import Billfold

        return Billfold
    raise AttributeError(name)
