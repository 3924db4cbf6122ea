"""`shop.settings`: the store's settings and programs (PATCH merges), and the loyalty
tiers (`tiers`, owned by `billfold.loyalty.tiers`), in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from billfold import contract
from billfold.app import render
from billfold.app.namespace import Namespace
from billfold.app.operation import Mutation
from billfold.commerce import settings
from billfold.commerce.settings import StoreSettings
from billfold.loyalty import tiers as loyalty_tiers
from billfold.loyalty.tiers import Tier


@dataclass(frozen=True, slots=True)
class SettingsView:
    """The store's settings, with the loyalty tiers beside them."""

    store: StoreSettings
    tiers: tuple[Tier, ...]


@dataclass(frozen=True, slots=True)
class UpdateSettings(Mutation[SettingsView]):
    operation = "update_settings"
    result_type = SettingsView
    changes: dict[str, Any]

    def run(self, conn: Connection, store_id: str, now: datetime) -> SettingsView:
        changes = self.changes
        # -- loyalty: tiers (their own key, checked and kept by billfold.loyalty) --
        if isinstance(changes, dict) and loyalty_tiers.TIERS_KEY in changes:
            changes = dict(changes)
            loyalty_tiers.set_tiers(conn, store_id=store_id,
                                    value=changes.pop(loyalty_tiers.TIERS_KEY))
        store = settings.update_settings(conn, store_id=store_id, changes=changes, now=now)
        return SettingsView(store, loyalty_tiers.get_tiers(conn, store_id))


def read_settings(conn: Connection, store_id: str) -> SettingsView:
    return SettingsView(settings.get_settings(conn, store_id),
                        loyalty_tiers.get_tiers(conn, store_id))


class Settings(Namespace):
    def get(self) -> contract.Settings:
        view = self._snapshot(lambda c: read_settings(c, self.store_id))
        return render.settings(view.store, view.tiers)

    def update(self, changes: dict[str, Any], *,
               idempotency_key: str | None = None) -> contract.Settings:
        """Merge `changes` into the settings: keys left out keep their value; `tiers`, when
        given, replaces the list of tiers."""
        view = self._mutate(UpdateSettings(changes), idempotency_key)
        return render.settings(view.store, view.tiers)
