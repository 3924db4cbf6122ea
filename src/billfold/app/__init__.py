"""The library's front door: `Billfold` (transactions, stores, keys) and a store's
handle `Shop` with its resource namespaces. Nothing here does ledger work itself."""

from __future__ import annotations

from billfold.app.billfold import Billfold
from billfold.app.shop import Shop

__all__ = ["Billfold", "Shop"]
