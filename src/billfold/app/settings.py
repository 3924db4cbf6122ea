"""`shop.settings`: the store's settings and programs (PATCH merges)."""

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


@dataclass(frozen=True, slots=True)
class UpdateSettings(Mutation[StoreSettings]):
    operation = "update_settings"
    result_type = StoreSettings
    changes: dict[str, Any]

    def run(self, conn: Connection, store_id: str, now: datetime) -> StoreSettings:
        return settings.update_settings(conn, store_id=store_id, changes=self.changes, now=now)


class Settings(Namespace):
    def get(self) -> contract.Settings:
        return render.settings(self._snapshot(lambda c: settings.get_settings(c, self.store_id)))

    def update(self, changes: dict[str, Any], *,
               idempotency_key: str | None = None) -> contract.Settings:
        """Merge `changes` into the settings: keys left out keep their value."""
        return render.settings(self._mutate(UpdateSettings(changes), idempotency_key))
